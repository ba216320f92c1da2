"""The upload-to-grid slice over HTTP: gunicorn takes the upload, the Celery worker renders it."""

import io
import re
import time

import pytest
from PIL import Image

from boards.models import Board
from tests.e2e.client import Upload, parse_page
from tests.factories import PASSWORD, UserFactory
from tests.images import jpeg_bytes

pytestmark = pytest.mark.worker

PROCESSING_DEADLINE_SECONDS = 30.0
TITLE = "Lighthouse at dusk"


def _grid_images(html: str) -> list[str]:
    return [
        src
        for src in parse_page(html).image_sources
        if src.startswith("/media/236x/") and src.endswith(".jpg")
    ]


def _wait_for_grid_image(http, board_path: str) -> tuple[str, str]:
    """Reload the board page, as its script does, until the card shows its image."""
    deadline = time.monotonic() + PROCESSING_DEADLINE_SECONDS
    while True:
        page = http.get(board_path)
        assert page.status == 200
        assert TITLE in page.text
        images = _grid_images(page.text)
        if images:
            return images[0], page.text
        assert "Image could not be processed" not in page.text
        assert "Processing…" in page.text
        if time.monotonic() >= deadline:
            pytest.fail(f"no rendition on {board_path} after {PROCESSING_DEADLINE_SECONDS:g} s")
        time.sleep(0.25)


def test_uploaded_pin_is_rendered_by_the_worker_and_shown_everywhere(site, celery_worker, http):
    user = UserFactory()

    login = http.submit_form("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert (login.status, login.path) == (200, "/"), parse_page(login.text).errors
    assert user.username in login.text

    created = http.submit_form(
        "/boards/new/", {"name": "Lighthouses", "description": "Lights along the coast"}
    )
    board_path = f"/{user.username}/lighthouses/"
    assert (created.status, created.path) == (200, board_path), parse_page(created.text).errors
    board = Board.objects.get(owner=user)
    assert board.privacy == Board.Privacy.PUBLIC

    uploaded = http.submit_form(
        "/pin-builder/",
        {
            "board": str(board.pk),
            "title": TITLE,
            "description": "The light comes on as the sun goes down.",
            "link": "https://example.org/lighthouses",
            "alt_text": "A white lighthouse against an orange sky",
        },
        files={"image": Upload("lighthouse.jpg", "image/jpeg", jpeg_bytes(800, 1200))},
    )
    assert (uploaded.status, uploaded.path) == (200, board_path), parse_page(uploaded.text).errors

    image_path, board_html = _wait_for_grid_image(http, board_path)
    image = http.get(image_path)
    assert image.status == 200
    assert image.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in image.headers["Cache-Control"]
    decoded = Image.open(io.BytesIO(image.body))
    decoded.load()
    assert (decoded.format, decoded.size) == ("JPEG", (236, 354))

    home = http.get("/")
    assert home.status == 200
    assert TITLE in home.text
    assert image_path in _grid_images(home.text)

    card_link = re.search(r'href="(/pin/\d+/)"', board_html)
    assert card_link, "the card links to no pin page"
    detail = http.get(card_link.group(1))
    assert detail.status == 200
    assert TITLE in detail.text
    assert "A white lighthouse against an orange sky" in detail.text
    assert any(src.startswith("/media/736x/") for src in parse_page(detail.text).image_sources)
