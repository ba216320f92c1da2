"""The upload-to-grid slice in a real browser: log in, make a board, pin a photo, see it shown."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from pins.models import Pin
from tests.factories import PASSWORD, UserFactory
from tests.images import jpeg_bytes

# Processing runs in-process before the redirect, so the image should be there at once; a page
# still showing "Processing…" reloads itself every two seconds, which this leaves room for.
SHOWN_WITHIN_MS = 5_000


def loaded_image(image: Locator) -> dict[str, str | int]:
    """Wait until the browser has decoded `image`; return the file it shows and its HTML size."""
    expect(image).to_be_visible(timeout=SHOWN_WITHIN_MS)
    image.page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0",
        arg=image.element_handle(),
        timeout=SHOWN_WITHIN_MS,
    )
    return image.evaluate(
        """image => ({
            src: new URL(image.currentSrc).pathname,
            naturalWidth: image.naturalWidth,
            naturalHeight: image.naturalHeight,
            width: Number(image.getAttribute("width")),
            height: Number(image.getAttribute("height")),
        })"""
    )


def test_uploaded_pin_shows_on_its_board_its_page_and_home(
    page: Page,
    new_page: Callable[[], Page],
    console_errors: list[str],
    screenshots_dir: Path,
    live_server,
):
    user = UserFactory()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("link", name="Create board").click()
    page.get_by_label("Name").fill("Lighthouses")
    page.get_by_role("button", name="Create board").click()
    expect(page.get_by_role("heading", level=1, name="Lighthouses")).to_be_visible()
    board_url = page.url

    page.get_by_role("main").get_by_role("link", name="Create pin").click()
    page.get_by_label("Image").set_input_files(
        {"name": "dusk.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(800, 1200)}
    )
    page.get_by_label("Board").select_option(label="Lighthouses")
    page.get_by_label("Title").fill("Lighthouse at dusk")
    page.get_by_role("button", name="Create pin").click()

    expect(page).to_have_url(board_url)
    card_image = page.get_by_role("region", name="Pins").get_by_role(
        "img", name="Lighthouse at dusk"
    )
    on_board = loaded_image(card_image)
    page.screenshot(path=screenshots_dir / "board.png", full_page=True)
    media = Pin.objects.get(title="Lighthouse at dusk").media
    grid, large = media.grid_rendition, media.large_rendition
    assert (on_board["width"], on_board["height"]) == (grid.width, grid.height)
    # The srcset lets the browser pick either rendition; whichever it shows must be that file.
    assert (on_board["src"], on_board["naturalWidth"], on_board["naturalHeight"]) in {
        (grid.url, grid.width, grid.height),
        (large.url, large.width, large.height),
    }

    card_image.click()
    expect(page.get_by_role("heading", level=1, name="Lighthouse at dusk")).to_be_visible()
    on_detail = loaded_image(page.get_by_role("main").get_by_role("img", name="Lighthouse at dusk"))
    page.screenshot(path=screenshots_dir / "detail.png", full_page=True)
    assert on_detail == {
        "src": large.url,
        "naturalWidth": large.width,
        "naturalHeight": large.height,
        "width": large.width,
        "height": large.height,
    }

    visitor = new_page()
    visitor.goto("/")
    expect(visitor.get_by_role("link", name="Log in")).to_be_visible()
    on_home = loaded_image(
        visitor.get_by_role("region", name="Pins").get_by_role("img", name="Lighthouse at dusk")
    )
    visitor.screenshot(path=screenshots_dir / "home.png", full_page=True)
    assert on_home["src"] in {grid.url, large.url}

    assert console_errors == []
