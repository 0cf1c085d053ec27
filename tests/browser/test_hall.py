"""A visit to Pengpu Xincun's hall in the browser: a ticket at the kiosk (with JavaScript
and without), the display board showing the call within its polling, the clerk calling,
serving (a matter added, its life event's related matters offered) and finishing on the
spot, and the visitor's status page following along. Every
distinct page is checked with axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from tongban.hall import devices
from tongban.hall.models import Hall, Handling

from .conftest import _WITHOUT_JS, assert_accessible, follow, swapped
from .test_applications import log_in

PENGPU = "jingan-pengpu-xincun-community"
NEWBORN = "hcs-newborn-resident-insurance"


def act(page: Page, button: str) -> None:
    """A button of the clerk's counter: htmx (hx-boost) swaps the page in place."""
    with swapped(page):
        page.get_by_role("button", name=button).click()


def device_page(browser, site: str, role: str, javascript: bool = True) -> Page:
    hall = Hall.objects.get(centre__code=PENGPU)
    _, key = devices.create(hall, role, f"{role} 1")
    context = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()
    if not javascript:
        _WITHOUT_JS[id(page)] = browser  # axe checks its HTML in a page that runs scripts
    page.goto(f"{site}/hall/{PENGPU}/{role}/?key={key}")
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_kiosk_ticket_is_called_on_the_board_served_on_the_spot_and_followed(
    browser, site, demo_catalogue, page: Page, javascript
):
    board = device_page(browser, site, "board")
    expect(board.get_by_text("暂无叫号")).to_be_visible()
    assert_accessible(board)

    kiosk = device_page(browser, site, "kiosk", javascript)
    expect(kiosk.get_by_role("heading", name=re.compile("取号"))).to_be_visible()
    assert_accessible(kiosk)
    follow(kiosk.get_by_role("button", name="户籍和身份证"))
    expect(kiosk.get_by_text("C001", exact=True)).to_be_visible()
    expect(kiosk.locator("figure svg")).to_be_visible()
    assert_accessible(kiosk)
    status_url = kiosk.locator("figcaption .tb-meta").inner_text()

    log_in(page, site, "clerk.pengpu")
    page.goto(f"{site}/hall/counter/")
    assert_accessible(page)
    follow(page.get_by_role("button", name="Sign in to counter 1", exact=True))
    act(page, "Call next")
    expect(page.get_by_text("Called C001.")).to_be_visible()
    assert_accessible(page)

    # The board polls every second: the call shows without a reload.
    expect(board.locator("tr.tb-board__latest")).to_contain_text("C001")
    expect(board.locator("tr.tb-board__latest td")).to_have_text("1")

    visitor = kiosk.context.new_page()  # the visitor's phone, with JavaScript or without
    if not javascript:
        _WITHOUT_JS[id(visitor)] = browser
    visitor.goto(status_url)
    expect(visitor.get_by_text("请到 1 号窗口。")).to_be_visible()
    assert_accessible(visitor)

    act(page, "The visitor is here: start")
    # The visitor also came for the newborn's insurance: the life event's other matters are
    # offered, and the form to take a case for the visitor (checked with axe).
    page.get_by_label("Add a matter to this visit (its code)").fill(NEWBORN)
    act(page, "Add")
    expect(page.get_by_role("heading", name="The family may also claim")).to_be_visible()
    expect(page.get_by_role("heading", name="Take an application for the visitor")).to_be_visible()
    assert_accessible(page)
    page.locator("label[for=outcome-on_the_spot]").click()
    page.get_by_label("Result given (done on the spot)").fill("ID card loss reported")
    act(page, "Finish")
    expect(page.get_by_text("C001 is finished.")).to_be_visible()
    [handling] = Handling.objects.all()  # the queue ticket's one named matter
    assert (handling.matter.code, handling.outcome) == (NEWBORN, "on_the_spot")

    visitor.reload()
    expect(visitor.get_by_text("已办结，感谢您的来访。")).to_be_visible()
    board.context.close()
    kiosk.context.close()
