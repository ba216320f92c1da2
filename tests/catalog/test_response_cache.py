"""Whole responses are kept until the next write (catalog/response_cache.py): a kept response is
sent without SQL, and nothing a write changed, nor anything about one visitor, reaches another."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessToken
from accounts.services import access_token_revoke
from boards.models import Board
from boards.services import board_update
from catalog import response_cache
from catalog.response_cache import ResponseCacheMiddleware
from pins.models import Pin
from pins.services import pin_delete
from tests.api.matrix_fixtures import (  # noqa: F401 - autouse: rate limits start from zero
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory, PinFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept_for_a_while(settings):
    settings.RESPONSE_CACHE_SECONDS = 60


@pytest.fixture
def pin() -> Pin:
    return PinFactory(title="Copper kettle")


def fetch(client, url: str, **headers):
    """One GET, and how many SQL statements it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_anonymous_page_is_sent_again_without_sql(client, pin):
    first, first_queries = fetch(client, "/")
    again, again_queries = fetch(client, "/")
    assert first["X-Cache"] == "miss"
    assert first_queries > 0
    assert again["X-Cache"] == "hit"
    assert again_queries == 0
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_a_kept_page_still_carries_the_security_headers(client, pin):
    fetch(client, "/")
    again, _ = fetch(client, "/")
    assert again["X-Cache"] == "hit"
    assert "default-src 'self'" in again["Content-Security-Policy"]
    assert again["X-Content-Type-Options"] == "nosniff"
    assert again["X-Frame-Options"] == "DENY"


def test_a_new_pin_shows_at_once(client, pin):
    fetch(client, "/")
    PinFactory(board=pin.board, title="Enamel teapot")
    response, _ = fetch(client, "/")
    assert response["X-Cache"] == "miss"
    assert b"Enamel teapot" in response.content


def test_a_bulk_update_without_signals_still_ends_kept_pages(client, pin):
    fetch(client, pin.get_absolute_url())
    Pin.objects.filter(pk=pin.pk).update(title="Brass kettle")
    response, _ = fetch(client, pin.get_absolute_url())
    assert b"Brass kettle" in response.content


def test_a_board_turned_secret_is_404_at_once(client, pin):
    url = pin.board.get_absolute_url()
    assert fetch(client, url)[0].status_code == 200
    board_update(board=pin.board, user=pin.owner, privacy=Board.Privacy.SECRET)
    response, _ = fetch(client, url)
    assert response.status_code == 404


def test_a_deleted_pin_is_404_at_once(client, pin):
    url = pin.get_absolute_url()
    assert fetch(client, url)[0].status_code == 200
    pin_delete(pin=pin, user=pin.owner)
    assert fetch(client, url)[0].status_code == 404


def test_a_signed_in_visitor_is_never_sent_a_kept_page(client, pin):
    fetch(client, "/")
    client.force_login(pin.owner)
    response, queries = fetch(client, "/?all=1")
    assert "X-Cache" not in response
    assert queries > 0
    assert b"Log out" in response.content


