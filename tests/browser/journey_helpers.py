"""What the journey, layout and keyboard tests share: logging a browser in, pictures to upload,
pins made quickly, and measurements of the grid taken in the page."""

import io
import re
from collections.abc import Iterable

from django.conf import settings
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from boards.models import Board
from pins.models import Pin
from tests.factories import PASSWORD, MediaFactory, PinFactory

# Processing runs in-process before the page answers; this leaves room for a slow machine.
SHOWN_WITHIN_MS = 5_000


def log_in(page: Page, user: User, base_url: str) -> None:
    """Give the page's browser context a session of `user`, as if they had logged in."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def log_in_through_form(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=user.username)).to_be_visible()


def seaside_photo(width: int = 900, height: int = 1200) -> bytes:
    """A JPEG with a picture in it (so screenshots show one) and grain enough to weigh ~300 kB,
    so that its upload takes a moment and reports progress."""
    image = Image.new("RGB", (width, height), (38, 52, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(20, 90, 120))
    draw.ellipse((width // 8, height // 6, width // 3, height // 6 + width * 5 // 24), "orange")
    draw.polygon(
        [
            (width * 9 // 20, height * 2 // 3),
            (width * 11 // 20, height * 2 // 3),
            (width // 2 + 20, height // 3),
            (width // 2 - 20, height // 3),
        ],
        fill="white",
    )
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=92)
    return output.getvalue()


def pins_reusing_media(
    board: Board, count: int, *, shapes: Iterable[tuple[int, int]] = ((24, 36), (30, 20))
) -> list[Pin]:
    """`count` pins on `board`, newest last, sharing a few tiny processed images: a page's worth of
    pins in a second, where one image each would take several."""
    media = [
        MediaFactory(owner=board.owner, width=width, height=height) for width, height in shapes
    ]
    return [
        PinFactory(board=board, media=media[index % len(media)], title=f"Tiny pin {index}")
        for index in range(count)
    ]


def pin_grid(page: Page) -> Locator:
    return page.get_by_role("region", name="Pins")


def card_of(page: Page, pin: Pin) -> Locator:
    return page.locator(f'article.card:has(> a[href="/pin/{pin.pk}/"])')


def wait_until_placed(page: Page) -> None:
    """masonry.js has positioned the cards (without it, the CSS columns hold them)."""
    expect(pin_grid(page)).to_have_class(re.compile(r"\bis-masonry\b"))


def grid_geometry(page: Page) -> list[dict]:
    """Each card of the first grid, in page order: its pin, its box and its image's box (both
    relative to the grid, so scrolling does not change them), and its image's state."""
    return page.evaluate(
        """() => {
            const grid = document.querySelector("[data-grid]");
            const origin = grid.getBoundingClientRect();
            const box = (element) => {
                const rect = element.getBoundingClientRect();
                return {
                    x: rect.left - origin.left, y: rect.top - origin.top,
                    width: rect.width, height: rect.height,
                };
            };
            return Array.from(grid.querySelectorAll(":scope > .card"), (card) => {
                const image = card.querySelector(".card-media img");
                return {
                    pin: card.querySelector("a").getAttribute("href"),
                    card: box(card),
                    image: image && box(image),
                    loaded: Boolean(image && image.complete && image.naturalWidth > 0),
                };
            });
        }"""
    )


def shown_files(page: Page) -> dict[str, list[int]]:
    """The pixel size of the file each card of the first grid shows, by the card's pin link
    (naturalWidth is scaled by the srcset density and rounded, so the files are decoded apart)."""
    return page.evaluate(
        """async () => {
            const cards = document.querySelectorAll("[data-grid] > .card");
            return Object.fromEntries(await Promise.all(Array.from(cards, async (card) => {
                const image = card.querySelector(".card-media img");
                const blob = await (await fetch(image.currentSrc)).blob();
                const file = await createImageBitmap(blob);
                return [card.querySelector("a").getAttribute("href"), [file.width, file.height]];
            })));
        }"""
    )


def overlapping(boxes: list[dict]) -> list[tuple[int, int]]:
    """Pairs of boxes (by index) that share any area; touching edges do not count."""
    pairs = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            if width > 0.5 and height > 0.5:
                pairs.append((i, j))
    return pairs


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
    )


def decoded_image(image: Locator) -> dict:
    """Wait until the browser has decoded `image`; return the file it shows and that file's own
    pixel size (naturalWidth is scaled by the srcset density, so the file is decoded apart)."""
    expect(image).to_be_visible(timeout=SHOWN_WITHIN_MS)
    image.page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0",
        arg=image.element_handle(),
        timeout=SHOWN_WITHIN_MS,
    )
    return image.evaluate(
        """async image => {
            const file = await createImageBitmap(await (await fetch(image.currentSrc)).blob());
            return {src: new URL(image.currentSrc).pathname, file: [file.width, file.height]};
        }"""
    )


def without_expected_404s(console_errors: list[str], paths: Iterable[str]) -> list[str]:
    """Console errors, less Chromium's note of each 404 page the test meant to open."""
    expected = tuple(paths)
    return [
        error
        for error in console_errors
        if not ("status of 404" in error and any(error.endswith(f"{path})") for path in expected))
    ]
