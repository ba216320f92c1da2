"""Pins are searched newest bucket of ids first: the window of matches to rank is the newest
matches, whether they all sit in the newest buckets or some only in older pins."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from catalog.search_index import SEARCH_BUCKET_IDS
from pins.models import Pin
from pins.selectors import pins_search
from tests.search.conftest import postgres_only

pytestmark = [pytest.mark.django_db, postgres_only]


def pin_with_id(make_pin, board, pk: int, title: str) -> Pin:
    """A pin numbered `pk`: the id sequence jumps there, as after years of pinning."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('pins_pin', 'id'), %s)", [pk - 1])
    pin = make_pin(board, title)
    assert pin.pk == pk
    return pin


@pytest.fixture
def spread(make_pin, board) -> dict[str, Pin]:
    """Lantern pins in the first bucket, a few buckets later, and in the newest bucket."""
    newest_bucket = 6
    return {
        "oldest": pin_with_id(make_pin, board, 10, "Lantern oldest"),
        "older": pin_with_id(make_pin, board, 3 * SEARCH_BUCKET_IDS + 5, "Lantern older"),
        "new": pin_with_id(make_pin, board, newest_bucket * SEARCH_BUCKET_IDS, "Lantern new"),
        "newest": pin_with_id(make_pin, board, newest_bucket * SEARCH_BUCKET_IDS + 9, "Lantern"),
    }


def ids(pins) -> list[int]:
    return [pin.pk for pin in pins]


def test_the_buckets_follow_the_ids(spread):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_bucket FROM pins_pin ORDER BY id")
        assert all(bucket == pk // SEARCH_BUCKET_IDS for pk, bucket in cursor.fetchall())


def test_matches_in_older_buckets_are_found_after_the_newest(spread):
    found = pins_search(query="lantern ", viewer=AnonymousUser())

    assert set(ids(found)) == {pin.pk for pin in spread.values()}
    assert found[0] == spread["newest"]  # the title is nothing but the word: the best match


def test_a_full_window_takes_the_newest_matches(settings, spread):
    settings.SEARCH_RANK_WINDOW = 2

    found = pins_search(query="lantern ", viewer=AnonymousUser())

    assert set(ids(found)) == {spread["newest"].pk, spread["new"].pk}


def test_a_window_filled_across_buckets_takes_the_newest_of_the_older_pins(settings, spread):
    settings.SEARCH_RANK_WINDOW = 3

    found = pins_search(query="lantern ", viewer=AnonymousUser())

    assert set(ids(found)) == {spread["newest"].pk, spread["new"].pk, spread["older"].pk}
