"""More like this: which pins come under a pin, in what order, for whom, and how the graph behind
them stays current."""

import dataclasses
import io
import random
import re
import threading
import time

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image, ImageDraw

from accounts.models import User
from boards.models import Board
from catalog import response_cache
from media_pipeline.models import MediaRecord
from media_pipeline.services import media_create, media_process
from pins import related
from pins.models import Pin
from pins.selectors import (
    RELATED_MAX,
    pins_related,
    related_pin_ids,
    related_pin_ids_for_user,
)
from tests.factories import BoardFactory, PinFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
RED = (0.628, 0.225, 0.126)  # #ff0000 in OKLab
BLUE = (0.452, -0.032, -0.312)  # #0000ff


_images = iter(range(1, 10**6))


def image(owner: User | None = None) -> MediaRecord:
    """A media record straight in the database (the worker has not fetched it): enough for the
    graph, which only needs its id, and fast."""
    return MediaRecord.objects.create(
        owner=owner or UserFactory(), source_url=f"https://example.org/{next(_images)}.jpg"
    )


def board_of(*media: MediaRecord, privacy: str = Board.Privacy.PUBLIC, titles=()) -> list[Pin]:
    """A new user's board holding one pin of each image (saves of the first pin of each image,
    when there is one, as the Save button makes them)."""
    board = BoardFactory(privacy=privacy)
    pins = []
    for n, item in enumerate(media):
        parent = Pin.objects.filter(media=item).order_by("pk").first()
        pins.append(
            PinFactory(
                board=board,
                media=item,
                parent_pin=parent,
                title=titles[n] if n < len(titles) else "",
            )
        )
    return pins


def ranked_media(pin: Pin, viewer=ANONYMOUS, count: int = 30) -> list[int]:
    return [p.media_id for p in pins_related(pin=pin, viewer=viewer, count=count)]


def test_pins_saved_together_on_several_boards_come_before_unrelated_ones():
    query, bicycle, helmet = image(), image(), image()
    pin = board_of(query, bicycle, helmet, titles=["Harbour at dawn"])[0]
    board_of(query, bicycle)
    board_of(query, helmet)
    crane = image()
    board_of(crane, image(), titles=["Harbour crane"])
    board_of(image(), image())

    ranked = ranked_media(pin)

    assert set(ranked[:2]) == {bicycle.pk, helmet.pk}
    # Unrelated by the graph, but sharing a word of the title: after the walk's finds.
    assert ranked[2:] == [crane.pk]


def test_a_pin_on_three_shared_boards_outranks_one_on_a_single_board():
    query, often, once = image(), image(), image()
    pin = board_of(query, often)[0]
    board_of(query, often)
    board_of(query, often)
    board_of(query, once)

    assert ranked_media(pin) == [often.pk, once.pk]


def test_each_image_comes_once_as_its_original_and_never_the_pins_own_image():
    query, other = image(), image()
    pin, original = board_of(query, other)
    board_of(other, query)  # saves of both elsewhere

    related_pins = pins_related(pin=pin, viewer=ANONYMOUS)

    assert [p.pk for p in related_pins] == [original.pk]


def test_recent_saves_of_the_viewer_change_the_ranking():
    query, co_pinned, liked = image(), image(), image()
    favourite = image()
    pin = board_of(query, co_pinned, liked)[0]
    board_of(query, co_pinned)  # anonymous: co_pinned shares two boards, liked one
    saved_from = board_of(favourite, liked)[0]
    board_of(favourite, liked)
    board_of(favourite, liked)
    viewer = UserFactory()
    PinFactory(
        board=BoardFactory(owner=viewer), media=favourite, parent_pin=saved_from, owner=viewer
    )

    assert ranked_media(pin)[:2] == [co_pinned.pk, liked.pk]
    assert ranked_media(pin, viewer)[:2] == [liked.pk, co_pinned.pk]
    assert favourite.pk not in ranked_media(pin, viewer)


