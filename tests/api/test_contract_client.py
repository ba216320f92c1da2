"""The v5 contract, as a third party sees it: `pinterest-generated-client` (Pinterest's generated
Python client) drives a live server through every operation catalog implements, and every answer
decodes into the client's own models with real values."""
# ruff: noqa: F811 - the fixtures imported from client_fixtures are redefined as parameters

import base64
import io
import json
import re
import urllib.request

import pytest
from openapi_generated.pinterest_client.exceptions import NotFoundException
from openapi_generated.pinterest_client.model.account import Account
from openapi_generated.pinterest_client.model.board import Board
from openapi_generated.pinterest_client.model.board_section import BoardSection
from openapi_generated.pinterest_client.model.board_update import BoardUpdate
from openapi_generated.pinterest_client.model.inline_object1 import InlineObject1
from openapi_generated.pinterest_client.model.media_upload_details import MediaUploadDetails
from openapi_generated.pinterest_client.model.pin import Pin
from openapi_generated.pinterest_client.model.pin_create import PinCreate
from openapi_generated.pinterest_client.model.pin_update import PinUpdate
from PIL import Image

from boards.models import Board as BoardRow
from tests.api.client_fixtures import (  # noqa: F401 - fixtures
    ImageServer,
    Pinterest,
    image_server,
    image_sizes,
    live_server,
    pinterest,
)
from tests.api.readme_example import readme_example
from tests.factories import MediaFactory, PinFactory
from tests.images import jpeg_bytes, png_bytes

NUMERIC_ID = re.compile(r"^\d+$")
HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def create_board(pinterest: Pinterest, name: str = "Harbours", **fields) -> Board:
    board = pinterest.boards.boards_create(Board(name=name, **fields))
    assert isinstance(board, Board)
    return board


def base64_source(data: bytes, content_type: str = "image/jpeg") -> dict:
    return {
        "source_type": "image_base64",
        "content_type": content_type,
        "data": base64.b64encode(data).decode(),
    }


def close_to(colour: str, rgb: tuple[int, int, int], tolerance: int = 12) -> bool:
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return all(abs(a - b) <= tolerance for a, b in zip(channels, rgb, strict=True))


def all_pages(list_page, page_size: int) -> tuple[list[int], list[dict]]:
    """Follow `bookmark` to the end: the size of every page and every item, in order."""
    sizes: list[int] = []
    items: list[dict] = []
    bookmark = None
    while True:
        page = list_page(page_size=page_size, **({"bookmark": bookmark} if bookmark else {}))
        sizes.append(len(page["items"]))
        items += page["items"]
        bookmark = page["bookmark"]
        if bookmark is None or len(sizes) > 10:
            return sizes, items


@pytest.fixture
def board_of_60(pinterest: Pinterest) -> tuple[Board, list[str]]:
    """A board made through the API holding 60 pins made directly (one small shared image), and
    their ids newest first."""
    board = create_board(pinterest, name="Sixty")
    row = BoardRow.objects.get(pk=int(board.id))
    media = MediaFactory(owner=pinterest.user, width=320, height=240)
    pins = [PinFactory(board=row, media=media, title=f"Pin {n}") for n in range(60)]
    return board, [str(pin.pk) for pin in reversed(pins)]


def test_user_account_describes_the_tokens_user(pinterest: Pinterest):
    board = create_board(pinterest)
    PinFactory(board=BoardRow.objects.get(pk=int(board.id)))

    account = pinterest.user_account.user_account_get()

    assert isinstance(account, Account)
    assert NUMERIC_ID.match(account.id)
    assert account.id == str(pinterest.user.pk)
    assert account.username == pinterest.user.username
    assert account.account_type == "PINNER"
    assert (account.board_count, account.pin_count) == (1, 1)


def test_a_created_board_is_read_back_and_listed(pinterest: Pinterest):
    created = create_board(pinterest, name="Harbours", description="Boats", privacy="PUBLIC")

    fetched = pinterest.boards.boards_get(created.id)
    listed = pinterest.boards.boards_list()

    assert NUMERIC_ID.match(created.id)
    assert (fetched.id, fetched.name, fetched.description) == (created.id, "Harbours", "Boats")
    assert fetched.privacy == "PUBLIC"
    assert fetched.pin_count == 0
    assert fetched.owner == {"username": pinterest.user.username}
    assert [board.id for board in pinterest.decoded(listed["items"], Board)] == [created.id]
    assert listed["bookmark"] is None


