"""The home grid on a desktop and on a phone: cards never overlap, each card's box has its image's
shape before the image arrives (so nothing moves when it does), and the page never scrolls
sideways."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from tests.browser.journey_helpers import (
    SHOWN_WITHIN_MS,
    grid_geometry,
    horizontal_overflow,
    log_in,
    overlapping,
    shown_files,
    wait_until_placed,
)
from tests.factories import BoardFactory, PinFactory, UserFactory

# Tall, wide, square and in between, so a wrong aspect ratio cannot hide.
SHAPES = [
    (300, 450),
    (480, 320),
    (400, 400),
    (240, 600),
    (600, 280),
    (360, 480),
    (280, 420),
    (640, 360),
    (300, 700),
    (450, 300),
    (320, 400),
    (500, 500),
]
DEVICES = {
    "desktop-1280": {"viewport": {"width": 1280, "height": 800}},
    "phone-390": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}
LAYOUT_SHIFTS_SINCE = """since => new Promise(resolve => {
    new PerformanceObserver((list, observer) => {
        observer.disconnect();
        const late = list.getEntries().filter(entry => entry.startTime >= since);
        resolve(late.map(entry => entry.value));
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve([]), 500);
})"""


@pytest.mark.parametrize("device", DEVICES)
def test_home_grid_cards_keep_their_place_and_shape_as_images_load(
    device: str,
    page_with: Callable[..., Page],
    console_errors: list[str],
    screenshots_dir: Path,
    live_server,
):
    board = BoardFactory(name="Shapes")
    for number, (width, height) in enumerate(SHAPES):
        wrapping = " with a title long enough to wrap" if number % 3 == 0 else ""
        PinFactory(
            board=board,
            media__width=width,
            media__height=height,
            title=f"{width} by {height}{wrapping}",
        )
    page = page_with(**DEVICES[device])
    log_in(page, UserFactory(username="sandcastle_builder"), live_server.url)

    # Hold every image back, to measure the boxes the cards reserve for them.
    held: list[Route] = []
    page.route("**/media/**", lambda route: held.append(route))
    page.goto("/", wait_until="domcontentloaded")
    wait_until_placed(page)
    placeholders = grid_geometry(page)
    released_at = page.evaluate("() => performance.now()")
    page.route("**/media/**", lambda route: route.continue_())
    for route in held:
        route.continue_()
    page.mouse.wheel(0, 20_000)  # lazy images further down load too
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll("[data-grid] img"))
            .every(image => image.complete && image.naturalWidth > 0)""",
        timeout=SHOWN_WITHIN_MS,
    )
    loaded = grid_geometry(page)
    files = shown_files(page)
    shifts = page.evaluate(LAYOUT_SHIFTS_SINCE, released_at)
    page.mouse.wheel(0, -20_000)
    page.screenshot(path=screenshots_dir / f"home-{device.split('-')[1]}.png", full_page=True)

    assert len(placeholders) == len(SHAPES)
    assert held, "no image was requested while the grid was measured"
    assert not any(card["loaded"] for card in placeholders)
    assert overlapping([card["card"] for card in loaded]) == []
    for before, after in zip(placeholders, loaded, strict=True):
        assert before["pin"] == after["pin"]
        assert before["card"] == pytest.approx(after["card"], abs=0.5), before["pin"]
        assert before["image"] == pytest.approx(after["image"], abs=0.5), before["pin"]
        file_width, file_height = files[before["pin"]]
        box = before["image"]
        assert box["height"] == pytest.approx(box["width"] * file_height / file_width, abs=1), (
            before["pin"]
        )
    assert shifts == []
    assert horizontal_overflow(page) == 0
    columns = {round(card["card"]["x"]) for card in loaded}
    if device == "phone-390":
        assert len(columns) == 2
    else:  # 236 px columns: five across 1280 px, or four where a scrollbar takes room
        assert len(columns) >= 4

    assert console_errors == []
