"""A search that is the same for everyone is ranked once per while (catalog/search.py), and what
it shows is still current: new pins at once, hidden or deleted ones never."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Board
from boards.selectors import boards_search
from pins.selectors import pins_search
from tests.factories import BoardFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


def titles(query: str, viewer=ANONYMOUS) -> list[str]:
    return [pin.title for pin in pins_search(query=query, viewer=viewer)]


def test_a_repeated_anonymous_search_is_not_ranked_again(board, make_pin):
    make_pin(board, "Harbour at dawn")
    make_pin(board, "Harbour cranes")
    first = titles("harbour ")
    with CaptureQueriesContext(connection) as again:
        assert titles("harbour ") == first
    ranked_again = [
        q for q in again.captured_queries if "harbour" in q["sql"].lower() or "@@" in q["sql"]
    ]
    assert ranked_again == []
    assert sorted(first) == ["Harbour at dawn", "Harbour cranes"]


def test_a_new_pin_is_found_at_once(board, make_pin):
    make_pin(board, "Harbour at dawn")
    assert titles("harbour ") == ["Harbour at dawn"]
    make_pin(board, "Harbour at noon")
    assert sorted(titles("harbour ")) == ["Harbour at dawn", "Harbour at noon"]


def test_a_board_turned_secret_or_a_deleted_pin_is_not_shown_from_a_kept_page(user, make_pin):
    public = BoardFactory(owner=user)
    other = BoardFactory(owner=user)
    make_pin(public, "Harbour at dawn")
    gone = make_pin(other, "Harbour cranes")
    kept = make_pin(other, "Harbour lights")
    assert len(titles("harbour ")) == 3
    Board.objects.filter(pk=other.pk).update(privacy=Board.Privacy.SECRET)
    assert titles("harbour ") == ["Harbour at dawn"]
    Board.objects.filter(pk=other.pk).update(privacy=Board.Privacy.PUBLIC)
    gone.delete()
    assert sorted(titles("harbour ")) == ["Harbour at dawn", kept.title]
    assert [b.name for b in boards_search(query=other.name, viewer=ANONYMOUS)] == [other.name]
    Board.objects.filter(pk=other.pk).update(privacy=Board.Privacy.SECRET)
    assert boards_search(query=other.name, viewer=ANONYMOUS) == []


def test_signed_in_searches_are_their_own(user, make_pin):
    secret = BoardFactory(owner=user, privacy=Board.Privacy.SECRET)
    make_pin(secret, "Harbour plans")
    assert titles("harbour ") == []
    assert titles("harbour ", viewer=user) == ["Harbour plans"]


def test_the_cache_can_be_switched_off(settings, board, make_pin):
    settings.SEARCH_RESULTS_CACHE_SECONDS = 0
    make_pin(board, "Harbour at dawn")
    titles("harbour ")
    with CaptureQueriesContext(connection) as again:
        titles("harbour ")
    assert len(again.captured_queries) >= 2  # ranked, then loaded