def test_boards_list_with_public_and_secret_privacy_lists_both(pinterest: Pinterest):
    public = create_board(pinterest, name="Open", privacy="PUBLIC")
    secret = create_board(pinterest, name="Closed", privacy="SECRET")

    listed = pinterest.boards.boards_list(privacy="PUBLIC_AND_SECRET")

    assert {board["id"] for board in listed["items"]} == {public.id, secret.id}


def test_a_board_is_renamed_and_made_secret(pinterest: Pinterest):
    board = create_board(pinterest, name="Harbours")

    updated = pinterest.boards.boards_update(
        board.id, BoardUpdate(name="Quiet harbours", description="At dawn", privacy="SECRET")
    )

    assert isinstance(updated, Board)
    assert (updated.name, updated.description, updated.privacy) == (
        "Quiet harbours",
        "At dawn",
        "SECRET",
    )
    assert pinterest.boards.boards_get(board.id).name == "Quiet harbours"


def test_boards_are_found_by_a_word_of_their_name(pinterest: Pinterest):
    harbours = create_board(pinterest, name="Quiet harbours")
    create_board(pinterest, name="Forests")

    found = pinterest.search.search_user_boards_get(query="harbours")

    assert [board.id for board in pinterest.decoded(found["items"], Board)] == [harbours.id]


def test_a_deleted_board_answers_404(pinterest: Pinterest):
    board = create_board(pinterest)

    _, status, _ = pinterest.boards.boards_delete(board.id, _return_http_data_only=False)

    assert status == 204
    with pytest.raises(NotFoundException) as raised:
        pinterest.boards.boards_get(board.id)
    assert json.loads(raised.value.body) == {"code": 40, "message": "Board not found."}


def test_a_section_is_created_listed_and_renamed(pinterest: Pinterest):
    board = create_board(pinterest)

    section = pinterest.boards.board_sections_create(board.id, BoardSection(name="Boats"))
    renamed = pinterest.boards.board_sections_update(
        board.id, section.id, BoardSection(name="Sailing boats")
    )
    listed = pinterest.boards.board_sections_list(board.id)

    assert isinstance(section, BoardSection)
    assert NUMERIC_ID.match(section.id)
    assert (renamed.id, renamed.name) == (section.id, "Sailing boats")
    sections = pinterest.decoded(listed["items"], BoardSection)
    assert [(s.id, s.name) for s in sections] == [(section.id, "Sailing boats")]
    assert listed["bookmark"] is None


def test_a_deleted_section_is_no_longer_listed(pinterest: Pinterest):
    board = create_board(pinterest)
    section = pinterest.boards.board_sections_create(board.id, BoardSection(name="Boats"))

    _, status, _ = pinterest.boards.board_sections_delete(
        board.id, section.id, _return_http_data_only=False
    )

    assert status == 204
    assert pinterest.boards.board_sections_list(board.id)["items"] == []


def test_a_pin_from_base64_is_processed_into_every_size(pinterest: Pinterest):
    board = create_board(pinterest)
    image = jpeg_bytes(1600, 1200, color=(30, 120, 200))

    created = pinterest.pins.pins_create(
        PinCreate(
            board_id=board.id,
            title="Harbour",
            description="A blue harbour at dawn",
            link="https://example.com/harbour",
            alt_text="Boats in a blue harbour",
            media_source=base64_source(image),
        )
    )

    assert isinstance(created, Pin)
    assert NUMERIC_ID.match(created.id)
    assert (created.board_id, created.title, created.link) == (
        board.id,
        "Harbour",
        "https://example.com/harbour",
    )
    assert created.board_owner == {"username": pinterest.user.username}
    pin = pinterest.processed_pin(created.id)
    assert pin.media["status"] == "succeeded"
    assert (pin.media["width"], pin.media["height"]) == (1600, 1200)
    sizes = image_sizes(pin)
    assert sizes["1200x"] == (1200, 900)
    assert sizes["600x"] == (600, 450)
    assert sizes["236x"] == (236, 177)
    assert sizes["150x150"] == (150, 150)
    assert sizes["400x300"] == (400, 300)
    for image in pin.media["images"].values():
        assert image["url"].startswith(pinterest.host)
        assert image["webp_url"].startswith(pinterest.host)
    assert HEX_COLOUR.match(pin.dominant_color)
    assert close_to(pin.dominant_color, (30, 120, 200))