def test_a_signed_in_page_is_not_kept_for_anonymous_visitors(client, pin):
    client.force_login(pin.owner)
    fetch(client, pin.get_absolute_url())
    client.logout()
    response, _ = fetch(client, pin.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert b"Log out" not in response.content


def test_a_page_that_sets_a_cookie_is_not_kept(client, db):
    fetch(client, "/accounts/login/")
    client.cookies.clear()
    response, _ = fetch(client, "/accounts/login/")
    assert "X-Cache" not in response
    assert "csrftoken" in response.cookies


def test_the_infinite_scroll_cards_are_kept_apart_from_the_page(client, pin):
    page, _ = fetch(client, "/")
    cards, _ = fetch(client, "/", **{"X-Requested-With": "fetch"})
    assert cards["X-Cache"] == "miss"
    assert b"<html" not in cards.content
    assert b"<html" in page.content


def test_a_visitor_with_flashed_messages_gets_a_fresh_page(client, pin):
    fetch(client, "/")
    client.cookies["messages"] = "anything"
    response, queries = fetch(client, "/")
    assert "X-Cache" not in response
    assert queries > 0


def test_nothing_is_kept_when_switched_off(client, pin, settings):
    settings.RESPONSE_CACHE_SECONDS = 0
    fetch(client, "/")
    response, queries = fetch(client, "/")
    assert "X-Cache" not in response
    assert queries > 0


def test_pages_are_rendered_when_the_cache_is_unreachable(client, pin):
    # Nothing listens on port 9 (discard) of 127.0.0.1: refused at once.
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    with override_settings(CACHES=unreachable):
        first, _ = fetch(client, "/")
        second, _ = fetch(client, "/")
    assert first.status_code == second.status_code == 200
    assert b"Copper kettle" in second.content
    assert "X-Cache" not in second


# --- API reads ------------------------------------------------------------------------------------


def test_an_api_read_is_sent_again_without_sql(client, pin):
    token = token_for(pin.owner)
    url = f"/api/v5/boards/{pin.board_id}/pins"
    first, _ = fetch(client, url, **bearer(token))
    again, queries = fetch(client, url, **bearer(token))
    assert first["X-Cache"] == "miss"
    assert again["X-Cache"] == "hit"
    assert again.json() == first.json()
    # The token's lookup is kept for the generation too.
    assert queries == 0


def test_a_revoked_token_is_refused_even_for_a_kept_read(client, pin):
    token = token_for(pin.owner)
    url = f"/api/v5/pins/{pin.pk}"
    fetch(client, url, **bearer(token))
    access_token_revoke(token=AccessToken.objects.get(prefix=token[:12]), user=pin.owner)
    response, _ = fetch(client, url, **bearer(token))
    assert response.status_code == 401


def test_an_expired_token_is_refused_even_for_a_kept_read(client, pin, monkeypatch):
    expires_at = timezone.now() + timedelta(hours=1)
    token = token_for(pin.owner, expires_at=expires_at)
    url = f"/api/v5/pins/{pin.pk}"
    assert fetch(client, url, **bearer(token))[0]["X-Cache"] == "miss"
    assert fetch(client, url, **bearer(token))[0]["X-Cache"] == "hit"
    # Expiry is a moment, not a write: nothing starts a new generation.
    monkeypatch.setattr(timezone, "now", lambda: expires_at + timedelta(seconds=1))
    response, _ = fetch(client, url, **bearer(token))
    assert response.status_code == 401


def test_kept_reads_are_still_rate_limited(client, pin, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_read": "2/minute"}
    token = token_for(pin.owner)
    url = f"/api/v5/pins/{pin.pk}"
    statuses = [fetch(client, url, **bearer(token))[0].status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_every_read_counts_once_against_the_rate_kept_or_rendered(client, pin, settings):
    """A token seen before has its kept read counted in the round trip that fetches it; reads
    that are rendered (first, after a write, refused) are counted by DRF alone."""
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_read": "9/minute"}
    token = token_for(pin.owner)
    url = f"/api/v5/pins/{pin.pk}"

    states = [fetch(client, url, **bearer(token))[0]["X-Cache"] for _ in range(4)]
    Pin.objects.filter(pk=pin.pk).update(title="Brass kettle")
    states += [fetch(client, url, **bearer(token))[0]["X-Cache"] for _ in range(5)]
    refused = [fetch(client, url, **bearer(token))[0] for _ in range(2)]

    assert states == ["miss", "hit", "hit", "hit", "miss", "hit", "hit", "hit", "hit"]
    assert [response.status_code for response in refused] == [429, 429]
    assert int(refused[0]["Retry-After"]) >= 1
    # Refused reads were not counted: with room for one more, the next read is served.
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_read": "10/minute"}
    response, queries = fetch(client, url, **bearer(token))
    assert (response.status_code, response["X-Cache"], queries) == (200, "hit", 0)


def test_readers_of_secret_boards_do_not_share_kept_reads(client):
    owner = UserFactory()
    secret = PinFactory(board=BoardFactory(owner=owner, privacy=Board.Privacy.SECRET))
    url = f"/api/v5/pins/{secret.pk}"
    with_secret = token_for(owner, scopes=["pins:read", "pins:read_secret"])
    without_secret = token_for(owner, scopes=["pins:read"])
    assert fetch(client, url, **bearer(with_secret))[0].status_code == 200
    assert fetch(client, url, **bearer(without_secret))[0].status_code == 404
    other = token_for(UserFactory(), scopes=["pins:read", "pins:read_secret"])
    assert fetch(client, url, **bearer(other))[0].status_code == 404


def test_an_api_read_shows_an_edit_at_once(client, pin):
    token = token_for(pin.owner)
    url = f"/api/v5/pins/{pin.pk}"
    fetch(client, url, **bearer(token))
    patched = client.patch(
        url, {"title": "Tin kettle"}, content_type="application/json", headers=bearer(token)
    )
    assert patched.status_code == 200
    response, _ = fetch(client, url, **bearer(token))
    assert response.json()["title"] == "Tin kettle"


# --- The write watcher ----------------------------------------------------------------------------


def test_a_transaction_bumps_once_more_when_it_commits(pin):
    with transaction.atomic():
        Pin.objects.filter(pk=pin.pk).update(title="One")
        Pin.objects.filter(pk=pin.pk).update(title="Two")
        bumps = [
            callback
            for _, callback, _ in connection.run_on_commit
            if callback.__name__ == "generation_bump"
        ]
    assert len(bumps) == 1


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_ends_kept_pages(client):
    """As a worker's would: its own connection, its own committed transaction."""
    pin = PinFactory(title="Copper kettle")
    fetch(client, pin.get_absolute_url())

    def worker_write() -> None:
        try:
            with transaction.atomic():
                Pin.objects.filter(pk=pin.pk).update(title="Pewter kettle")
        finally:
            connection.close()

    thread = threading.Thread(target=worker_write)
    thread.start()
    thread.join()
    response, _ = fetch(client, pin.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert b"Pewter kettle" in response.content


def test_the_health_check_is_never_kept(client, db):
    first, _ = fetch(client, "/healthz")
    again, queries = fetch(client, "/healthz")
    assert first.status_code == again.status_code == 200
    assert "X-Cache" not in again
    assert queries == 1
    assert "no-store" in again["Cache-Control"]


# --- Freshness ------------------------------------------------------------------------------------


class Clock:
    """The time the kept copies are judged by, moved on by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(response_cache, "time", clock)
    return clock


class SlowPage:
    """A page that takes a while to render and counts its renders."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.renders = 0
        self.lock = threading.Lock()

    def __call__(self, request) -> HttpResponse:
        with self.lock:
            self.renders += 1
            number = self.renders
        time.sleep(self.seconds)
        return HttpResponse(f"render {number}")


def test_a_copy_past_its_time_is_rendered_once_while_the_others_are_sent_it(clock):
    page = SlowPage(seconds=0.3)
    middleware = ResponseCacheMiddleware(page)
    request = RequestFactory().get("/popular")
    assert middleware(request).content == b"render 1"
    assert middleware(request)["X-Cache"] == "hit"

    clock.now += 60  # RESPONSE_CACHE_SECONDS: no longer fresh
    responses = []

    def visit() -> None:
        responses.append(middleware(RequestFactory().get("/popular")))

    visitors = [threading.Thread(target=visit) for _ in range(8)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()

    assert page.renders == 2
    states = sorted(response["X-Cache"] for response in responses)
    assert states == ["miss"] + ["stale"] * 7
    assert {r.content for r in responses if r["X-Cache"] == "stale"} == {b"render 1"}
    again = middleware(request)
    assert (again["X-Cache"], again.content) == ("hit", b"render 2")


def test_a_stale_copy_of_an_older_generation_is_never_sent(clock):
    middleware = ResponseCacheMiddleware(SlowPage())
    request = RequestFactory().get("/popular")
    middleware(request)
    clock.now += 60
    response_cache.generation_bump()
    response = middleware(request)
    assert (response["X-Cache"], response.content) == ("miss", b"render 2")


def test_copies_kept_together_are_not_all_rendered_again_together(clock, settings):
    middleware = ResponseCacheMiddleware(SlowPage())
    paths = [f"/board/{number}" for number in range(40)]
    for path in paths:
        middleware(RequestFactory().get(path))

    clock.now += settings.RESPONSE_CACHE_SECONDS * 0.75  # within 50-100% of it
    states = [middleware(RequestFactory().get(path))["X-Cache"] for path in paths]
    assert 0 < states.count("miss") < len(paths)
    assert set(states) == {"hit", "miss"}

    clock.now += settings.RESPONSE_CACHE_SECONDS * 0.25
    states = [middleware(RequestFactory().get(path))["X-Cache"] for path in paths]
    assert "stale" not in states  # the first request past a copy's time renders it


# --- Releases -------------------------------------------------------------------------------------


def test_a_release_names_the_content_of_its_files(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>One</p>")
    (templates / "notes.md").write_text("not part of a release")
    first = response_cache.release_of([templates])
    assert response_cache.release_of([templates]) == first

    (templates / "notes.md").write_text("changed")
    assert response_cache.release_of([templates]) == first
    (templates / "page.html").write_text("<p>Two</p>")
    assert response_cache.release_of([templates]) != first


def test_a_page_kept_by_another_release_is_not_sent(client, pin, monkeypatch):
    fetch(client, "/")
    assert fetch(client, "/")[0]["X-Cache"] == "hit"
    monkeypatch.setattr(response_cache, "release", lambda: "the next deploy")
    assert fetch(client, "/")[0]["X-Cache"] == "miss"
    assert fetch(client, "/")[0]["X-Cache"] == "hit"
