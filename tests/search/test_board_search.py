"""Finding boards by their name and description."""

import pytest
from django.contrib.auth.models import AnonymousUser

from boards.models import Board
from boards.selectors import boards_matching, boards_search
from boards.services import board_update
from tests.factories import BoardFactory, UserFactory
from tests.search.conftest import postgres_only

pytestmark = pytest.mark.django_db


def found(query: str, viewer=None) -> list[str]:
    return [board.name for board in boards_search(query=query, viewer=viewer or AnonymousUser())]


def test_a_board_is_found_by_its_name_or_description():
    BoardFactory(name="Harbours")
    BoardFactory(name="Coast", description="Harbours and piers")
    BoardFactory(name="Kitchen")

    assert sorted(found("harbours ")) == ["Coast", "Harbours"]


def test_boards_come_with_their_pin_counts(make_pin, user):
    board = BoardFactory(owner=user, name="Lanterns")
    make_pin(board, "One")
    make_pin(board, "Two")

    [result] = boards_search(query="lanterns", viewer=user)

    assert result.pin_count == 2


def test_a_minus_leaves_boards_out():
    BoardFactory(name="Harbour walls")
    BoardFactory(name="Harbour boats")

    assert found("harbour -boats") == ["Harbour walls"]


def test_exclusions_alone_find_no_board():
    BoardFactory(name="Harbour walls")

    assert found("-boats") == []


def test_secret_boards_are_found_only_by_their_owner(user, other_user):
    BoardFactory(owner=user, name="Surprise party", privacy=Board.Privacy.SECRET)

    assert found("surprise ", other_user) == []
    assert found("surprise ") == []
    assert found("surprise ", user) == ["Surprise party"]


def test_narrowing_to_an_owner_keeps_the_visibility_rule(user, other_user):
    BoardFactory(owner=user, name="Surprise party", privacy=Board.Privacy.SECRET)
    BoardFactory(owner=other_user, name="Party games")

    mine = Board.objects.filter(owner=user)

    assert [b.name for b in boards_search(query="party", viewer=user, among=mine)] == [
        "Surprise party"
    ]
    assert [b.name for b in boards_search(query="party", viewer=other_user, among=mine)] == []


def test_matching_is_a_filter_on_any_board_query():
    owner = UserFactory()
    BoardFactory(owner=owner, name="Harbours")
    BoardFactory(name="Harbours too")

    assert [b.name for b in boards_matching(Board.objects.filter(owner=owner), "harbours")] == [
        "Harbours"
    ]


@postgres_only
def test_a_name_match_ranks_above_a_description_match():
    BoardFactory(name="Coast", description="Lighthouses and piers")
    BoardFactory(name="Lighthouses")
    BoardFactory(name="Tin", description="a lighthouse")

    assert found("lighthouse ") == ["Lighthouses", "Tin", "Coast"]


@postgres_only
def test_board_names_are_stemmed():
    BoardFactory(name="Running shoes")

    assert found("run shoe ") == ["Running shoes"]


@postgres_only
def test_editing_a_board_updates_what_finds_it(user):
    board = BoardFactory(owner=user, name="Kitchen", description="Pans")

    board_update(board=board, user=user, name="Camping", description="Tents")

    assert (found("kitchen "), found("pans "), found("camping tents ")) == ([], [], ["Camping"])
