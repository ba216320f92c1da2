"""Saving a pin with the keyboard alone: Tab to a card, open its save dialog, move about in it
without leaving it, choose a board, and close it with Escape back where one started."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from pins.models import Pin
from tests.browser.journey_helpers import card_of, log_in, wait_until_placed
from tests.factories import BoardFactory, PinFactory, UserFactory

# Enough presses to pass every control of the page's top bar and reach the grid.
MAX_TABS = 25
FOCUSED = """() => {
    const element = document.activeElement;
    return {
        tag: element.tagName.toLowerCase(),
        // A control's visible text, or for a field the text of its label.
        text: (element.labels && element.labels.length ? element.labels[0] : element)
            .textContent.trim(),
        inDialog: Boolean(element.closest("dialog[open]")),
        inCard: element.closest(".card") && element.closest(".card").querySelector("a").pathname,
    };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page: Page, wanted: Callable[[dict], bool], *, limit: int = MAX_TABS) -> dict:
    """Press Tab until the focused element satisfies `wanted`; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return now
        seen.append(now)
    raise AssertionError(f"focus never got there; it went through {seen}")


def has_focus(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def test_a_pin_is_saved_with_the_keyboard_and_escape_closes_the_dialog(
    page: Page, console_errors: list[str], screenshots_dir: Path, live_server
):
    pin = PinFactory(title="Lemon tart")
    member = UserFactory()
    BoardFactory(owner=member, name="Baking")
    desserts = BoardFactory(owner=member, name="Desserts")
    log_in(page, member, live_server.url)
    page.goto("/")
    wait_until_placed(page)

    tab_until(page, lambda now: now["inCard"] == f"/pin/{pin.pk}/" and now["tag"] == "a")
    page.keyboard.press("Tab")
    save = card_of(page, pin).get_by_role("button", name="Save")
    expect(save).to_be_focused()
    expect(save).to_be_visible()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name="Save to board")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Baking")).to_be_focused()
    page.screenshot(path=screenshots_dir / "keyboard-save-dialog.png")

    # Tab and Shift+Tab go round the dialog's controls and never leave it.
    forwards = [focused(page)]
    for _ in range(8):
        page.keyboard.press("Tab")
        forwards.append(focused(page))
    assert all(stop["inDialog"] for stop in forwards), forwards
    assert [stop["text"] for stop in forwards[:6]] == [
        "Baking",
        "Desserts",
        "Name",  # of a new board
        "Secret",
        "Create board",
        "Close",
    ]
    assert forwards[6]["text"] == "Baking", "Tab from the last control went elsewhere"
    backwards = []
    for _ in range(3):  # from the new board's name, back past the first control
        page.keyboard.press("Shift+Tab")
        backwards.append(focused(page))
    assert [stop["text"] for stop in backwards] == ["Desserts", "Baking", "Close"], backwards

    tab_until(page, lambda now: now["text"] == "Desserts", limit=8)
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="Saved to")).to_have_text("Saved to Desserts")
    assert has_focus(save), f"after saving, focus is on {focused(page)}"
    saved = Pin.objects.get(board=desserts)
    assert saved.parent_pin_id == pin.pk

    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Baking")).to_be_focused()
    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    assert has_focus(save), f"after Escape, focus is on {focused(page)}"
    expect(save).to_be_visible()
    assert Pin.objects.filter(parent_pin=pin).count() == 1

    assert console_errors == []
