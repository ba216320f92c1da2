"""Every list page costs a constant number of SQL queries, whatever its size: a page of 25 makes
no more queries than a page of 2 (no query per board, pin, cover or rendition)."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from boards.models import Board, BoardSection
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    Api,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory, BoardSectionFactory, MediaFactory, PinFactory, UserFactory

PINS = 30
# Generous for any backend: authentication, the page, and a prefetch or two.
CEILING = 10


@dataclass
class Catalog:
    owner: User
    board: Board
    section: BoardSection


@pytest.fixture
def catalog(db) -> Catalog:
    """30 boards; one holds 30 pins (all in one of its 30 sections), the others one pin each.
    Every image is processed, so each pin carries renditions and each board cover thumbnails."""
    owner = UserFactory()
    images = [MediaFactory(owner=owner, width=64, height=48) for _ in range(3)]
    board = BoardFactory(owner=owner, name="Queryable board 0")
    sections = [BoardSectionFactory(board=board, name=f"Section {n}") for n in range(30)]
    for n in range(PINS):
        PinFactory(board=board, section=sections[0], media=images[n % 3], title=f"Queryable {n}")
    for n in range(1, 30):
        other = BoardFactory(owner=owner, name=f"Queryable board {n}")
        PinFactory(board=other, media=images[n % 3], title=f"Elsewhere {n}")
    return Catalog(owner=owner, board=board, section=sections[0])


LISTS = [
    pytest.param("boards", {}, id="boards/list"),
    pytest.param("boards/{board}/pins", {}, id="boards/list_pins"),
    pytest.param("boards/{board}/sections", {}, id="board_sections/list"),
    pytest.param("boards/{board}/sections/{section}/pins", {}, id="board_sections/list_pins"),
    pytest.param("pins", {}, id="pins/list"),
    pytest.param("search/pins", {"query": "Queryable"}, id="search_user_pins/list"),
    pytest.param("search/boards", {"query": "Queryable"}, id="search_user_boards/get"),
]
PUBLIC_LISTS = {"boards/list_pins", "board_sections/list", "board_sections/list_pins"}


def _client(catalog: Catalog, actor: str) -> Api:
    if actor == "token":
        return Api(token=token_for(catalog.owner))
    if actor == "session":
        return Api(session_user=catalog.owner)
    return Api()


def _counted(api: Api, path: str, params: dict) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, params)
    assert response.status_code == 200, response.content[:300]
    return len(queries), body_of(response)


@pytest.mark.parametrize("actor", ["token", "session", "anonymous"])
@pytest.mark.parametrize(("path", "params"), LISTS)
def test_a_list_page_costs_the_same_queries_at_any_size(
    request, catalog, django_assert_max_num_queries, actor, path, params
):
    name = request.node.callspec.id.split("-")[0]
    if actor == "anonymous" and name not in PUBLIC_LISTS:
        pytest.skip("an endpoint about the caller's own things: 401 when anonymous")
    api = _client(catalog, actor)
    url = path.format(board=catalog.board.pk, section=catalog.section.pk)
    api.get(url, params)  # a token's first use records last_used_at; measure what follows

    small, small_page = _counted(api, url, {**params, "page_size": "2"})
    with django_assert_max_num_queries(small):
        large = api.get(url, {**params, "page_size": "25"})

    assert len(small_page["items"]) == 2
    assert len(body_of(large)["items"]) == 25
    assert small <= CEILING


@pytest.mark.parametrize("actor", ["token", "anonymous"])
@pytest.mark.parametrize(("path", "params"), LISTS)
def test_a_later_page_costs_the_same_queries_as_the_first(
    request, catalog, django_assert_max_num_queries, actor, path, params
):
    name = request.node.callspec.id.split("-")[0]
    if actor == "anonymous" and name not in PUBLIC_LISTS:
        pytest.skip("an endpoint about the caller's own things: 401 when anonymous")
    api = _client(catalog, actor)
    url = path.format(board=catalog.board.pk, section=catalog.section.pk)
    api.get(url, params)

    first, page = _counted(api, url, {**params, "page_size": "2"})
    with django_assert_max_num_queries(first):
        later = api.get(url, {**params, "page_size": "25", "bookmark": page["bookmark"]})

    assert later.status_code == 200
    assert len(body_of(later)["items"]) >= 1


def test_every_pin_in_a_page_carries_its_renditions(catalog):
    """The constant count above is not bought by leaving data out."""
    items = body_of(Api().get(f"boards/{catalog.board.pk}/pins", {"page_size": "25"}))["items"]

    assert all(item["media"]["images"]["236x"]["url"] for item in items)


def test_every_board_in_a_page_carries_its_cover_and_count(catalog):
    api = Api(token=token_for(catalog.owner))

    items = body_of(api.get("boards", {"page_size": "25"}))["items"]

    assert len(items) == 25
    assert all(item["media"]["pin_thumbnail_urls"] for item in items)
    counts = {item["id"]: item["pin_count"] for item in items}
    assert counts.get(str(catalog.board.pk), PINS) == PINS
    assert all(count >= 1 for count in counts.values())
