"""Colour search: OKLab stored with every dominant colour, the selector, the web search palette
and the board page's `?color=`. Images are solid colours made by Pillow and processed by the real
pipeline, so each pin's dominant colour is the one it was painted."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.versioned_cache import clear_versioned_caches
from media_pipeline.colors import hex_to_oklab
from media_pipeline.models import MediaRecord
from media_pipeline.services import media_create, media_reprocess
from pins.models import Pin
from pins.selectors import (
    COLOR_MATCH_DISTANCE,
    pins_by_color,
    pins_near_color,
    pins_visible_to,
)
from tests.factories import (
    BLUE,
    CRIMSON,
    PURE_RED,
    RED,
    BoardFactory,
    PinFactory,
    painted_pin,
)
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def titles(pins) -> list[str]:
    return [pin.title for pin in pins]


# --- Stored with every dominant colour ---------------------------------------------------------


def test_processing_stores_the_dominant_colour_in_oklab(user):
    media = MediaRecord.objects.get(pk=painted_pin(BoardFactory(owner=user), CRIMSON).media_id)
    expected = hex_to_oklab(media.dominant_color)
    assert (media.color_l, media.color_a, media.color_b) == pytest.approx(
        (expected.l, expected.a, expected.b)
    )
    assert expected.distance(hex_to_oklab("#dc143c")) < 0.02


def test_an_upload_knows_its_colour_before_the_worker_runs(user):
    media = media_create(owner=user, upload=jpeg_bytes(160, 120, color=BLUE))
    stored = MediaRecord.objects.get(pk=media.pk)
    assert stored.status == MediaRecord.Status.QUEUED
    assert stored.color_l is not None and stored.dominant_color
    assert hex_to_oklab(stored.dominant_color).distance(hex_to_oklab("#1976d2")) < 0.02


def test_reprocessing_writes_the_colour_again(user):
    pin = painted_pin(BoardFactory(owner=user), PURE_RED)
    MediaRecord.objects.filter(pk=pin.media_id).update(
        dominant_color="#000000", color_l=0.0, color_a=0.0, color_b=0.0
    )
    media = media_reprocess(media_id=pin.media_id)
    assert media.color_l == pytest.approx(hex_to_oklab(media.dominant_color).l)
    assert media.color_a > 0.2  # red again


def test_the_migration_backfills_oklab_from_the_stored_hex(user):
    blue = painted_pin(BoardFactory(owner=user), BLUE).media_id
    red = painted_pin(BoardFactory(owner=user), PURE_RED).media_id
    MediaRecord.objects.update(color_l=None, color_a=None, color_b=None)
    MediaRecord.objects.filter(pk=red).update(dominant_color="#nothex")
    migration = import_module("media_pipeline.migrations.0003_backfill_color_oklab")

    migration.backfill(apps, None)

    filled = MediaRecord.objects.get(pk=blue)
    assert filled.color_b == pytest.approx(hex_to_oklab(filled.dominant_color).b)
    assert MediaRecord.objects.get(pk=red).color_l is None  # not a colour: left out


# --- The selector ------------------------------------------------------------------------------


def test_near_colour_keeps_the_same_hue_family_only(user, rainbow):
    found = pins_near_color(pins_visible_to(user), RED)
    assert sorted(titles(found)) == ["crimson pin", "pure_red pin"]


def test_by_colour_puts_the_closest_first(user, rainbow):
    assert titles(pins_by_color(pins_visible_to(user), RED)) == ["crimson pin", "pure_red pin"]
    assert titles(pins_by_color(pins_visible_to(user), "#ff0000")) == [
        "pure_red pin",
        "crimson pin",
    ]


def test_a_wider_distance_reaches_the_next_family(user, rainbow):
    found = pins_near_color(pins_visible_to(user), RED, max_distance=0.2)
    assert "orange pin" in titles(found) and "blue pin" not in titles(found)
    assert COLOR_MATCH_DISTANCE < 0.17  # orange is a different family at the default


def test_pins_whose_colour_is_unknown_never_match(user, board):
    media = MediaRecord.objects.create(owner=user, source_url="https://example.org/a.jpg")
    PinFactory(board=board, media=media, title="not fetched")
    assert not pins_near_color(pins_visible_to(user), RED).exists()


# --- Web search --------------------------------------------------------------------------------


def test_colour_alone_lists_the_nearest_pins_first(client, rainbow):
    response = client.get("/search/", {"color": RED})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("crimson pin") < html.index("pure_red pin")
    assert "blue pin" not in html and "orange pin" not in html


def test_words_and_colour_filter_by_colour(client, rainbow, board):
    painted_pin(board, BLUE, title="crimson mistake")  # the word, not the colour
    response = client.get("/search/", {"q": "crimson", "color": RED})
    html = response.content.decode()
    assert "crimson pin" in html and "crimson mistake" not in html


def test_the_custom_chip_takes_the_colour_inputs_value(client, rainbow):
    html = client.get("/search/", {"color": "custom", "custom_color": "#2080e0"}).content.decode()
    assert "blue pin" in html and "crimson pin" not in html
    assert 'value="custom" checked' in html and 'value="#2080e0"' in html


def test_a_custom_colour_that_is_a_swatch_selects_the_swatch(client, rainbow):
    html = client.get("/search/", {"color": "custom", "custom_color": "#1976D2"}).content.decode()
    assert 'value="#1976d2" checked' in html and 'value="custom" checked' not in html


def test_the_chosen_swatch_stays_selected(client, rainbow):
    html = client.get("/search/", {"color": "D32F2F"}).content.decode()
    assert f'value="{RED}" checked' in html
    assert 'value="" checked' not in html


def test_a_bad_colour_is_a_form_error_not_a_server_error(client, rainbow):
    response = client.get("/search/", {"color": "#12345"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and "has 5 hex digits" in html
    assert 'value="" checked' in html  # back to any colour


def test_the_palette_is_a_labelled_radio_group_without_inline_styles(client):
    html = client.get("/search/").content.decode()
    assert html.count('type="radio" name="color"') == 14  # any, 12 swatches, custom
    assert '<span class="visually-hidden">Red</span>' in html
    assert 'type="color" name="custom_color"' in html and "style=" not in html


def test_colour_search_never_shows_another_users_secret_pins(client, other_user, rainbow):
    secret = BoardFactory(owner=other_user, privacy="SECRET")
    painted_pin(secret, CRIMSON, title="hidden crimson")
    html = client.get("/search/", {"color": RED}).content.decode()
    assert "crimson pin" in html and "hidden crimson" not in html


def test_colour_search_pages_by_position(client, board):
    for n in range(3):
        painted_pin(board, (200 + n * 20, 30, 40), title=f"red {n}")
    ranked = titles(pins_by_color(Pin.objects.all(), RED))
    html = client.get("/search/", {"color": RED, "offset": "2"}).content.decode()
    assert [title for title in ranked if f">{title}<" in html] == ranked[2:]


def test_a_colour_search_page_costs_the_same_queries_at_any_size(
    client, board, django_assert_max_num_queries, settings
):
    # What rendering costs: no whole page kept from one request to the next.
    settings.RESPONSE_CACHE_SECONDS = 0
    painted_pin(board, CRIMSON, title="first")
    client.get("/search/", {"color": RED})
    # Every card rendered afresh each time, so both pages load their renditions.
    clear_versioned_caches()
    with django_assert_max_num_queries(8) as few:
        client.get("/search/", {"color": RED})
    for n in range(6):
        painted_pin(board, (220, 20 + n, 60), title=f"more {n}")
    clear_versioned_caches()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/search/", {"color": RED})
    assert response.content.decode().count("more ") >= 6


# --- Web board page ----------------------------------------------------------------------------


def test_the_board_page_filters_by_colour_in_board_order(client, board, rainbow):
    response = client.get(board.get_absolute_url(), {"color": RED})
    html = response.content.decode()
    assert html.index("crimson pin") < html.index("pure_red pin")  # newest first, as always
    assert "blue pin" not in html


def test_the_board_page_says_why_it_ignores_a_bad_colour(client, board, rainbow):
    response = client.get(board.get_absolute_url(), {"color": "reddish"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Showing every pin" in html and "blue pin" in html


def test_an_upload_without_a_worker_still_filters_by_colour(user, board):
    """Uploads carry their colour from the request on, before their renditions exist."""
    upload = SimpleUploadedFile("red.jpg", jpeg_bytes(200, 150, color=CRIMSON), "image/jpeg")
    media = media_create(owner=user, upload=upload)
    PinFactory(board=board, media=media, title="fresh crimson")
    assert titles(pins_near_color(Pin.objects.all(), RED)) == ["fresh crimson"]
