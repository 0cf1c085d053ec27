"""Playwright for Python driving Debian's chromium against a live server with the demo data."""

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Upper bounds for a loaded machine: no step waits for a time, each waits for its own result.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, demo):
    return live_server.url


def _page(browser, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _page(browser, javascript=True)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context, page = _page(browser, javascript=False)
    _WITHOUT_JS[id(page)] = browser
    yield page
    _WITHOUT_JS.pop(id(page), None)
    context.close()


_WITHOUT_JS: dict[int, object] = {}


def follow(locator: Locator) -> None:
    """Click what opens a page (a link, a form's button) and wait until that page has loaded:
    the next step, and axe, never see the page before or half of the next one."""
    with locator.page.expect_event("load"):
        locator.click()


@contextmanager
def swapped(page: Page) -> Iterator[None]:
    """Around a step that makes htmx replace part of the page: wait until the swap settled."""
    page.evaluate(
        "() => { window.tbSettled = new Promise(resolve => document.addEventListener("
        "'htmx:afterSettle', () => resolve(true), {once: true})); }"
    )
    yield
    assert page.evaluate("() => window.tbSettled"), "htmx swapped nothing"


def assert_accessible(page: Page) -> None:
    """axe-core on the page as it is now: no serious or critical violation.

    The page has loaded (a step that opened it waited for that); any htmx request it
    started has settled. A page opened without JavaScript cannot run axe, so its HTML is
    served again, at the same address, to a page that can.
    """
    page.wait_for_load_state("load")
    browser = _WITHOUT_JS.get(id(page))
    if browser is not None:
        html, url = page.content(), page.url
        context = browser.new_context()
        checker = context.new_page()
        checker.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        checker.goto(url)
        try:
            return assert_accessible(checker)
        finally:
            context.close()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    violations = page.evaluate(
        "async () => {" + _axe_source() + "\n"
        "const result = await axe.run(document, {resultTypes: ['violations']});"
        "return result.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));}"
    )
    assert violations == [], f"{page.url}: {violations}"


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")
