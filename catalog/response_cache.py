"""Whole responses kept for a few seconds, and dropped by any write to the catalog.

Rendering a page or an API list costs milliseconds of Python; sending a kept copy costs one cache
read. Two kinds of response are kept:

- HTML pages for visitors without a session: the same for every anonymous visitor of a URL
  (`ResponseCacheMiddleware`). A page that set a cookie, used a CSRF token or is not a 200 is not
  kept, and a visitor with a session cookie is always served a fresh render.
- API reads, per reader (`kept_for_reader`): per bearer token (one user, fixed scopes), or per
  signed-in user or nobody. A token's kept read is fetched with the generation (and, for a token
  this process has seen, counted against its rate in the same Redis command) and sent once the
  token is found live and within its rate (`_live_within_rate`); anything else goes through DRF,
  whose authentication, permissions and rate limits run before a kept read is looked up.

Every kept response carries the catalog's *generation*, a token in the shared cache that each
committed INSERT, UPDATE or DELETE replaces (`watch_writes`, installed on every database
connection, so writes by web requests, workers, commands and the admin all count). A response of
an older generation is never sent, so a new pin, an edited title or a board turned secret shows
at once. The related-pins graph, which each web process refreshes on its own, starts a new
generation when a refresh changes it (pins/related.py). Kept responses also belong to one
*release* of the code, templates and static files (`release`): after a deploy, the new processes
send none of the old ones, nor pages naming static files that are gone. `RESPONSE_CACHE_SECONDS`
bounds anything else. If the cache is unreachable, responses are rendered as if nothing were kept.

A kept copy is fresh for a random 50-100% of `RESPONSE_CACHE_SECONDS`, so copies made together
are not all rendered again at the same moment. Once it is no longer fresh, the first request to
claim it renders it again, and meanwhile the others are sent the copy (`X-Cache: stale`, same
generation) for at most `REFRESH_SECONDS`: a popular page is rendered once, not by every
request that arrives during the render.
"""

import functools
import hashlib
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from catalog.api.throttling import RateWindow, TokenRateThrottle, token_identity
from catalog.redis_cache import count_and_read_with

logger = logging.getLogger(__name__)

GENERATION_KEY = "response-cache:generation"
KEY_PREFIX = "response-cache:"
# How long past its freshness a copy may still be sent while one request renders it again; also
# how long that request's claim lasts, should it fail to render.
REFRESH_SECONDS = 10
FRESH_SHARE = (0.5, 1.0)

# Written while reading, and shown on no kept response: the session saved at sign-in, and a token's
# last use (stamped at most once a minute by API reads). Token creation and revocation do count:
# token lookups are kept per generation too (accounts/services.py).
UNSHOWN_WRITES = ('"django_session"', 'UPDATE "accounts_accesstoken" SET "last_used_at"')
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


def _enabled() -> bool:
    return settings.RESPONSE_CACHE_SECONDS > 0


# --- Generation -----------------------------------------------------------------------------------


_cache_down = False


def _cache_failed(what: str) -> None:
    """Log the first failure of a streak: while the cache is down, every request would."""
    global _cache_down
    if not _cache_down:
        logger.warning(
            "response cache: %s; rendering everything until it answers", what, exc_info=True
        )
    _cache_down = True


def _cache_answered() -> None:
    global _cache_down
    _cache_down = False


def generation_bump() -> None:
    """A new generation: every response kept so far is stale."""
    if not _enabled():
        return
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        # A write must not fail because the cache is down; kept responses expire on their own,
        # and a cache that comes back empty (Redis keeps nothing on disk here) holds none.
        _cache_failed("could not start a new generation")
    else:
        _cache_answered()


@dataclass(frozen=True)
class _Lookup:
    """What the cache held when a request came in: the generation, and for a bearer token's API
    read, the response kept under `key` for that token and URL, if any."""

    generation: str
    key: str | None = None
    kept: HttpResponse | None = None
    # A token's read counted against its rate in the same round trip: (window, count, previous).
    counted: tuple["RateWindow", int, int] | None = None


# Set by the middleware for an API read's thread: the token lookup and the kept response of one
# request share one round trip to the cache.
_request_lookup: ContextVar[_Lookup | None] = ContextVar("response_cache_lookup", default=None)


def current_generation() -> str | None:
    """The generation now, or None when nothing is kept (switched off, or the cache is down)."""
    if not _enabled():
        return None
    lookup = _request_lookup.get()
    if lookup is not None:
        return lookup.generation
    try:
        return cache.get(GENERATION_KEY)
    except Exception:
        return None


