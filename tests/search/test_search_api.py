"""GET /search/pins and /search/boards: the token user's own pins and boards, best match first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import ALL_SCOPES
from boards.models import Board
from catalog.api.errors import Code
from tests.api.matrix_fixtures import (  # noqa: F401 - fixture
    Api,
    assert_error,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BoardFactory
from tests.search.conftest import postgres_only

pytestmark = pytest.mark.django_db


def without(*dropped: str) -> tuple[str, ...]:
    return tuple(s for s in ALL_SCOPES if s not in dropped)


@pytest.fixture
def api(user) -> Api:
    return Api(token=token_for(user))


def titles(response) -> list[str]:
    return [item["title"] for item in body_of(response)["items"]]


def names(response) -> list[str]:
    return [item["name"] for item in body_of(response)["items"]]


def every_page(api: Api, path: str, query: str, field: str) -> list[list[str]]:
    """Follow the bookmarks from the first page to the last (size 2)."""
    pages, params = [], {"query": query, "page_size": "2"}
    while True:
        body = body_of(api.get(path, params))
        pages.append([item[field] for item in body["items"]])
        if body["bookmark"] is None:
            return pages
        params = {**params, "bookmark": body["bookmark"]}


def test_pin_search_finds_only_the_token_users_own_pins(api, board, other_user, make_pin):
    make_pin(board, "My lantern")
    make_pin(BoardFactory(owner=other_user), "Their lantern")

    assert titles(api.get("search/pins", {"query": "lantern"})) == ["My lantern"]


def test_a_token_without_pins_read_secret_finds_no_secret_pin(user, board, secret_board, make_pin):
    make_pin(board, "Public lantern")
    make_pin(secret_board, "Secret lantern")
    limited = Api(token=token_for(user, without("pins:read_secret", "pins:write_secret")))
    full = Api(token=token_for(user))

    assert titles(limited.get("search/pins", {"query": "lantern"})) == ["Public lantern"]
    assert sorted(titles(full.get("search/pins", {"query": "lantern"}))) == [
        "Public lantern",
        "Secret lantern",
    ]


def test_nobody_else_finds_a_secret_pin_through_the_api(other_user, secret_board, make_pin):
    make_pin(secret_board, "Secret lantern")
    make_pin(BoardFactory(owner=other_user), "Their lantern")

    response = Api(token=token_for(other_user)).get("search/pins", {"query": "lantern"})

    assert titles(response) == ["Their lantern"]


def test_pin_search_pages_continue_without_repeats(api, board, make_pin):
    for n in range(5):
        make_pin(board, f"Lantern {n}")

    pages = every_page(api, "search/pins", "lantern", "title")

    assert pages == [["Lantern 4", "Lantern 3"], ["Lantern 2", "Lantern 1"], ["Lantern 0"]]


@pytest.mark.parametrize("query", ["-lantern", "&|!", '""'])
def test_a_query_without_words_to_find_answers_an_empty_page(api, board, make_pin, query):
    make_pin(board, "Lantern")

    assert body_of(api.get("search/pins", {"query": query})) == {"items": [], "bookmark": None}


@postgres_only
def test_a_query_of_stop_words_answers_an_empty_page(api, board, make_pin):
    make_pin(board, "The lantern")

    assert body_of(api.get("search/pins", {"query": "the of "})) == {"items": [], "bookmark": None}


@postgres_only
def test_pin_search_ranks_a_title_match_first(api, user, make_pin):
    make_pin(BoardFactory(owner=user, name="Lanterns"), "Hook")
    make_pin(BoardFactory(owner=user, name="Things"), "Paper lantern")

    assert titles(api.get("search/pins", {"query": "lantern"})) == ["Paper lantern", "Hook"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": "a" * 501}, "at most 500 characters"),
        ({"query": "lan\x00tern"}, "at most 500 characters"),
        ({"query": "   "}, "query is required"),
        ({}, "query is required"),
    ],
    ids=["overlong", "nul", "blank", "missing"],
)
def test_bad_pin_queries_are_400_with_a_message(api, params, message):
    body = assert_error(api.get("search/pins", params), 400, Code.INVALID_PARAMETERS)

    assert message in body["message"]


@pytest.mark.parametrize(
    "params", [{"query": "a" * 501}, {"query": "lan\x00tern"}], ids=["overlong", "nul"]
)
def test_bad_board_queries_are_400_with_a_message(api, params):
    body = assert_error(api.get("search/boards", params), 400, Code.INVALID_PARAMETERS)

    assert "at most 500 characters" in body["message"]


def test_a_bookmark_of_another_query_is_400(api, board, make_pin):
    for n in range(3):
        make_pin(board, f"Lantern {n}")
    first = body_of(api.get("search/pins", {"query": "lantern", "page_size": "1"}))

    response = api.get("search/pins", {"query": "lanterns", "bookmark": first["bookmark"]})

    body = assert_error(response, 400, Code.INVALID_PARAMETERS)
    assert "bookmark" in body["message"]


def test_board_search_finds_the_token_users_boards(api, user, other_user):
    BoardFactory(owner=user, name="Harbours")
    BoardFactory(owner=other_user, name="Harbours too")

    assert names(api.get("search/boards", {"query": "harbours"})) == ["Harbours"]


def test_board_search_without_a_query_lists_all_the_users_boards(api, user):
    BoardFactory(owner=user, name="Harbours")
    BoardFactory(owner=user, name="Kitchen")

    assert names(api.get("search/boards")) == ["Kitchen", "Harbours"]


def test_a_token_without_boards_read_secret_finds_no_secret_board(user):
    BoardFactory(owner=user, name="Party games")
    BoardFactory(owner=user, name="Surprise party", privacy=Board.Privacy.SECRET)
    limited = Api(token=token_for(user, without("boards:read_secret", "boards:write_secret")))

    assert names(limited.get("search/boards", {"query": "party"})) == ["Party games"]


def test_board_search_pages_continue_without_repeats(api, user):
    for n in range(3):
        BoardFactory(owner=user, name=f"Harbour {n}")

    pages = every_page(api, "search/boards", "harbour", "name")

    assert pages == [["Harbour 2", "Harbour 1"], ["Harbour 0"]]


@postgres_only
def test_board_search_ranks_a_name_match_first(api, user):
    BoardFactory(owner=user, name="Lighthouses")
    BoardFactory(owner=user, name="Coast", description="lighthouses")

    assert names(api.get("search/boards", {"query": "lighthouse"})) == ["Lighthouses", "Coast"]


def _queries(api: Api, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, params)
    assert response.status_code == 200
    return len(queries)


def test_a_pin_search_page_costs_the_same_queries_at_any_size(
    api, user, make_pin, django_assert_max_num_queries
):
    for n in range(12):
        make_pin(BoardFactory(owner=user, name=f"Board {n}"), f"Lantern {n}")
    api.get("search/pins", {"query": "lantern"})  # a token's first use records last_used_at
    small = _queries(api, "search/pins", {"query": "lantern", "page_size": "2"})

    with django_assert_max_num_queries(small):
        response = api.get("search/pins", {"query": "lantern", "page_size": "12"})

    assert len(body_of(response)["items"]) == 12


def test_a_board_search_page_costs_the_same_queries_at_any_size(
    api, user, make_pin, django_assert_max_num_queries
):
    for n in range(12):
        make_pin(BoardFactory(owner=user, name=f"Harbour {n}"), f"Pin {n}")
    api.get("search/boards", {"query": "harbour"})
    small = _queries(api, "search/boards", {"query": "harbour", "page_size": "2"})

    with django_assert_max_num_queries(small):
        response = api.get("search/boards", {"query": "harbour", "page_size": "12"})

    assert len(body_of(response)["items"]) == 12
