"""Playwright for Python driving Debian's chromium against a live server with the demo data."""

import functools
import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, sync_playwright

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
    page.set_default_timeout(10_000)
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


def assert_accessible(page: Page) -> None:
    """axe-core on the page as it is now: no serious or critical violation.

    A page opened without JavaScript cannot run axe, so its HTML is served again,
    at the same address, to a page that can.
    """
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
