"""Keyset pagination with v5's `bookmark` and `page_size`.

A bookmark is the last row's key, signed and bound to the list it came from: opaque to callers,
constant in cost at any depth (no OFFSET), stable while rows are added, and a forged, foreign or
expired bookmark is a 400, never a 500.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from rest_framework.request import Request

from catalog.api.errors import bad_request

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 250
BOOKMARK_MAX_AGE = 7 * 24 * 3600
_SALT = "catalog.api.bookmark"
_MAX_KEY = 2**63 - 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    bookmark: str | None


def page_size_from(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise bad_request(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    return int(raw)


def _digest(context: str) -> str:
    return hashlib.sha256(context.encode()).hexdigest()[:16]


def _payload_from(bookmark: str, context: str) -> dict:
    try:
        payload = signing.loads(bookmark, salt=_SALT, max_age=BOOKMARK_MAX_AGE)
    except signing.SignatureExpired:
        raise bad_request("bookmark has expired; start again from the first page.") from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise bad_request("bookmark is not valid.") from None
    if not isinstance(payload, dict) or payload.get("c") != _digest(context):
        raise bad_request("bookmark belongs to another list.")
    return payload


def _key_from(bookmark: str, context: str) -> int:
    key = _payload_from(bookmark, context).get("k")
    if not isinstance(key, int) or not 0 < key <= _MAX_KEY:
        raise bad_request("bookmark is not valid.")
    return key


def paginate(
    request: Request,
    queryset: QuerySet,
    *,
    context: str,
    descending: bool = True,
) -> Page:
    """One page of `queryset` ordered by primary key; `context` names the list (endpoint and
    filters) so a bookmark cannot be replayed against another."""
    size = page_size_from(request)
    bookmark = request.query_params.get("bookmark")
    if bookmark:
        key = _key_from(bookmark, context)
        queryset = queryset.filter(pk__lt=key) if descending else queryset.filter(pk__gt=key)
    rows = list(queryset.order_by("-pk" if descending else "pk")[: size + 1])
    if len(rows) <= size:
        return Page(items=rows, bookmark=None)
    rows = rows[:size]
    return Page(items=rows, bookmark=bookmark_after(rows[-1].pk, context=context))


def bookmark_after(key: int, *, context: str) -> str:
    """The bookmark of the page that starts after the row with primary key `key`."""
    return signing.dumps({"c": _digest(context), "k": key}, salt=_SALT, compress=True)


# Ranked lists (search, related pins) have no stable key to page by; their bookmark is a position
# in the ranking, capped so a deep page costs no more than this many rows.
MAX_RANKED_OFFSET = 1000


def paginate_ranked(
    request: Request, fetch: Callable[[int, int], list[Any]], *, context: str
) -> Page:
    """One page of a ranked list: `fetch(offset, limit)` returns up to `limit` items from
    position `offset`; the bookmark carries the next position, signed and bound to `context`."""
    size = page_size_from(request)
    offset = 0
    bookmark = request.query_params.get("bookmark")
    if bookmark:
        offset = _payload_from(bookmark, context).get("o")
        if not isinstance(offset, int) or not 0 < offset <= MAX_RANKED_OFFSET:
            raise bad_request("bookmark is not valid.")
    rows = fetch(offset, size + 1)
    if len(rows) <= size or offset + size >= MAX_RANKED_OFFSET:
        return Page(items=rows[:size], bookmark=None)
    return Page(
        items=rows[:size],
        bookmark=signing.dumps(
            {"c": _digest(context), "o": offset + size}, salt=_SALT, compress=True
        ),
    )
