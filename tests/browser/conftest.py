"""Browser tests drive Debian's Chromium (package `chromium`) through Playwright; no browser is
downloaded. Without /usr/bin/chromium they are skipped, unless WEIJIAN_REQUIRE_BROWSER is set (CI)."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("WEIJIAN_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required for the browser tests (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
    # itself (fixtures) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_world(transactional_db):
    from tests.world import build_world

    return build_world()


@pytest.fixture
def page_for(browser, live_server):
    """A new browser page at a given viewport, logged out, pointed at the live server."""
    contexts = []

    def _page(width=1280, height=800):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", base_url=live_server.url
        )
        contexts.append(context)
        return context.new_page()

    yield _page
    for context in contexts:
        context.close()


def log_in(page, username, password):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