def picture(seed: int, size: tuple[int, int] = (320, 240), quality: int = 90) -> bytes:
    """Shapes on a red ground, placed by `seed`: the same seed is the same picture."""
    shapes = random.Random(seed)
    canvas = Image.new("RGB", (320, 240), (230, 20, 20))
    draw = ImageDraw.Draw(canvas)
    for _ in range(8):
        x, y = shapes.randrange(0, 280), shapes.randrange(0, 200)
        w, h = shapes.randrange(20, 140), shapes.randrange(20, 120)
        shade = shapes.randrange(0, 256)
        draw.rectangle((x, y, x + w, y + h), fill=(shade, shade // 4, shade // 4))
    output = io.BytesIO()
    canvas.resize(size).save(output, "JPEG", quality=quality)
    return output.getvalue()


def processed(data: bytes, color: tuple[float, float, float]) -> MediaRecord:
    """A media record from real image bytes through the pipeline (so a real perceptual hash),
    with its dominant colour set as the pipeline would."""
    media = media_create(
        owner=UserFactory(), upload=SimpleUploadedFile("p.jpg", data, "image/jpeg")
    )
    media_process(media_id=media.pk)
    MediaRecord.objects.filter(pk=media.pk).update(
        color_l=color[0], color_a=color[1], color_b=color[2]
    )
    return media


def test_a_pin_without_neighbours_gets_the_visually_nearest_pins():
    original = processed(picture(1), RED)
    retouched = processed(picture(1, size=(300, 225), quality=60), RED)
    same_colour = processed(picture(2), RED)
    other_colour = processed(picture(3), BLUE)
    pin = board_of(original)[0]
    for media in (other_colour, same_colour, retouched):
        board_of(media)

    ranked = ranked_media(pin)

    assert ranked[:2] == [retouched.pk, same_colour.pk]
    assert other_colour.pk not in ranked


def test_a_pin_without_neighbours_or_lookalikes_gets_pins_sharing_title_words_then_its_board():
    # A secret board is not in the graph: its owner's pins there have no neighbours to walk to.
    pin, board_mate = board_of(
        image(), image(), privacy=Board.Privacy.SECRET, titles=["Blue ceramic teapot", "Cups"]
    )
    teapot, ceramic, unrelated = image(), image(), image()
    board_of(ceramic, titles=["Ceramic bowl"])
    board_of(teapot, titles=["Ceramic teapot, glazed"])
    board_of(unrelated, titles=["Garden shed"])

    assert ranked_media(pin, pin.owner) == [teapot.pk, ceramic.pk, board_mate.media_id]


def test_a_secret_pin_never_appears_in_another_users_related_list():
    owner = UserFactory()
    query, shared = image(), image()
    pin = board_of(query, shared, titles=["Lighthouse at dawn"])[0]
    secret_board = BoardFactory(owner=owner, privacy=Board.Privacy.SECRET)
    # The secret board holds the same images and one of its own with a matching title.
    secret = [
        PinFactory(board=secret_board, media=query, title="Lighthouse"),
        PinFactory(board=secret_board, media=shared, title="Lighthouse"),
        PinFactory(board=secret_board, media=image(owner), title="Lighthouse at night"),
    ]

    for viewer in (ANONYMOUS, UserFactory()):
        shown = {p.pk for p in pins_related(pin=pin, viewer=viewer)}
        assert shown and not shown & {p.pk for p in secret}
    assert secret[2].pk in {p.pk for p in pins_related(pin=pin, viewer=owner)}


def test_an_image_is_shown_as_its_oldest_public_pin_even_to_the_owner_of_an_older_secret_one():
    owner = UserFactory()
    query, shared = image(), image(owner)
    PinFactory(board=BoardFactory(owner=owner, privacy=Board.Privacy.SECRET), media=shared)
    pin, public_copy = board_of(query, shared)
    board_of(query, shared)

    for viewer in (ANONYMOUS, owner):
        assert [p.pk for p in pins_related(pin=pin, viewer=viewer)] == [public_copy.pk]


def related_section(html: str) -> list[int]:
    section = html.split('id="related-heading"', 1)[1] if "related-heading" in html else ""
    return [int(pk) for pk in re.findall(r'href="/pin/(\d+)/"', section)]


def test_the_pin_page_shows_more_like_this_without_secret_pins(client):
    owner = UserFactory()
    query, shared = image(), image()
    pin, companion = board_of(query, shared, titles=["Lighthouse at dawn"])
    board_of(query, shared)
    secret = PinFactory(
        board=BoardFactory(owner=owner, privacy=Board.Privacy.SECRET), title="Lighthouse at night"
    )
    client.force_login(UserFactory())

    response = client.get(f"/pin/{pin.pk}/")

    assert response.status_code == 200
    assert "More like this" in response.content.decode()
    shown = related_section(response.content.decode())
    assert shown[0] == companion.pk
    assert secret.pk not in shown
    client.force_login(owner)
    assert secret.pk in related_section(client.get(f"/pin/{pin.pk}/").content.decode())


def test_a_related_list_is_the_same_on_every_call_and_page():
    query = image()
    pin = board_of(query, *(image() for _ in range(6)))[0]
    for _ in range(4):
        board_of(query, *(image() for _ in range(5)))

    whole = related_pin_ids(pin=pin, viewer=ANONYMOUS)
    first = [p.pk for p in pins_related(pin=pin, viewer=ANONYMOUS, count=10)]

    assert len(whole) == 26 == len(set(whole))
    assert related_pin_ids(pin=pin, viewer=ANONYMOUS) == whole
    assert first == whole[:10]


def test_related_lists_cost_the_same_number_of_queries_whatever_their_length(
    django_assert_max_num_queries,
):
    viewer = UserFactory()
    small = board_of(image(), image(), titles=["Lamp"])[0]
    large = board_of(image(), *(image() for _ in range(29)), titles=["Lamp shade"])[0]
    for n in range(20):
        board_of(large.media, image(), titles=[f"Brass lamp {n}"])
    PinFactory(board=BoardFactory(owner=viewer), owner=viewer, media=image(), parent_pin=small)

    # Recent saves, the graph, one pin per image, title words, the board, the cards and their
    # renditions.
    for pin in (small, large):
        with django_assert_max_num_queries(7):
            shown = pins_related(pin=pin, viewer=viewer)
    assert len(shown) == 30


def test_pins_related_to_a_users_recent_saves_for_other_features():
    viewer = UserFactory()
    favourite, companion, stranger = image(), image(), image()
    source = board_of(favourite, companion)[0]
    board_of(favourite, companion)
    board_of(stranger, image())
    saved = PinFactory(
        board=BoardFactory(owner=viewer), owner=viewer, media=favourite, parent_pin=source
    )

    ids = related_pin_ids_for_user(viewer, 10)

    assert Pin.objects.get(pk=ids[0]).media_id == companion.pk
    assert saved.pk not in ids and source.pk not in ids
    assert related_pin_ids_for_user(UserFactory(), 10) == []
    assert related_pin_ids_for_user(ANONYMOUS, 10) == []


def test_a_refresh_adds_the_pins_created_since_the_snapshot():
    query, companion = image(), image()
    board_of(query, companion)
    snapshot = related.snapshot_build()
    newcomer = image()
    new_pin = board_of(query, newcomer)[1]

    refreshed = related.snapshot_refresh(snapshot)

    assert newcomer.pk in refreshed.graph.media_ids
    assert newcomer.pk not in snapshot.graph.media_ids
    assert refreshed.high_water == new_pin.pk
    assert refreshed.version != snapshot.version
    assert related.snapshot_refresh(refreshed).version == refreshed.version


def test_a_full_rebuild_drops_deleted_pins_and_boards_turned_secret():
    query, deleted, hidden = image(), image(), image()
    board_of(query, deleted)[1]
    gone = board_of(query, deleted)[1]
    Pin.objects.filter(media=deleted).exclude(pk=gone.pk).delete()
    hidden_board = board_of(query, hidden)[0].board
    before = related.snapshot_build()

    gone.delete()
    Board.objects.filter(pk=hidden_board.pk).update(privacy=Board.Privacy.SECRET)
    after = related.snapshot_build()

    assert {deleted.pk, hidden.pk} <= set(before.graph.media_ids.tolist())
    assert not {deleted.pk, hidden.pk} & set(after.graph.media_ids.tolist())


def test_a_stale_graph_never_shows_a_deleted_pin_or_one_turned_secret(settings, monkeypatch):
    settings.RELATED_GRAPH_REFRESH_SECONDS = 3600
    query, deleted, hidden, kept = image(), image(), image(), image()
    pin = board_of(query, kept)[0]
    gone = board_of(query, deleted)[1]
    hidden_board = board_of(query, hidden)[0].board
    monkeypatch.setattr(related, "_snapshot", related.snapshot_build())

    gone.delete()
    Board.objects.filter(pk=hidden_board.pk).update(privacy=Board.Privacy.SECRET)

    assert ranked_media(pin) == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_a_due_refresh_runs_in_the_background_and_requests_keep_the_old_graph(
    settings, monkeypatch
):
    settings.RELATED_GRAPH_REFRESH_SECONDS = 30
    query = image()
    board_of(query, image())
    stale = related.snapshot_build()
    monkeypatch.setattr(
        related, "_snapshot", dataclasses.replace(stale, refreshed_at=time.monotonic() - 60)
    )
    newcomer = image()
    board_of(query, newcomer)

    served = related.current_snapshot()
    for thread in threading.enumerate():
        if thread.name == "related-graph-refresh":
            thread.join(timeout=10)

    assert newcomer.pk not in served.graph.media_ids
    assert newcomer.pk in related.current_snapshot().graph.media_ids


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_changes_the_graph_ends_kept_responses(settings, monkeypatch):
    settings.RELATED_GRAPH_REFRESH_SECONDS = 30
    query = image()
    board_of(query, image())

    def refreshed_generations() -> tuple[str, str]:
        before = response_cache.current_generation()
        current = related.current_snapshot()
        monkeypatch.setattr(
            related, "_snapshot", dataclasses.replace(current, refreshed_at=time.monotonic() - 60)
        )
        related.current_snapshot()
        for thread in threading.enumerate():
            if thread.name == "related-graph-refresh":
                thread.join(timeout=10)
        return before, response_cache.current_generation()

    monkeypatch.setattr(related, "_snapshot", related.snapshot_build())
    before, after = refreshed_generations()
    assert before is not None and before == after  # nothing new: pages stay kept

    board_of(query, image())  # its writes start a generation; the graph has not seen it yet
    before, after = refreshed_generations()
    assert after != before


def test_the_related_list_is_bounded():
    query = image()
    for _ in range(25):
        board_of(query, *(image() for _ in range(9)))
    pin = Pin.objects.filter(media=query).order_by("pk").first()

    assert len(related_pin_ids(pin=pin, viewer=ANONYMOUS)) == RELATED_MAX


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the binary COPY is PostgreSQL's")
def test_the_postgresql_copy_reads_the_same_edges_as_the_portable_load():
    known, unknown = image(), image()
    MediaRecord.objects.filter(pk=known.pk).update(
        phash=-(2**63), color_l=0.5, color_a=-0.1, color_b=0.25
    )
    board_of(known, unknown)
    board_of(image(), privacy=Board.Privacy.SECRET)

    fast, portable = related._load_postgresql(0), related._load_portable(0)

    order_fast, order_portable = np.argsort(fast.pin_ids), np.argsort(portable.pin_ids)
    for field in ("pin_ids", "media_ids", "board_ids"):
        assert (
            getattr(fast, field)[order_fast].tolist()
            == getattr(portable, field)[order_portable].tolist()
        )
    for field in ("ids", "phash", "phash_known", "color"):
        np.testing.assert_array_equal(
            getattr(fast.features, field)[order_fast],
            getattr(portable.features, field)[order_portable],
        )
    assert fast.pin_ids.size == 2
    assert fast.features.phash[fast.media_ids == known.pk][0] == np.uint64(2**63)


@pytest.mark.django_db(transaction=True)
def test_a_new_web_process_builds_the_graph_before_anyone_asks(settings, monkeypatch):
    settings.RELATED_GRAPH_REFRESH_SECONDS = 30
    query, neighbour = image(), image()
    board_of(query, neighbour)
    monkeypatch.setattr(related, "_snapshot", None)

    related.snapshot_warm_in_background().join(timeout=10)

    assert related._snapshot is not None
    assert {query.pk, neighbour.pk} <= set(related._snapshot.graph.media_ids.tolist())


def test_anonymous_lists_are_kept_until_the_graph_changes_and_still_pass_the_visibility_rule(
    settings, monkeypatch, django_assert_num_queries
):
    query, bicycle, helmet = image(), image(), image()
    pin = board_of(query, bicycle, helmet)[0]
    board_of(query, bicycle)
    saved = board_of(query, helmet)
    settings.RELATED_GRAPH_REFRESH_SECONDS = 3600
    monkeypatch.setattr(related, "_snapshot", related.snapshot_build())

    first = related_pin_ids(pin=pin, viewer=ANONYMOUS)
    with django_assert_num_queries(0):
        assert related_pin_ids(pin=pin, viewer=ANONYMOUS) == first
    assert helmet.pk in ranked_media(pin)

    # A board turned secret since: its pins are still on the kept list, but never shown.
    Board.objects.filter(pk=saved[0].board_id).update(privacy=Board.Privacy.SECRET)
    Pin.objects.filter(board=pin.board, media=helmet).delete()
    assert related_pin_ids(pin=pin, viewer=ANONYMOUS) == first
    assert helmet.pk not in ranked_media(pin)

    # A rebuilt graph is another version: the list is walked again.
    monkeypatch.setattr(related, "_snapshot", related.snapshot_build())
    assert related_pin_ids(pin=pin, viewer=ANONYMOUS) != first
