"""Finding pins: what matches, in which order, and that nobody finds what they may not see."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError

from boards.services import board_update
from pins.models import Pin
from pins.selectors import pins_matching, pins_search, pins_visible_to
from pins.services import pin_update
from tests.factories import BoardFactory
from tests.search.conftest import postgres_only, sqlite_only

pytestmark = pytest.mark.django_db


def titles(pins) -> list[str]:
    return [pin.title for pin in pins]


def found(query: str, viewer=None) -> list[str]:
    return titles(pins_search(query=query, viewer=viewer or AnonymousUser()))


# Both databases.


@pytest.mark.parametrize(
    ("field", "value", "query"),
    [
        ("title", "Harbour at dawn", "harbour "),
        ("description", "Fishing boats at dawn", "boats "),
        ("alt_text", "Gulls over a pier", "gulls "),
        ("link", "https://www.lighthouses.example/keeper", "lighthouses "),
    ],
)
def test_a_pin_is_found_by_a_word_of_any_of_its_fields(board, make_pin, field, value, query):
    fields = {"title": "Found", field: value}
    make_pin(board, **fields)
    make_pin(board, "Unrelated")

    assert found(query) == [fields["title"]]


def test_a_pin_is_found_by_its_boards_name(make_pin, user):
    make_pin(BoardFactory(owner=user, name="Sailing gear"), "Rope")
    make_pin(BoardFactory(owner=user, name="Kitchen"), "Spoon")

    assert found("sailing ") == ["Rope"]


def test_every_word_must_match(board, make_pin):
    make_pin(board, "Red bicycle")
    make_pin(board, "Red kettle")

    assert found("red bicycle ") == ["Red bicycle"]


def test_a_phrase_matches_its_words_together_and_in_order(board, make_pin):
    make_pin(board, "Red bicycle by the wall")
    make_pin(board, "Bicycle, red paint peeling")

    assert found('"red bicycle"') == ["Red bicycle by the wall"]


def test_a_minus_leaves_out_pins_with_a_word_or_a_phrase(board, make_pin):
    make_pin(board, "Bicycle with rust")
    make_pin(board, "Bicycle with a flat tyre")
    make_pin(board, "Bicycle, shiny")

    assert found("bicycle -rust ") == ["Bicycle, shiny", "Bicycle with a flat tyre"]
    assert found('bicycle -"flat tyre" -rust') == ["Bicycle, shiny"]


def test_the_last_word_finds_words_it_begins_while_being_typed(board, make_pin):
    make_pin(board, "Bicycle repair stand")
    make_pin(board, "Bird feeder")

    assert found("bicy") == ["Bicycle repair stand"]
    assert found("repair bicy") == ["Bicycle repair stand"]


@pytest.mark.parametrize("query", ["-bicycle", '-"red bicycle"', "-", "&|!:*", '""'])
def test_a_query_of_exclusions_or_punctuation_finds_nothing(board, make_pin, query):
    make_pin(board, "Red bicycle")
    make_pin(board, "Kettle")

    assert found(query) == []


def test_secret_pins_are_found_only_by_their_owner(board, secret_board, make_pin, user, other_user):
    make_pin(board, "Public lantern")
    make_pin(secret_board, "Secret lantern")

    assert found("lantern ", other_user) == ["Public lantern"]
    assert found("lantern ") == ["Public lantern"]
    assert sorted(found("lantern ", user)) == ["Public lantern", "Secret lantern"]


def test_narrowing_the_candidates_never_widens_visibility(secret_board, make_pin, user, other_user):
    make_pin(secret_board, "Secret lantern")

    everything = Pin.objects.all()

    assert titles(pins_search(query="lantern", viewer=other_user, among=everything)) == []
    assert titles(pins_search(query="lantern", viewer=user, among=everything)) == ["Secret lantern"]


def test_matching_works_on_a_query_joined_to_boards_and_inside_a_subquery(make_pin, user):
    garden = BoardFactory(owner=user, name="Garden lanterns")
    make_pin(garden, "Lantern by the path")
    make_pin(BoardFactory(owner=user, name="Hall"), "Lantern on a hook")

    joined = pins_matching(
        pins_visible_to(user).filter(board__name__startswith="Garden"), "lantern"
    )
    nested = Pin.objects.filter(pk__in=pins_matching(Pin.objects.all(), "garden ").values("pk"))

    assert titles(joined) == ["Lantern by the path"]
    assert titles(nested) == ["Lantern by the path"]


@sqlite_only
def test_on_sqlite_matches_come_newest_first(board, make_pin):
    make_pin(board, "Kettle", description="A lantern beside it")
    make_pin(board, "Lantern")

    assert found("lantern ") == ["Lantern", "Kettle"]


@sqlite_only
def test_search_reindex_has_nothing_to_do_on_sqlite(capsys):
    call_command("search_reindex")

    assert "Nothing to do" in capsys.readouterr().out


# PostgreSQL: stemming, ranking and the stored vectors.


@postgres_only
def test_a_title_match_ranks_above_a_description_match_above_a_board_name_match(make_pin, user):
    lanterns = BoardFactory(owner=user, name="Lanterns")
    other = BoardFactory(owner=user, name="Things")
    make_pin(lanterns, "Brass hook")  # board name only: newest, yet last
    make_pin(other, "Brass hook", description="Hangs a lantern")
    make_pin(other, "Paper lantern")
    make_pin(other, "Tin can", alt_text="A lantern made of a tin can")

    results = list(pins_search(query="lantern ", viewer=user))

    assert [(pin.title, pin.board.name) for pin in results] == [
        ("Paper lantern", "Things"),
        ("Brass hook", "Things"),
        ("Tin can", "Things"),
        ("Brass hook", "Lanterns"),
    ]


@postgres_only
def test_a_link_domain_ranks_below_every_other_field(board, make_pin):
    make_pin(board, "Keeper", link="https://lighthouse.example/")
    make_pin(board, "Tower", alt_text="A lighthouse at night")

    assert found("lighthouse ") == ["Tower", "Keeper"]


@postgres_only
def test_equal_ranks_come_newest_first(board, make_pin):
    first = make_pin(board, "Lantern")
    second = make_pin(board, "Lantern")

    results = list(pins_search(query="lantern ", viewer=AnonymousUser()))

    assert [pin.pk for pin in results] == [second.pk, first.pk]


@postgres_only
@pytest.mark.parametrize(
    ("title", "query"),
    [("A sleeping cat", "cats "), ("Cats on a wall", "cat "), ("Run club", "running ")],
)
def test_words_are_stemmed(board, make_pin, title, query):
    make_pin(board, title)

    assert found(query) == [title]


@postgres_only
def test_a_fully_typed_word_still_finds_its_stem(board, make_pin):
    make_pin(board, "Bicycles")

    assert found("bicycle") == ["Bicycles"]


@postgres_only
def test_a_link_is_found_by_its_domain_and_its_domain_words(board, make_pin):
    make_pin(board, "Keeper", link="https://www.lighthouse-keepers.example.org/log?x=1")
    make_pin(board, "Path", link="https://other.example/lighthouse")

    assert found("example.org ") == ["Keeper"]
    assert found("lighthouse keepers ") == ["Keeper"]


@postgres_only
@pytest.mark.parametrize("query", ["the", "the and of ", '"to be or not"', "the -lantern"])
def test_a_query_of_stop_words_finds_nothing(board, make_pin, query):
    make_pin(board, "The lantern and the moth")
    make_pin(board, "Kettle")

    assert found(query) == []


@postgres_only
def test_a_stop_word_being_typed_does_not_hide_the_other_words_matches(board, make_pin):
    make_pin(board, "Lantern and a moth")

    assert found("lantern an") == ["Lantern and a moth"]


@postgres_only
def test_only_the_newest_matches_up_to_the_window_are_ranked(board, make_pin, settings):
    make_pin(board, "Lantern")  # the best match, but the oldest
    for _ in range(3):
        make_pin(board, "Kettle", description="lantern")
    settings.SEARCH_RANK_WINDOW = 3

    assert found("lantern ") == ["Kettle", "Kettle", "Kettle"]


@postgres_only
def test_editing_a_pin_updates_what_finds_it(board, make_pin, user):
    pin = make_pin(board, "Lantern")

    pin_update(pin=pin, user=user, title="Kettle", description="Copper, dented")

    assert found("lantern ") == []
    assert found("dented ") == ["Kettle"]


@postgres_only
def test_moving_a_pin_to_another_board_updates_its_board_words(make_pin, user):
    pin = make_pin(BoardFactory(owner=user, name="Kitchen"), "Ladle")

    pin_update(pin=pin, user=user, board=BoardFactory(owner=user, name="Camping"))

    assert (found("kitchen "), found("camping ")) == ([], ["Ladle"])


@postgres_only
def test_renaming_a_board_updates_its_pins(make_pin, user):
    board = BoardFactory(owner=user, name="Kitchen")
    make_pin(board, "Ladle")
    make_pin(board, "Whisk")

    board_update(board=board, user=user, name="Camping")

    assert (found("kitchen "), sorted(found("camping "))) == ([], ["Ladle", "Whisk"])


@postgres_only
def test_search_reindex_applies_a_new_search_config(board, make_pin, settings, capsys):
    make_pin(board, "A sleeping cat")
    settings.SEARCH_CONFIG = "simple"

    call_command("search_reindex")

    output = capsys.readouterr().out
    assert "pins_pin: 1 of 1 rows" in output
    assert "Reindexed 1 pins and 1 boards with 'simple'" in output
    assert found("cats ") == []  # no stemming now
    assert found("cat ") == ["A sleeping cat"]
    make_pin(board, "Two cats")  # the trigger uses the new configuration too
    assert found("cats ") == ["Two cats"]


@postgres_only
def test_search_reindex_refuses_a_configuration_the_database_lacks(settings):
    settings.SEARCH_CONFIG = "klingon"

    with pytest.raises(CommandError, match="SEARCH_CONFIG='klingon': no such text search"):
        call_command("search_reindex")
