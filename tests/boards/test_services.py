import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from boards.models import Board
from boards.services import (
    BoardNameTaken,
    SectionNameTaken,
    board_create,
    board_update,
    section_create,
    section_update,
)

pytestmark = pytest.mark.django_db


def test_a_board_gets_a_slug_from_its_name(user):
    board = board_create(owner=user, name="  Weekend Trips ", description="Slow travel")
    assert (board.name, board.slug, board.privacy) == ("Weekend Trips", "weekend-trips", "PUBLIC")
    assert board.get_absolute_url() == f"/{user.username}/weekend-trips/"


def test_names_that_slugify_alike_get_distinct_slugs(user):
    first = board_create(owner=user, name="Trips!")
    second = board_create(owner=user, name="Trips?")
    assert (first.slug, second.slug) == ("trips", "trips-2")


def test_the_same_name_twice_is_refused_whatever_the_case(user):
    board_create(owner=user, name="Kitchen")
    with pytest.raises(BoardNameTaken) as caught:
        board_create(owner=user, name="kitchen")
    assert caught.value.message_dict == {"name": ["You already have a board named “kitchen”."]}
    assert Board.objects.filter(owner=user).count() == 1


def test_a_taken_name_is_a_validation_error_that_forms_show_beside_the_name(user):
    board_create(owner=user, name="Kitchen")
    with pytest.raises(ValidationError) as caught:
        board_create(owner=user, name="Kitchen")
    assert isinstance(caught.value, BoardNameTaken)
    assert caught.value.message_dict == {"name": ["You already have a board named “Kitchen”."]}


def test_bad_input_is_not_mistaken_for_a_taken_name(user):
    board_create(owner=user, name="Kitchen")
    with pytest.raises(ValidationError) as caught:
        board_create(owner=user, name="x" * 181)
    assert not isinstance(caught.value, BoardNameTaken)


def test_two_owners_may_use_the_same_name(user, other_user):
    mine = board_create(owner=user, name="Kitchen")
    theirs = board_create(owner=other_user, name="Kitchen")
    assert mine.slug == theirs.slug == "kitchen"


def test_names_without_latin_letters_still_get_a_usable_slug(user):
    assert board_create(owner=user, name="Кухня").slug == "кухня"
    assert board_create(owner=user, name="🌿🌿").slug == "board"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 181}, "name"),
        ({"name": "ok", "privacy": "PROTECTED"}, "privacy"),
        ({"name": "nul\x00byte"}, "name"),
    ],
)
def test_bad_board_fields_are_refused_and_nothing_is_saved(user, fields, field):
    with pytest.raises(ValidationError) as caught:
        board_create(owner=user, **fields)
    assert field in caught.value.message_dict
    assert Board.objects.count() == 0


def test_renaming_follows_the_same_slug_and_name_rules(user):
    trips = board_create(owner=user, name="Trips")
    kitchen = board_create(owner=user, name="Kitchen")
    assert board_update(board=kitchen, user=user, name="Trips?").slug == "trips-2"
    with pytest.raises(BoardNameTaken) as caught:
        board_update(board=kitchen, user=user, name="TRIPS")
    assert caught.value.message_dict == {"name": ["You already have a board named “TRIPS”."]}
    kitchen.refresh_from_db()
    assert (kitchen.name, kitchen.slug) == ("Trips?", "trips-2")
    assert board_update(board=trips, user=user, name="trips").slug == "trips"


def test_only_the_owner_renames_a_board(user, other_user):
    board = board_create(owner=user, name="Mine")
    with pytest.raises(PermissionDenied):
        board_update(board=board, user=other_user, name="Theirs")


def test_a_section_name_the_board_has_is_refused_whatever_the_case(user, board):
    pans = section_create(board=board, user=user, name="Pans")
    knives = section_create(board=board, user=user, name="Knives")
    with pytest.raises(SectionNameTaken) as caught:
        section_create(board=board, user=user, name="PANS")
    assert caught.value.message_dict == {"name": ["This board already has a section named “PANS”."]}
    with pytest.raises(SectionNameTaken):
        section_update(section=knives, user=user, name="pans")
    assert sorted(board.sections.values_list("name", flat=True)) == ["Knives", "Pans"]
    assert section_update(section=pans, user=user, name="pans").name == "pans"
