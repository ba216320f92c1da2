"""Shared pieces of the API permission, bad-input, token and query-count tests.

`Api` is the Django test client for /api/v5/ that fails the test loudly on any 5xx answer or
unhandled exception: whatever a caller sends, the API must never answer 500.

Import the fixtures a module needs by name (`from tests.api.matrix_fixtures import ...`); they
are kept out of conftest.py so that other tests in this folder are not affected.
"""

import json as jsonlib
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client

from accounts.models import User
from accounts.services import ALL_SCOPES, access_token_create
from boards.models import Board, BoardSection
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.factories import (
    BoardFactory,
    BoardSectionFactory,
    MediaFactory,
    PinFactory,
    UserFactory,
)

API = "/api/v5/"
# An id that names nothing: what a hidden object must be indistinguishable from.
MISSING_ID = "987654321"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_NO_BODY = object()


class Api:
    """A client for /api/v5/ as one actor: a bearer token, a browser session (with its CSRF
    token on writes, as a browser's script would send it) or nobody."""

    def __init__(
        self,
        *,
        token: str | None = None,
        session_user: User | None = None,
        csrf: bool = True,
        remote_addr: str = "127.0.0.1",
    ) -> None:
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=remote_addr)
        self.headers: dict[str, str] = {}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"
        self.csrf_token = ""
        if session_user is not None:
            self.client.force_login(session_user)
            if csrf:
                self.csrf_token = secrets.token_hex(16)  # 32 characters, as Django makes them
                self.client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_token

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = _NO_BODY,
        body: bytes | str = b"",
        content_type: str = "application/octet-stream",
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> HttpResponse:
        if json is not _NO_BODY:
            body, content_type = jsonlib.dumps(json), "application/json"
        all_headers = {**self.headers, **(headers or {})}
        if self.csrf_token and method.upper() in _UNSAFE:
            all_headers.setdefault("X-CSRFToken", self.csrf_token)
        url = path if path.startswith("/") else API + path
        return self._checked(
            f"{method} {url} {params or ''}",
            lambda: self.client.generic(
                method.upper(),
                url,
                body,
                content_type=content_type,
                headers=all_headers,
                query_params=params,
                **extra,
            ),
        )

    def post_form(self, path: str, data: dict[str, Any]) -> HttpResponse:
        """A multipart POST, as a browser or `curl -F` sends files."""
        headers = dict(self.headers)
        if self.csrf_token:
            headers["X-CSRFToken"] = self.csrf_token
        url = API + path
        return self._checked(
            f"POST {url} (multipart)", lambda: self.client.post(url, data, headers=headers)
        )

    @staticmethod
    def _checked(what: str, send) -> HttpResponse:
        try:
            response = send()
        except Exception as exc:
            pytest.fail(f"{what} raised {exc!r}: a 500 in production")
        if response.status_code >= 500:
            pytest.fail(f"{what} answered {response.status_code}: {response.content[:500]!r}")
        return response

    def get(self, path: str, params: dict[str, str] | None = None, **kwargs) -> HttpResponse:
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, json: Any = _NO_BODY, **kwargs) -> HttpResponse:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = _NO_BODY, **kwargs) -> HttpResponse:
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs) -> HttpResponse:
        return self.request("DELETE", path, **kwargs)


def body_of(response: HttpResponse) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()


def assert_error(response: HttpResponse, status: int, code: int | None = None) -> dict:
    """The v5 error shape: exactly `{code, message}`, with a message a person can read."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = body_of(response)
    assert set(body) == {"code", "message"}, body
    assert isinstance(body["code"], int), body
    assert isinstance(body["message"], str), body
    assert body["message"].strip(), body
    if code is not None:
        assert body["code"] == code, body
    return body


def item_ids(response: HttpResponse) -> set[str]:
    return {item["id"] for item in body_of(response)["items"]}


def token_for(user: User, scopes: tuple[str, ...] | list[str] = ALL_SCOPES, **kwargs) -> str:
    return access_token_create(user=user, name="test", scopes=scopes, **kwargs).raw


def stored_state() -> tuple:
    """Every row a refused request could have written or changed."""
    return (
        list(Board.objects.order_by("pk").values_list("pk", "name", "description", "privacy")),
        list(BoardSection.objects.order_by("pk").values_list("pk", "board_id", "name")),
        list(
            Pin.objects.order_by("pk").values_list(
                "pk", "board_id", "section_id", "title", "description", "link", "alt_text"
            )
        ),
        list(MediaRecord.objects.order_by("pk").values_list("pk", "owner_id", "source_url")),
    )


def small_media(owner: User) -> MediaRecord:
    """A real media record (stored and checked by the pipeline), left unprocessed for speed."""
    return MediaFactory(owner=owner, width=48, height=32, process=False)


@dataclass
class World:
    """The owner's board under test (public or secret) with a section and a pinned image, the
    owner's second (public) board, and another user with a public board and an image of their
    own, so that each actor has somewhere to save to and something to pin."""

    privacy: str
    owner: User
    other: User
    board: Board
    section: BoardSection
    pin: Pin
    media: MediaRecord
    owner_target: Board
    other_board: Board
    other_media: MediaRecord
    owner_token: str
    other_token: str


def make_world(privacy: str) -> World:
    owner, other = UserFactory(), UserFactory()
    board = BoardFactory(owner=owner, privacy=privacy, name=f"Matrix {privacy.lower()} board")
    section = BoardSectionFactory(board=board, name="Matrix section")
    media = small_media(owner)
    pin = PinFactory(board=board, section=section, media=media, title="Matrix pin")
    return World(
        privacy=privacy,
        owner=owner,
        other=other,
        board=board,
        section=section,
        pin=pin,
        media=media,
        owner_target=BoardFactory(owner=owner, name="Owner target"),
        other_board=BoardFactory(owner=other, name="Other target"),
        other_media=small_media(other),
        owner_token=token_for(owner),
        other_token=token_for(other),
    )


@pytest.fixture(autouse=True)
def clear_throttle_counts():
    """Rate limits count per token id, session user or address in the cache; ids repeat across
    rolled-back tests, so every test starts from zero."""
    cache.clear()
    yield
    cache.clear()