def watch_writes(connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Install the write watcher on a new database connection (the `connection_created` signal)."""
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def _note_writes(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    result = execute(sql, params, many, context)
    head = sql.lstrip()[:80]
    if head[:6].upper() in WRITE_VERBS and not any(unshown in head for unshown in UNSHOWN_WRITES):
        # Bumped at once, so a page rendered before the commit is never kept under the next
        # generation for long, and again at the commit, so one rendered from the old rows
        # between the two is dropped too.
        generation_bump()
        connection = context["connection"]
        if connection.in_atomic_block and not any(
            callback is generation_bump for _, callback, _ in connection.run_on_commit
        ):
            connection.on_commit(generation_bump)
    return result


# --- Kept responses -------------------------------------------------------------------------------


# What a response is made from, besides the database: code, templates, and the static files'
# manifest (hashed names that pages link to).
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".json"}


def release_of(roots: Iterable[Path]) -> str:
    """A digest of every source file under `roots` (path and content), in a stable order."""
    digest = hashlib.blake2b(digest_size=8)
    for root in sorted(set(roots)):
        if root.is_file():
            files = [root]
        else:
            files = sorted(path for path in root.rglob("*") if path.suffix in RELEASE_SUFFIXES)
        for path in files:
            digest.update(str(path.relative_to(root.parent)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def release() -> str:
    """This process's release: the project's apps, its templates and the static manifest."""
    base = Path(settings.BASE_DIR)
    roots = [Path(app.path) for app in apps.get_app_configs()]
    roots = [root for root in roots if root.is_relative_to(base)]
    roots += [Path(directory) for template in settings.TEMPLATES for directory in template["DIRS"]]
    manifest = Path(settings.STATIC_ROOT or base) / "staticfiles.json"
    if manifest.is_file():
        roots.append(manifest)
    return release_of(root for root in roots if root.exists())


def _cache_key(*parts: object) -> str:
    digest = hashlib.blake2b(repr((release(), *parts)).encode(), digest_size=20).hexdigest()
    return KEY_PREFIX + digest


def _fetch(key: str | None, counting: "RateWindow | None" = None) -> _Lookup | None:
    """The current generation and the response kept under `key` for it; None if unreachable.
    With `counting`, the request is also counted in that rate window, in the same round trip."""
    keys = [GENERATION_KEY] if key is None else [GENERATION_KEY, key]
    counted = None
    try:
        if counting is None:
            found = cache.get_many(keys)
        else:
            count, previous, found = count_and_read_with(
                counting.current_key, counting.previous_key, keys, timeout=counting.timeout
            )
            counted = (counting, count, previous)
        generation = found.get(GENERATION_KEY) or _new_generation()
    except Exception:
        _cache_failed("unreachable")
        return None
    _cache_answered()
    if generation is None:
        return None
    kept = found.get(key)
    if kept is None or kept[0] != generation:
        return _Lookup(generation, key, counted=counted)
    _, fresh_until, status, headers, content = kept
    state = "hit"
    if time.time() >= fresh_until:
        if _claim_refresh(key, fresh_until):
            return _Lookup(generation, key, counted=counted)
        state = "stale"
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Cache"] = state
    return _Lookup(generation, key, response, counted)


def _claim_refresh(key: str, fresh_until: float) -> bool:
    """Whether this request renders a copy that is no longer fresh (one request per copy)."""
    try:
        return cache.add(f"{key}:refresh:{fresh_until}", 1, timeout=REFRESH_SECONDS)
    except Exception:
        _cache_failed("could not claim a refresh")
        return True


def _new_generation() -> str | None:
    """A generation for a new (or flushed) cache, so what is rendered now can be kept."""
    generation = secrets.token_hex(8)
    if cache.add(GENERATION_KEY, generation, timeout=None):
        return generation
    return cache.get(GENERATION_KEY)


def _keep(key: str, generation: str, response: HttpResponseBase) -> None:
    headers = [(name, value) for name, value in response.items() if name != "X-Cache"]
    # Spreading expiries is not a secret: any generator will do.
    fresh_for = settings.RESPONSE_CACHE_SECONDS * random.uniform(*FRESH_SHARE)  # noqa: S311
    try:
        cache.set(
            key,
            (generation, time.time() + fresh_for, response.status_code, headers, response.content),
            timeout=fresh_for + REFRESH_SECONDS,
        )
    except Exception:
        _cache_failed("could not keep a response")


def _keepable(response: HttpResponseBase) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


# --- HTML pages for anonymous visitors ------------------------------------------------------------


class ResponseCacheMiddleware:
    """Anonymous page views, kept per URL (with host, scheme and the infinite scroll's header).

    Placed before the session middleware: a kept page is sent without loading a session, a user
    or a CSRF token. Only the CSRF cookie may come with a request that is served a kept page; any
    other cookie (a session, flashed messages) means the page may be about this visitor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _enabled():
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return self._api(request)
        if not self._shared(request):
            return self.get_response(request)
        key = _cache_key(
            "page",
            request.scheme,
            request.META.get("HTTP_HOST", ""),
            request.get_full_path(),
            request.headers.get("X-Requested-With", ""),
        )
        lookup = _fetch(key)
        if lookup is not None and lookup.kept is not None:
            return lookup.kept
        response = self.get_response(request)
        if (
            lookup is not None
            and _keepable(response)
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            _keep(key, lookup.generation, response)
            response["X-Cache"] = "miss"
        return response

    def _api(self, request: HttpRequest) -> HttpResponseBase:
        """An API read's reader is known once DRF has authenticated it (`kept_for_reader`). With
        a bearer token, which names one user and its scopes, the response kept for that token
        and URL is fetched here with the generation; otherwise just the generation."""
        if request.method != "GET":
            return self.get_response(request)
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        bearer_key = window = None
        if authorization[:7].lower() == "bearer ":
            reader = hashlib.sha256(authorization.encode()).hexdigest()
            bearer_key = _cache_key(
                "api-token", reader, request.get_full_path(), request.META.get("HTTP_ACCEPT", "")
            )
            # A token this process has seen before: its read is counted against its rate in
            # the round trip that fetches the kept response.
            token_pk = _token_pks.get(reader)
            if token_pk is not None:
                window = RateWindow.now("api_read", token_identity(token_pk))
        lookup = _fetch(bearer_key, counting=window)
        if lookup is None:
            return self.get_response(request)
        reset = _request_lookup.set(lookup)
        try:
            if lookup.kept is not None and _live_within_rate(request, authorization, lookup):
                return lookup.kept
            if lookup.counted is not None:
                # DRF counts the request itself (and refuses it, or renders it).
                lookup.counted[0].uncount()
            return self.get_response(request)
        finally:
            _request_lookup.reset(reset)

    @staticmethod
    def _shared(request: HttpRequest) -> bool:
        return (
            request.method == "GET"
            and set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}
            and "HTTP_AUTHORIZATION" not in request.META
        )


# --- API reads, per reader ------------------------------------------------------------------------


# Which token an Authorization header names (by its SHA-256), once this process has seen it live:
# a token's primary key never changes, so this needs no generation.
_token_pks: dict[str, int] = {}
TOKEN_PKS_KEPT = 10_000


def _live_within_rate(request: HttpRequest, authorization: str, lookup: _Lookup) -> bool:
    """What DRF checks before an API read, for a token whose response for this URL is kept: the
    token is live (its lookup is kept for the generation, so this costs no SQL) and the read is
    within its rate (counted with the fetch when the token was known). The view's own checks
    depend only on the token and the URL, and passed when the response was kept. Anything else
    goes through DRF, which answers 401 or 429."""
    from accounts.services import access_token_authenticate

    token = access_token_authenticate(raw=authorization[7:].strip())
    if token is None:
        return False
    reader = hashlib.sha256(authorization.encode()).hexdigest()
    if reader not in _token_pks:
        if len(_token_pks) >= TOKEN_PKS_KEPT:
            _token_pks.clear()
        _token_pks[reader] = token.pk
    if lookup.counted is not None:
        # Counted under this token: the header was mapped to it when the token was found live.
        window, count, previous = lookup.counted
        return window.allows(count, previous)
    reader_request = SimpleNamespace(
        method=request.method, auth=token, user=token.user, META=request.META
    )
    return TokenRateThrottle().allow_request(reader_request, view=None)


def kept_for_reader(view_method: Callable) -> Callable:
    """Keep an API view's GET responses per reader: a bearer token (one user, fixed scopes), or
    the signed-in user of a session, or nobody. Runs inside the view, after authentication,
    permissions and rate limits; a scope check in the view passed for a kept response's reader,
    as the same reader always has the same scopes."""

    @functools.wraps(view_method)
    def get(view, request, *args, **kwargs):
        lookup = _request_lookup.get()
        if not _enabled() or lookup is None:
            return view_method(view, request, *args, **kwargs)
        if request.auth is None or lookup.key is None:
            lookup = _fetch(
                _cache_key(
                    "api",
                    request.user.pk,
                    request.get_full_path(),
                    request.accepted_renderer.media_type,
                )
            )
            if lookup is None:
                return view_method(view, request, *args, **kwargs)
        if lookup.kept is not None:
            return lookup.kept
        response = view_method(view, request, *args, **kwargs)
        if response.status_code == 200:

            def keep_rendered(rendered: HttpResponseBase) -> None:
                if _keepable(rendered):
                    _keep(lookup.key, lookup.generation, rendered)
                    rendered["X-Cache"] = "miss"

            response.add_post_render_callback(keep_rendered)
        return response

    return get
