"""Members' journeys in a real browser: sign up and pin, save another's pin, search, secret boards,
infinite scroll, and the pages without JavaScript."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect

from boards.models import Board
from pins.models import Pin
from tests.browser.journey_helpers import (
    SHOWN_WITHIN_MS,
    card_of,
    decoded_image,
    log_in,
    log_in_through_form,
    overlapping,
    pin_grid,
    pins_reusing_media,
    seaside_photo,
    wait_until_placed,
    without_expected_404s,
)
from tests.factories import PASSWORD, BoardFactory, PinFactory, UserFactory

# Slow enough that a ~300 kB upload reports progress several times, quick enough to take <1 s.
UPLOAD_BYTES_PER_SECOND = 500_000
TITLE = "Lighthouse at dusk"
DESCRIPTION = "The keeper sounds the foghorn as the sun goes down."
BOXES = """elements => elements.map(element => {
    const rect = element.getBoundingClientRect();
    return {x: rect.left, y: rect.top, width: rect.width, height: rect.height};
})"""


def watch_upload_progress(page: Page) -> list[dict]:
    """Record every change of the builder's progress bar (it may come and go in a second)."""
    samples: list[dict] = []
    page.expose_function("noteUploadProgress", lambda sample: samples.append(sample))
    page.evaluate(
        """() => {
            const box = document.querySelector(".upload-progress");
            const bar = box.querySelector("progress");
            const note = () => window.noteUploadProgress({
                shown: !box.hidden && box.getClientRects().length > 0,
                value: bar.value,
                text: box.querySelector("[data-progress-text]").textContent,
            });
            new MutationObserver(note).observe(box, {
                attributes: true, childList: true, characterData: true, subtree: true,
            });
        }"""
    )
    return samples


