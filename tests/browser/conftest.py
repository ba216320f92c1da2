"""Tests here drive Debian's Chromium through Playwright's sync API against `live_server`."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
# No network traffic of the browser's own (updates, sync, QUIC probing): the tests run offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS_DIR = settings.BASE_DIR / "var" / "screenshots"
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst, so `-m "not browser"` sees the marker when it deselects.
    for item in items:
        if not item.path.is_relative_to(HERE):
            continue
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=f"browser tests need Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server: LiveServer) -> LiveServer:
    """pytest-django's live server, started once the test database exists.

    Started earlier, it finds no in-memory SQLite connection to share, so each request opens its
    own connection to the shared-cache database and can find it empty ("no such table").
    """
    return live_server


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread, and Django's ORM refuses
    # to run beside one; the test itself, its factories and the database teardown all use the ORM.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors (CSP violations among them) and uncaught exceptions of every page opened."""
    return []


@pytest.fixture
def new_page(page_with: Callable[..., Page]) -> Callable[[], Page]:
    """Open a page in a fresh context (its own cookies, so anonymous) aimed at the live server."""
    return page_with


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR


@pytest.fixture
def page_with(
    browser: Browser, live_server, console_errors: list[str]
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (its own cookies) aimed at the live server, with context
    options of a test's own: a viewport, a phone, no JavaScript. Its pages report to the same
    `console_errors`."""
    contexts: list[BrowserContext] = []

    def open_page(**options) -> Page:
        context = browser.new_context(base_url=live_server.url, **options)
        # Every step should answer in well under a second; fail fast rather than after 30 s.
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", record_console)
        page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
        return page

    def record_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{message.text} ({message.location['url']})")

    yield open_page
    for context in contexts:
        context.close()
