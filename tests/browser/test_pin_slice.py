"""The upload-to-grid slice in a real browser: log in, make a board, pin a photo, see it shown."""

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from pins.models import Pin
from tests.factories import PASSWORD, UserFactory

# Processing runs in-process before the redirect, so the image should be there at once; a page
# still showing "Processing…" reloads itself every two seconds, which this leaves room for.
SHOWN_WITHIN_MS = 5_000


def dusk_photo(width: int = 800, height: int = 1200) -> bytes:
    """A JPEG with a picture in it, so a screenshot shows the image and not a coloured box."""
    image = Image.new("RGB", (width, height), (38, 52, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(20, 90, 120))
    draw.ellipse(
        (width // 8, height // 6, width // 3, height // 6 + width * 5 // 24), fill="orange"
    )
    draw.polygon(
        [
            (width * 9 // 20, height * 2 // 3),
            (width * 11 // 20, height * 2 // 3),
            (width // 2 + 20, height // 3),
            (width // 2 - 20, height // 3),
        ],
        fill="white",
    )
    output = io.BytesIO()
    image.save(output, format="JPEG")
    return output.getvalue()


def loaded_image(image: Locator) -> dict[str, str | list[int]]:
    """Wait until the browser has decoded `image`; return the file it shows, that file's pixel size
    and the size the HTML declares."""
    expect(image).to_be_visible(timeout=SHOWN_WITHIN_MS)
    image.page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0",
        arg=image.element_handle(),
        timeout=SHOWN_WITHIN_MS,
    )
    # naturalWidth is scaled by the srcset density, so the file's own size is decoded separately.
    return image.evaluate(
        """async image => {
            const file = await createImageBitmap(await (await fetch(image.currentSrc)).blob());
            const declared = name => Number(image.getAttribute(name));
            return {
                src: new URL(image.currentSrc).pathname,
                file: [file.width, file.height],
                declared: [declared("width"), declared("height")],
            };
        }"""
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
        {"name": "dusk.jpg", "mimeType": "image/jpeg", "buffer": dusk_photo()}
    )
    # Opened from the board, the builder offers that board, named as the user named it.
    expect(page.get_by_label("Board").locator("option:checked")).to_have_text("Lighthouses")
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

    # The srcsets let the browser pick a width and WebP or JPEG; whichever it shows must be a
    # grid rendition of this media, at that rendition's real size.
    def shown_from(names: set[str]) -> list:
        return [(r.url, [r.width, r.height]) for r in media.renditions.all() if r.name in names]

    renditions = shown_from({"236x", "474x", "736x"})
    assert on_board["declared"] == [grid.width, grid.height]
    assert (on_board["src"], on_board["file"]) in renditions

    card_image.click()
    expect(page.get_by_role("heading", level=1, name="Lighthouse at dusk")).to_be_visible()
    on_detail = loaded_image(page.get_by_role("main").get_by_role("img", name="Lighthouse at dusk"))
    page.screenshot(path=screenshots_dir / "detail.png", full_page=True)
    assert on_detail["declared"] == [large.width, large.height]
    assert (on_detail["src"], on_detail["file"]) in shown_from({"736x", "1200x"})

    visitor = new_page()
    visitor.goto("/")
    expect(visitor.get_by_role("link", name="Log in")).to_be_visible()
    on_home = loaded_image(
        visitor.get_by_role("region", name="Pins").get_by_role("img", name="Lighthouse at dusk")
    )
    visitor.screenshot(path=screenshots_dir / "home.png", full_page=True)
    assert (on_home["src"], on_home["file"]) in renditions

    assert console_errors == []