def test_a_pin_from_an_uploaded_media_id_shows_that_image(pinterest: Pinterest):
    board = create_board(pinterest)

    upload, status = pinterest.upload_media(jpeg_bytes(900, 700, color=(20, 160, 90)), "a.jpg")
    media = pinterest.processed_media(upload.media_id)
    created = pinterest.pins.pins_create(
        PinCreate(
            board_id=board.id,
            title="Meadow",
            media_source={"source_type": "media_id", "media_id": upload.media_id},
        )
    )

    assert status == 201
    assert isinstance(upload, MediaUploadDetails)
    assert NUMERIC_ID.match(upload.media_id)
    assert upload.media_type == "image"
    assert isinstance(media, MediaUploadDetails)
    assert (media.media_id, media.status) == (upload.media_id, "succeeded")
    pin = pinterest.processed_pin(created.id)
    assert pin.media["status"] == "succeeded"
    width, height = image_sizes(pin)["600x"]
    assert width == 600
    assert abs(height - 700 * 600 / 900) < 1
    assert image_sizes(pin)["150x150"] == (150, 150)
    assert close_to(pin.dominant_color, (20, 160, 90))


def test_a_pin_from_an_image_url_fetches_and_processes_it(
    pinterest: Pinterest, image_server: ImageServer
):
    board = create_board(pinterest)
    url = image_server.serve("/harbour.png", png_bytes(1200, 900, color=(200, 40, 60)), "image/png")

    created = pinterest.pins.pins_create(
        PinCreate(board_id=board.id, media_source={"source_type": "image_url", "url": url})
    )

    pin = pinterest.processed_pin(created.id)
    assert set(image_server.requests) == {"/harbour.png"}  # probed on create, then fetched
    assert pin.media["status"] == "succeeded"
    assert image_sizes(pin)["600x"] == (600, 450)
    assert image_sizes(pin)["150x150"] == (150, 150)
    assert pin.dominant_color == "#c8283c"
    with urllib.request.urlopen(pin.media["images"]["600x"]["url"], timeout=10) as response:
        served = Image.open(io.BytesIO(response.read()))
    assert served.size == (600, 450)


def test_a_pin_saved_to_another_board_points_at_its_parent(pinterest: Pinterest):
    holiday = create_board(pinterest, name="Holiday")
    ideas = create_board(pinterest, name="Ideas")
    original = pinterest.pins.pins_create(
        PinCreate(
            board_id=holiday.id,
            title="Lighthouse",
            media_source=base64_source(jpeg_bytes(800, 600, color=(240, 200, 40))),
        )
    )

    section = pinterest.boards.board_sections_create(ideas.id, BoardSection(name="Coast"))

    saved, status, _ = pinterest.pins.pins_save(
        original.id,
        InlineObject1(board_id=ideas.id, board_section_id=section.id),
        _return_http_data_only=False,
    )

    assert status == 201
    assert isinstance(saved, Pin)
    assert saved.id != original.id
    assert (saved.board_id, saved.board_section_id, saved.parent_pin_id, saved.title) == (
        ideas.id,
        section.id,
        original.id,
        "Lighthouse",
    )
    assert saved.media["images"] == pinterest.pins.pins_get(original.id).media["images"]


def test_paging_a_board_of_60_pins_with_bookmark_reaches_the_end_once(
    pinterest: Pinterest, board_of_60: tuple[Board, list[str]]
):
    board, newest_first = board_of_60

    sizes, items = all_pages(
        lambda **page: pinterest.boards.boards_list_pins(board.id, **page), page_size=25
    )

    assert sizes == [25, 25, 10]
    assert [pin.id for pin in pinterest.decoded(items, Pin)] == newest_first


