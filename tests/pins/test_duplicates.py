"""Near-duplicate hints: the perceptual hash is known from the upload request on, and the owner is
told "You already saved this to <board>" for a picture they already have, never about anyone
else's pins. Pictures are drawn by Pillow (shapes on a gradient), since a flat colour has no
structure for a perceptual hash to see."""

import io
import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFilter

from media_pipeline import imaging
from media_pipeline.models import MediaRecord
from media_pipeline.services import media_create, media_process
from pins.models import Pin
from pins.selectors import DUPLICATE_MAX_BITS, pin_duplicate_of
from tests.factories import BoardFactory, PinFactory

pytestmark = pytest.mark.django_db


def picture(seed: int, size: tuple[int, int] = (900, 600)) -> Image.Image:
    """A different picture for each seed: coloured ellipses over a gradient, softened."""
    rnd = random.Random(seed)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(width), rnd.randrange(height)
        box = [x, y, x + rnd.randrange(60, width // 2), y + rnd.randrange(60, height // 2)]
        draw.ellipse(box, fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image.filter(ImageFilter.GaussianBlur(2))


def encoded(image: Image.Image, *, size: tuple[int, int] | None = None, quality: int = 90) -> bytes:
    if size is not None:
        image = image.resize(size, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=quality)
    return output.getvalue()


ORIGINAL = encoded(picture(1))
# The same picture, smaller and more compressed: another file, the same image to a person.
RE_ENCODED = encoded(picture(1), size=(450, 300), quality=55)
UNRELATED = encoded(picture(2))


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


def pin_with(board, data: bytes, *, process: bool = True, title: str = "") -> Pin:
    media = media_create(owner=board.owner, upload=data)
    if process:
        media_process(media_id=media.pk)
    return PinFactory(board=board, media=MediaRecord.objects.get(pk=media.pk), title=title)


# --- The hash at upload time (pure) -----------------------------------------------------------


def test_a_re_encoded_copy_hashes_within_the_threshold_and_an_unrelated_picture_does_not():
    original = imaging.upload_facts(ORIGINAL).phash
    assert imaging.hamming_distance(original, imaging.upload_facts(RE_ENCODED).phash) <= 2
    assert imaging.hamming_distance(original, imaging.upload_facts(UNRELATED).phash) > 16


def test_the_upload_hash_agrees_with_the_workers():
    upload_time = imaging.upload_facts(ORIGINAL).phash
    assert imaging.hamming_distance(upload_time, imaging.process_image(ORIGINAL).phash) <= 2


def test_a_large_jpeg_is_hashed_from_a_small_decode():
    big = encoded(picture(3, (4000, 3000)))
    facts = imaging.upload_facts(big)
    small = imaging.upload_facts(encoded(picture(3, (4000, 3000)), size=(400, 300)))
    assert imaging.hamming_distance(facts.phash, small.phash) <= DUPLICATE_MAX_BITS


def test_an_upload_is_hashed_before_the_worker_runs(user):
    media = media_create(owner=user, upload=ORIGINAL)
    stored = MediaRecord.objects.get(pk=media.pk)
    assert stored.phash is not None
    assert imaging.hamming_distance(stored.phash, imaging.upload_facts(ORIGINAL).phash) == 0


def test_the_same_bytes_from_the_same_owner_share_one_media_record(user):
    first = media_create(owner=user, upload=ORIGINAL)
    again = media_create(owner=user, upload=upload(ORIGINAL, "copy.jpg"))
    assert again.pk == first.pk
    assert MediaRecord.objects.filter(owner=user).count() == 1


# --- The selector -----------------------------------------------------------------------------


def test_a_re_encoded_copy_is_a_duplicate_of_the_owners_earlier_pin(user):
    earlier = pin_with(BoardFactory(owner=user, name="Kitchen"), ORIGINAL)
    new = pin_with(BoardFactory(owner=user), RE_ENCODED, process=False)
    assert pin_duplicate_of(new, user) == earlier


def test_an_unrelated_picture_is_no_duplicate(user):
    pin_with(BoardFactory(owner=user), ORIGINAL)
    new = pin_with(BoardFactory(owner=user), UNRELATED, process=False)
    assert pin_duplicate_of(new, user) is None


def test_a_pin_is_not_its_own_duplicate(user):
    only = pin_with(BoardFactory(owner=user), ORIGINAL)
    assert pin_duplicate_of(only, user) is None


def test_the_same_picture_recoloured_is_no_duplicate(user):
    """The hash sees light and dark only; the dominant colour tells a recolouring apart."""
    pin_with(BoardFactory(owner=user), ORIGINAL)
    tinted = Image.merge("RGB", picture(1).split()[::-1])  # red and blue swapped
    new = pin_with(BoardFactory(owner=user), encoded(tinted), process=False)
    hashes = imaging.upload_facts(ORIGINAL).phash, imaging.upload_facts(encoded(tinted)).phash
    assert imaging.hamming_distance(*hashes) <= DUPLICATE_MAX_BITS  # same shapes...
    assert pin_duplicate_of(new, user) is None  # ...another picture to a person


def test_another_users_pins_are_never_hinted(user, other_user):
    pin_with(BoardFactory(owner=other_user), ORIGINAL)
    pin_with(BoardFactory(owner=other_user, privacy="SECRET"), ORIGINAL)
    new = pin_with(BoardFactory(owner=user), RE_ENCODED, process=False)
    assert pin_duplicate_of(new, user) is None


def test_the_owners_secret_pin_is_hinted_only_to_a_viewer_who_may_see_it(user):
    secret = pin_with(BoardFactory(owner=user, privacy="SECRET"), ORIGINAL)
    new = pin_with(BoardFactory(owner=user), RE_ENCODED, process=False)
    assert pin_duplicate_of(new, user) == secret
    assert pin_duplicate_of(new, AnonymousUser()) is None


def test_the_nearest_picture_wins(user):
    pin_with(BoardFactory(owner=user, name="Near"), RE_ENCODED)
    exact = pin_with(BoardFactory(owner=user, name="Exact"), ORIGINAL)
    new = pin_with(BoardFactory(owner=user), ORIGINAL, process=False)  # shares exact's media
    assert pin_duplicate_of(new, user) == exact


def test_the_lookup_costs_the_same_queries_however_many_pins(user, django_assert_max_num_queries):
    board = BoardFactory(owner=user)
    pin_with(board, ORIGINAL)
    new = pin_with(BoardFactory(owner=user), RE_ENCODED, process=False)
    with django_assert_max_num_queries(2) as few:
        assert pin_duplicate_of(new, user) is not None
    for seed in range(10, 16):
        pin_with(board, encoded(picture(seed), size=(200, 130)), process=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert pin_duplicate_of(new, user) is not None


# --- The web: the builder's message and the detail page ----------------------------------------


def test_the_builder_says_you_already_saved_it_with_a_link_to_that_pin(client, user):
    earlier = pin_with(BoardFactory(owner=user, name="Kitchen ideas"), ORIGINAL)
    board = BoardFactory(owner=user)
    client.force_login(user)
    response = client.post(
        "/pin-builder/", {"image": upload(RE_ENCODED), "board": board.pk}, follow=True
    )
    html = response.content.decode()
    assert "You already saved this to Kitchen ideas." in html
    assert f'<a href="{earlier.get_absolute_url()}">See the earlier pin</a>' in html


def test_the_builder_says_nothing_for_an_unrelated_picture(client, user):
    pin_with(BoardFactory(owner=user), ORIGINAL)
    board = BoardFactory(owner=user)
    client.force_login(user)
    response = client.post(
        "/pin-builder/", {"image": upload(UNRELATED), "board": board.pk}, follow=True
    )
    assert response.status_code == 200 and "You already saved this" not in response.content.decode()


def test_the_builder_escapes_the_board_name_in_its_message(client, user):
    pin_with(BoardFactory(owner=user, name="<b>Loud</b>"), ORIGINAL)
    client.force_login(user)
    response = client.post(
        "/pin-builder/",
        {"image": upload(RE_ENCODED), "board": BoardFactory(owner=user).pk},
        follow=True,
    )
    assert "You already saved this to &lt;b&gt;Loud&lt;/b&gt;." in response.content.decode()


def test_the_builder_from_a_script_leaves_the_message_for_the_next_page(client, user):
    pin_with(BoardFactory(owner=user, name="Desk"), ORIGINAL)
    board = BoardFactory(owner=user)
    client.force_login(user)
    response = client.post(
        "/pin-builder/",
        {"image": upload(RE_ENCODED), "board": board.pk},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 201
    assert (
        "You already saved this to Desk."
        in client.get(response.json()["board_url"]).content.decode()
    )


def test_the_builder_never_hints_at_another_users_picture(client, user, other_user):
    pin_with(BoardFactory(owner=other_user, name="Theirs"), ORIGINAL)
    client.force_login(user)
    response = client.post(
        "/pin-builder/",
        {"image": upload(RE_ENCODED), "board": BoardFactory(owner=user).pk},
        follow=True,
    )
    assert "You already saved this" not in response.content.decode()


def test_a_url_pin_shows_the_hint_on_its_page_once_the_worker_hashed_it(client, user, other_user):
    earlier = pin_with(BoardFactory(owner=user, name="Trips"), ORIGINAL)
    fetched_later = MediaRecord.objects.create(owner=user, source_url="https://example.org/a.jpg")
    url_pin = PinFactory(board=BoardFactory(owner=user), media=fetched_later)
    client.force_login(user)
    assert (
        "You also saved this picture" not in client.get(url_pin.get_absolute_url()).content.decode()
    )

    # What the worker records once it has fetched the bytes.
    known = MediaRecord.objects.get(pk=earlier.media_id)
    MediaRecord.objects.filter(pk=fetched_later.pk).update(
        phash=known.phash, color_l=known.color_l, color_a=known.color_a, color_b=known.color_b
    )
    html = client.get(url_pin.get_absolute_url()).content.decode()
    assert "You also saved this picture to" in html and earlier.get_absolute_url() in html

    client.force_login(other_user)  # a public pin, but the hint is for its owner only
    assert (
        "You also saved this picture" not in client.get(url_pin.get_absolute_url()).content.decode()
    )
