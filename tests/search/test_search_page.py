"""The search page: pins and boards found, and infinite scroll through a ranked list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Board
from pins.selectors import GRID_PAGE_SIZE
from tests.factories import BoardFactory
from tests.search.conftest import postgres_only

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
CARD = re.compile(r'<article class="card"[^>]*><a href="/pin/(\d+)/"')
MORE = re.compile(r'<a class="button" href="([^"]+)" rel="next" data-more>')


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in CARD.findall(html)]


def more_link(html: str) -> str | None:
    match = MORE.search(html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_page_shows_matching_pins_and_boards(client, board, make_pin):
    make_pin(board, "Brass lantern")
    make_pin(board, "Kettle")
    BoardFactory(name="Lanterns of the world")

    html = client.get("/search/", {"q": "lantern"}).content.decode()

    assert "Brass lantern" in html and "Lanterns of the world" in html
    assert "Kettle" not in html


def test_secret_pins_and_boards_are_found_only_by_their_owner(
    client, user, other_user, secret_board, make_pin
):
    make_pin(secret_board, "Confetti cannon")
    BoardFactory(owner=user, name="Confetti plans", privacy=Board.Privacy.SECRET)

    anonymous = client.get("/search/", {"q": "confetti"}).content.decode()
    client.force_login(other_user)
    other = client.get("/search/", {"q": "confetti"}).content.decode()
    client.force_login(user)
    owner = client.get("/search/", {"q": "confetti"}).content.decode()

    for html in (anonymous, other):
        assert "Confetti cannon" not in html and "Confetti plans" not in html
        assert "No pins or boards match" in html
    assert "Confetti cannon" in owner and "Confetti plans" in owner


def test_infinite_scroll_pages_through_the_ranked_list_without_repeats(client, board, make_pin):
    pins = [make_pin(board, f"Lantern {n}") for n in range(GRID_PAGE_SIZE + 5)]

    first = client.get("/search/", {"q": "lantern"}).content.decode()
    next_url = more_link(first)
    second = client.get(f"/search/{next_url}", **FETCH).content.decode()

    assert next_url == f"?q=lantern&offset={GRID_PAGE_SIZE}"
    shown = card_ids(first) + card_ids(second)
    assert shown == [pin.pk for pin in reversed(pins)]
    assert more_link(second) is None
    assert "<h2" not in second  # only the next cards: no boards, no headings


def test_the_more_link_keeps_the_query_as_typed(client, board, make_pin):
    for n in range(GRID_PAGE_SIZE + 1):
        make_pin(board, f"Lantern {n}")

    html = client.get("/search/", {"q": "lantern "}).content.decode()

    # The trailing space too: the next page must match the same way as the first.
    assert more_link(html) == f"?q=lantern+&offset={GRID_PAGE_SIZE}"


@pytest.mark.parametrize("offset", ["abc", "-5", "", "1e3", "٣"])
def test_a_malformed_offset_starts_at_the_beginning(client, board, make_pin, offset):
    newest = make_pin(board, "Lantern")

    response = client.get("/search/", {"q": "lantern", "offset": offset})

    assert response.status_code == 200
    assert card_ids(response.content.decode()) == [newest.pk]


def test_the_home_grid_still_pages_by_keyset(client, board, make_pin):
    pins = [make_pin(board, f"Pin {n}") for n in range(GRID_PAGE_SIZE + 1)]

    html = client.get("/", {"all": "1"}).content.decode()

    assert f"before={pins[1].pk}" in more_link(html)


@pytest.mark.parametrize("query", ["x" * 5000, "lantern\x00", "\x00\x00", '"', "-", "&|!:*()"])
def test_odd_queries_are_answered_not_errors(client, board, make_pin, query):
    make_pin(board, "Lantern")

    assert client.get("/search/", {"q": query}).status_code == 200


def test_the_search_page_costs_the_same_queries_at_any_size(
    client, user, make_pin, django_assert_max_num_queries
):
    client.force_login(user)
    make_pin(BoardFactory(owner=user, name="Lanterns 0"), "Lantern 0")
    with CaptureQueriesContext(connection) as one:
        client.get("/search/", {"q": "lantern"})
    for n in range(1, 30):
        make_pin(BoardFactory(owner=user, name=f"Lanterns {n}"), f"Lantern {n}")

    with django_assert_max_num_queries(len(one)):
        html = client.get("/search/", {"q": "lantern"}).content.decode()

    assert len(card_ids(html)) == 30


@postgres_only
def test_the_page_ranks_a_title_match_above_a_board_name_match(client, user, make_pin):
    first = make_pin(BoardFactory(owner=user, name="Things"), "Lantern")
    second = make_pin(BoardFactory(owner=user, name="Lanterns"), "Hook")

    html = client.get("/search/", {"q": "lantern"}).content.decode()

    assert card_ids(html) == [first.pk, second.pk]


@postgres_only
def test_a_word_still_being_typed_matches_its_beginning_and_a_space_ends_it(
    client, board, make_pin
):
    pin = make_pin(board, "Bicycle")

    assert card_ids(client.get("/search/", {"q": "bicy"}).content.decode()) == [pin.pk]
    assert card_ids(client.get("/search/", {"q": "bicy "}).content.decode()) == []