def test_a_board_with_pins_reports_its_count_and_cover(
    pinterest: Pinterest, board_of_60: tuple[Board, list[str]]
):
    board, newest_first = board_of_60

    fetched = pinterest.boards.boards_get(board.id)

    assert fetched.pin_count == 60
    thumbnail = pinterest.pins.pins_get(newest_first[0]).media["images"]["236x"]["url"]
    assert fetched.media.image_cover_url == thumbnail
    assert fetched.media.pin_thumbnail_urls == [thumbnail] * 4  # the four newest share an image


def test_paging_the_users_pins_with_bookmark_reaches_the_end_once(
    pinterest: Pinterest, board_of_60: tuple[Board, list[str]]
):
    _, newest_first = board_of_60

    sizes, items = all_pages(pinterest.pins.pins_list, page_size=25)

    assert sizes == [25, 25, 10]
    assert [pin.id for pin in pinterest.decoded(items, Pin)] == newest_first


def test_pins_list_can_leave_out_repins(pinterest: Pinterest):
    board = BoardRow.objects.get(pk=int(create_board(pinterest, name="Mine").id))
    own = PinFactory(board=board)
    others = PinFactory(title="Someone else's")
    repin = PinFactory(board=board, media=others.media, parent_pin=others, owner=pinterest.user)

    listed = pinterest.pins.pins_list(pin_filter="exclude_repins")

    assert repin.parent_pin_id == others.pk
    assert [pin["id"] for pin in listed["items"]] == [str(own.pk)]


def test_pins_are_found_by_a_word_of_their_description(pinterest: Pinterest):
    board = BoardRow.objects.get(pk=int(create_board(pinterest, name="Coast").id))
    media = MediaFactory(owner=pinterest.user, width=320, height=240)
    lighthouse = PinFactory(board=board, media=media, description="A lighthouse at dusk")
    PinFactory(board=board, media=media, description="Dunes in the wind")

    found = pinterest.search.search_user_pins_list(query="lighthouse")

    assert [pin.id for pin in pinterest.decoded(found["items"], Pin)] == [str(lighthouse.pk)]
    assert found["bookmark"] is None


def test_an_updated_pin_has_its_new_title_and_section(pinterest: Pinterest):
    board = create_board(pinterest)
    section = pinterest.boards.board_sections_create(board.id, BoardSection(name="Boats"))
    pin = PinFactory(board=BoardRow.objects.get(pk=int(board.id)), title="Old title")

    updated = pinterest.pins.pins_update(
        str(pin.pk), PinUpdate(title="Sailing at dawn", board_section_id=section.id)
    )

    assert isinstance(updated, Pin)
    assert (updated.id, updated.title, updated.board_section_id) == (
        str(pin.pk),
        "Sailing at dawn",
        section.id,
    )
    in_section = pinterest.boards.board_sections_list_pins(board.id, section.id)
    assert [p.id for p in pinterest.decoded(in_section["items"], Pin)] == [str(pin.pk)]


def test_a_deleted_pin_answers_404(pinterest: Pinterest):
    board = create_board(pinterest)
    pin = PinFactory(board=BoardRow.objects.get(pk=int(board.id)))

    _, status, _ = pinterest.pins.pins_delete(str(pin.pk), _return_http_data_only=False)

    assert status == 204
    with pytest.raises(NotFoundException) as raised:
        pinterest.pins.pins_get(str(pin.pk))
    assert raised.value.status == 404
    assert json.loads(raised.value.body) == {"code": 50, "message": "Pin not found."}


def test_the_readme_example_creates_a_pin_from_an_image_url(
    pinterest: Pinterest, image_server: ImageServer, capsys
):
    board = create_board(pinterest)
    url = image_server.serve("/readme.png", png_bytes(800, 600, color=(90, 60, 200)), "image/png")

    readme_example(pinterest.host, pinterest.token, url)

    printed = capsys.readouterr().out
    assert NUMERIC_ID.match(printed.strip())
    pin = pinterest.processed_pin(printed.strip())
    assert (pin.board_id, pin.media["status"]) == (board.id, "succeeded")