@contextmanager
def upload_throttled(page: Page, bytes_per_second: int) -> Iterator[None]:
    """Uploads from `page` as over a slow link (on localhost they are over at once)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def limit(upload: int) -> None:
        conditions = {"offline": False, "latency": 0, "downloadThroughput": -1}
        cdp.send("Network.emulateNetworkConditions", {**conditions, "uploadThroughput": upload})

    limit(bytes_per_second)
    try:
        yield
    finally:
        limit(-1)
        cdp.detach()


def sign_up(page: Page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()


def test_a_pin_made_by_a_new_member_is_found_and_saved_by_another(
    page: Page,
    new_page: Callable[[], Page],
    console_errors: list[str],
    screenshots_dir: Path,
):
    sign_up(page, "keeper")
    # Signing up logs the new member in and asks for a first board.
    expect(page.get_by_role("heading", level=1, name="Create board")).to_be_visible()
    expect(page.get_by_role("link", name="keeper")).to_be_visible()
    page.get_by_label("Name").fill("Lighthouses")
    page.get_by_role("main").get_by_role("button", name="Create board").click()
    expect(page.get_by_role("heading", level=1, name="Lighthouses")).to_be_visible()
    board_url = page.url

    page.get_by_role("main").get_by_role("link", name="Create pin").click()
    page.get_by_label("Image").set_input_files(
        {"name": "dusk.jpg", "mimeType": "image/jpeg", "buffer": seaside_photo()}
    )
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill(DESCRIPTION)
    progress = watch_upload_progress(page)
    with upload_throttled(page, UPLOAD_BYTES_PER_SECOND):
        page.get_by_role("button", name="Create pin").click()
        expect(page).to_have_url(board_url)
    shown = [sample for sample in progress if sample["shown"]]
    values = [sample["value"] for sample in shown]
    assert shown, "the upload progress bar never showed"
    assert values == sorted(values), f"progress went backwards: {values}"
    assert values[-1] == 100
    assert any(0 < value < 100 for value in values), f"no progress between 0 and 100: {values}"
    assert any(sample["text"].startswith("Uploading…") for sample in shown)

    pin = Pin.objects.select_related("media").get(title=TITLE)
    on_board = decoded_image(pin_grid(page).get_by_role("img", name=TITLE))
    renditions = {
        (rendition.url, (rendition.width, rendition.height))
        for rendition in pin.media.renditions.all()
    }
    assert (on_board["src"], tuple(on_board["file"])) in renditions
    page.screenshot(path=screenshots_dir / "journey-board.png", full_page=True)

    pin_grid(page).get_by_role("img", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/pin/{pin.pk}/$"))
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    decoded_image(page.get_by_role("main").get_by_role("img", name=TITLE))

    # Another member finds it with the search box, by a word of its description...
    saver = UserFactory(username="walker")
    other = new_page()
    log_in_through_form(other, saver)
    search = other.get_by_role("searchbox", name="Search")
    search.fill("foghorn")
    search.press("Enter")
    expect(other.get_by_role("heading", level=1)).to_have_text("Results for “foghorn”")
    expect(pin_grid(other).get_by_role("img", name=TITLE)).to_be_visible()
    other.screenshot(path=screenshots_dir / "journey-search.png", full_page=True)

    # ...and saves it from the home grid to a board made there and then.
    other.goto("/")
    card = card_of(other, pin)
    card.hover()
    card.get_by_role("button", name="Save").click()
    dialog = other.get_by_role("dialog", name="Save to board")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill("Coastal walks")
    dialog.get_by_role("button", name="Create board").click()
    new_board_button = dialog.get_by_role("button", name="Coastal walks")
    expect(new_board_button).to_be_focused()
    other.screenshot(path=screenshots_dir / "journey-save-dialog.png")
    new_board_button.click()

    expect(dialog).to_be_hidden()
    toast = other.get_by_role("status").filter(has_text="Saved to")
    expect(toast).to_have_text("Saved to Coastal walks")
    other.screenshot(path=screenshots_dir / "journey-toast.png")
    coastal = Board.objects.get(owner=saver, name="Coastal walks")
    assert list(Pin.objects.filter(board=coastal).values_list("parent_pin", flat=True)) == [pin.pk]

    toast.get_by_role("link", name="Coastal walks").click()
    expect(other.get_by_role("heading", level=1, name="Coastal walks")).to_be_visible()
    decoded_image(pin_grid(other).get_by_role("img", name=TITLE))

    # Saving it there again changes nothing, and says so.
    other.goto("/")
    card = card_of(other, pin)
    card.hover()
    card.get_by_role("button", name="Save").click()
    dialog.get_by_role("button", name="Coastal walks").click()
    expect(toast).to_have_text("Saved to Coastal walks (it was already there)")
    assert Pin.objects.filter(board=coastal).count() == 1

    assert console_errors == []


def test_a_secret_board_and_its_pins_are_hidden_from_everyone_but_its_owner(
    page: Page,
    new_page: Callable[[], Page],
    console_errors: list[str],
    live_server,
):
    owner = UserFactory(username="planner")
    public_pin = PinFactory(
        board=BoardFactory(owner=owner, name="Garden", slug="garden"), title="Tulip bed"
    )
    surprise = BoardFactory(owner=owner, name="Surprise party", slug="surprise", privacy="SECRET")
    secret_pin = PinFactory(board=surprise, title="Cake sketch", description="Confetti everywhere")
    hidden_urls = [surprise.get_absolute_url(), secret_pin.get_absolute_url()]

    other_member = page
    log_in(other_member, UserFactory(), live_server.url)
    anonymous = new_page()
    owner_page = new_page()
    log_in(owner_page, owner, live_server.url)

    for visitor in (other_member, anonymous):
        visitor.goto("/")
        expect(pin_grid(visitor).get_by_role("img", name=public_pin.title)).to_be_visible()
        expect(visitor.get_by_text("Cake sketch")).to_have_count(0)

        visitor.goto(public_pin.get_absolute_url())  # "More like this" lists the owner's pins
        expect(visitor.get_by_role("heading", level=1, name="Tulip bed")).to_be_visible()
        expect(visitor.get_by_text("Cake sketch")).to_have_count(0)

        visitor.goto(f"/{owner.username}/")
        boards = visitor.get_by_role("list", name="Boards")
        expect(boards.get_by_role("link", name="Garden")).to_be_visible()
        expect(boards.get_by_text("Surprise party")).to_have_count(0)
        expect(visitor.get_by_text("1 board", exact=True)).to_be_visible()

        for url in hidden_urls:
            response = visitor.goto(url)
            assert response.status == 404, url
            expect(visitor.get_by_role("heading", level=1)).to_have_text("Not found")
            expect(visitor.get_by_text("Surprise party")).to_have_count(0)

        for words in ("confetti", "surprise"):
            visitor.goto(f"/search/?q={words}")
            expect(visitor.get_by_text(f"No pins or boards match “{words}”.")).to_be_visible()

    # Its owner sees all of it, so the checks above are not passing for another reason.
    owner_page.goto("/search/?q=confetti")
    expect(pin_grid(owner_page).get_by_role("img", name="Cake sketch")).to_be_visible()
    for url in hidden_urls:
        assert owner_page.goto(url).status == 200

    assert without_expected_404s(console_errors, hidden_urls) == []


def test_infinite_scroll_appends_the_next_page_at_the_bottom_of_home(
    page: Page, console_errors: list[str], live_server
):
    pins = pins_reusing_media(BoardFactory(), 70, shapes=[(20, 60), (30, 40), (36, 24)])

    page.goto("/")
    wait_until_placed(page)
    cards = pin_grid(page).locator("article.card")
    expect(cards).to_have_count(50)

    page.keyboard.press("End")
    expect(cards).to_have_count(70, timeout=SHOWN_WITHIN_MS)
    expect(page.get_by_role("link", name="More")).to_have_count(0)
    assert page.url == f"{live_server.url}/", "the More link was followed, not fetched"
    shown = cards.evaluate_all("cards => cards.map(card => card.querySelector('a').pathname)")
    assert shown == [f"/pin/{pin.pk}/" for pin in reversed(pins)]
    assert overlapping(cards.evaluate_all(BOXES)) == []

    assert console_errors == []


def test_without_javascript_home_shows_cards_and_a_more_link_to_the_next_page(
    page_with: Callable[..., Page], console_errors: list[str], screenshots_dir: Path
):
    pins = pins_reusing_media(BoardFactory(), 60)
    page = page_with(java_script_enabled=False)

    page.goto("/")
    cards = pin_grid(page).locator("article.card")
    expect(cards).to_have_count(50)
    expect(cards.first.get_by_role("img")).to_be_visible()
    page.screenshot(path=screenshots_dir / "home-no-js.png")
    # Stylesheet columns hold the cards, without masonry.js.
    assert overlapping(cards.evaluate_all(BOXES)) == []
    page.get_by_role("link", name="More").click()

    expect(page).to_have_url(re.compile(rf"/\?before={pins[10].pk}$"))
    links = cards.evaluate_all("cards => cards.map(card => card.querySelector('a').pathname)")
    assert links == [f"/pin/{pin.pk}/" for pin in reversed(pins[:10])]
    expect(page.get_by_role("link", name="More")).to_have_count(0)

    assert console_errors == []


def test_without_javascript_the_save_form_on_a_pin_page_saves_it(
    page_with: Callable[..., Page], console_errors: list[str], live_server
):
    pin = PinFactory(title="Stone bridge")
    member = UserFactory()
    BoardFactory(owner=member, name="Bridges")
    walks = BoardFactory(owner=member, name="Walks")
    page = page_with(java_script_enabled=False)
    log_in(page, member, live_server.url)

    page.goto(pin.get_absolute_url())
    page.get_by_label("Board").select_option(label="Walks")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_have_text("Saved to Walks.")
    assert list(Pin.objects.filter(board=walks).values_list("parent_pin", flat=True)) == [pin.pk]

    assert console_errors == []
