"""Discovery in a real browser: following a board fills the home feed, the colour palette finds
the red pins, and "More like this" shows what was saved together."""

import re

from playwright.sync_api import Page, expect

from pins.services import pin_save
from tests.browser.journey_helpers import (
    card_of,
    decoded_image,
    log_in,
    pin_grid,
    wait_until_placed,
)
from tests.factories import BoardFactory, PinFactory, UserFactory, painted_pin


def test_following_a_board_puts_its_new_pins_in_the_home_feed(
    page: Page, live_server, console_errors
):
    maker, reader = UserFactory(), UserFactory()
    board = BoardFactory(owner=maker, name="Tiny houses")
    log_in(page, reader, live_server.url)

    page.goto(board.get_absolute_url())
    page.get_by_role("button", name="Follow Tiny houses").click()

    expect(page.get_by_role("button", name="Unfollow Tiny houses")).to_be_visible()
    expect(page.get_by_text("1 follower", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Unfollow Tiny houses")).to_be_visible()

    fresh = PinFactory(board=board, title="Cabin with a loft")
    page.goto("/")
    expect(page.get_by_role("link", name="Your feed")).to_have_attribute("aria-current", "page")
    decoded_image(card_of(page, fresh).locator("img"))
    assert console_errors == []


def test_the_palette_finds_the_red_pins_first(page: Page, live_server, console_errors):
    board = BoardFactory()
    painted_pin(board, (25, 118, 210), "Blue door")
    red = painted_pin(board, (211, 47, 47), "Red door")
    painted_pin(board, (56, 142, 60), "Green door")

    page.goto("/search/")
    palette = page.get_by_role("group", name="Colour")
    # The chip is the radio button's label: what a person clicks.
    palette.locator("label", has=page.get_by_role("radio", name="Red")).click()
    page.get_by_role("button", name="Search").last.click()

    expect(page).to_have_url(re.compile(r"color=%23d32f2f"))
    wait_until_placed(page)
    expect(pin_grid(page).locator("article.card")).to_have_count(1)
    decoded_image(card_of(page, red).locator("img"))
    expect(page.get_by_role("radio", name="Red")).to_be_checked()
    assert console_errors == []


def test_more_like_this_shows_what_was_saved_together(page: Page, live_server, console_errors):
    maker = UserFactory()
    origin = BoardFactory(owner=maker)
    pin = PinFactory(board=origin, title="Reading nook")
    companion = PinFactory(board=origin, title="Window seat")
    for collector in UserFactory.create_batch(2):
        shelf = BoardFactory(owner=collector)
        pin_save(pin=pin, board=shelf, user=collector)
        pin_save(pin=companion, board=shelf, user=collector)
    PinFactory(title="Unrelated bicycle")

    page.goto(pin.get_absolute_url())

    related = page.get_by_role("region", name="More like this")
    first = related.locator("article.card").first
    expect(first.locator("> a").first).to_have_attribute("href", companion.get_absolute_url())
    decoded_image(first.locator("img"))
    assert console_errors == []
