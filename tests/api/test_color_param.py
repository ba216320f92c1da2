"""`?color=` on search/pins and boards/{board_id}/pins: a filter with words or in board order, a
ranking by itself, a 400 when it is not a colour."""

import pytest

from accounts.services import ALL_SCOPES
from tests.api.matrix_fixtures import (  # noqa: F401 - fixtures
    Api,
    body_of,
    clear_throttle_counts,
    token_for,
)
from tests.factories import BLUE, CRIMSON, RED, BoardFactory, painted_pin

pytestmark = pytest.mark.django_db

BAD_COLOR = {"code": 1, "message": "color must be a hex colour like #cc3333."}


@pytest.fixture
def api(user) -> Api:
    return Api(token=token_for(user))


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["title"] for item in body_of(response)["items"]]


def test_colour_alone_ranks_the_users_pins_nearest_first(api, rainbow):
    assert titles(api.get("search/pins", {"color": RED})) == ["crimson pin", "pure_red pin"]
    assert titles(api.get("search/pins", {"color": "ff0000"})) == ["pure_red pin", "crimson pin"]


def test_colour_ranking_pages_with_a_bookmark(api, rainbow):
    first = api.get("search/pins", {"color": RED, "page_size": "1"})
    bookmark = body_of(first)["bookmark"]
    second = api.get("search/pins", {"color": RED, "page_size": "1", "bookmark": bookmark})
    assert titles(first) == ["crimson pin"] and titles(second) == ["pure_red pin"]
    assert body_of(second)["bookmark"] is None


def test_a_colour_bookmark_does_not_replay_against_another_colour(api, rainbow):
    bookmark = body_of(api.get("search/pins", {"color": RED, "page_size": "1"}))["bookmark"]
    response = api.get("search/pins", {"color": "#1976d2", "page_size": "1", "bookmark": bookmark})
    assert response.status_code == 400


def test_words_and_colour_filter_by_colour(api, rainbow, board):
    painted_pin(board, BLUE, title="crimson mistake")
    assert titles(api.get("search/pins", {"query": "crimson", "color": "#c33"})) == ["crimson pin"]


@pytest.mark.parametrize("color", ["red", "#12345", "#gg0000", "#", "ff00001", "%23ff0000"])
def test_a_bad_colour_is_a_400_that_says_so(api, rainbow, board, color):
    for path, params in [
        ("search/pins", {"color": color}),
        ("search/pins", {"query": "pin", "color": color}),
        (f"boards/{board.pk}/pins", {"color": color}),
    ]:
        response = api.get(path, params)
        assert (response.status_code, body_of(response)) == (400, BAD_COLOR)


def test_search_needs_words_or_a_colour(api):
    response = api.get("search/pins", {})
    assert response.status_code == 400
    assert "query" in body_of(response)["message"]


def test_colour_search_is_only_the_users_own_pins(api, rainbow, other_user):
    painted_pin(BoardFactory(owner=other_user), CRIMSON, title="theirs")
    assert "theirs" not in titles(api.get("search/pins", {"color": RED}))


def test_a_token_without_read_secret_finds_no_secret_pins_by_colour(user, rainbow):
    painted_pin(BoardFactory(owner=user, privacy="SECRET"), CRIMSON, title="secret crimson")
    public_only = [scope for scope in ALL_SCOPES if not scope.endswith("_secret")]
    limited = Api(token=token_for(user, public_only))
    everything = Api(token=token_for(user))
    assert "secret crimson" not in titles(limited.get("search/pins", {"color": RED}))
    assert "secret crimson" in titles(everything.get("search/pins", {"color": RED}))


def test_board_pins_filter_by_colour_in_board_order(api, rainbow, board):
    response = api.get(f"boards/{board.pk}/pins", {"color": RED})
    assert titles(response) == ["crimson pin", "pure_red pin"]  # newest first, as without


def test_board_pins_by_colour_page_with_a_bookmark(api, rainbow, board):
    first = api.get(f"boards/{board.pk}/pins", {"color": RED, "page_size": "1"})
    bookmark = body_of(first)["bookmark"]
    second = api.get(
        f"boards/{board.pk}/pins", {"color": RED, "page_size": "1", "bookmark": bookmark}
    )
    assert titles(first) == ["crimson pin"] and titles(second) == ["pure_red pin"]
    unfiltered = api.get(f"boards/{board.pk}/pins", {"page_size": "1", "bookmark": bookmark})
    assert unfiltered.status_code == 400  # bound to the colour it came from


def test_anonymous_board_pins_by_colour_hide_a_secret_board(rainbow, user):
    secret = BoardFactory(owner=user, privacy="SECRET")
    painted_pin(secret, CRIMSON, title="secret crimson")
    response = Api().get(f"boards/{secret.pk}/pins", {"color": RED})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["search/pins", "board_pins"])
def test_a_colour_page_costs_the_same_queries_at_any_size(
    api, board, django_assert_max_num_queries, path
):
    url = f"boards/{board.pk}/pins" if path == "board_pins" else path
    for n in range(8):
        painted_pin(board, (200 + n * 5, 20, 50), title=f"red {n}")
    api.get(url, {"color": RED})
    with django_assert_max_num_queries(10) as small:
        assert len(titles(api.get(url, {"color": RED, "page_size": "2"}))) == 2
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(titles(api.get(url, {"color": RED, "page_size": "8"}))) == 8


def test_the_schema_declares_the_colour_parameter_with_its_pattern(client):
    schema = client.get("/api/v5/openapi.json").json()
    for path in ["/search/pins", "/boards/{board_id}/pins"]:
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["color"]["schema"]["pattern"] == r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
        assert not parameters["color"].get("required", False)
    search = {p["name"]: p for p in schema["paths"]["/search/pins"]["get"]["parameters"]}
    assert not search["query"].get("required", False)
