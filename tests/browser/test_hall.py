"""A visit to Pengpu Xincun's hall in the browser: a ticket at the kiosk (with JavaScript
and without), the display board showing the call within its polling, the clerk calling,
serving (a matter added, its life event's related matters offered) and finishing on the
spot, the visitor's status page following along, the counter's rating tablet offering the
visitor's ticket, and the visitor rating the service from the status page behind the
ticket's QR code; the manager's history as charts; a board and a kiosk carrying on after a
network loss. Every distinct page is checked with axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from tongban.hall import devices
from tongban.hall.models import Hall, Handling
from tongban.ratings.models import FollowUp, Rating

from .conftest import _WITHOUT_JS, assert_accessible, follow, swapped
from .test_applications import log_in, tick

PENGPU = "jingan-pengpu-xincun-community"
NEWBORN = "hcs-newborn-resident-insurance"


def act(page: Page, button: str) -> None:
    """A button of the clerk's counter: htmx (hx-boost) swaps the page in place."""
    with swapped(page):
        page.get_by_role("button", name=button).click()


def device_page(browser, site: str, role: str, javascript: bool = True) -> Page:
    hall = Hall.objects.get(centre__code=PENGPU)
    counter = hall.counters.get(number=1) if role == "rater" else None
    _, key = devices.create(hall, role, f"{role} 1", counter)
    context = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()
    if not javascript:
        _WITHOUT_JS[id(page)] = browser  # axe checks its HTML in a page that runs scripts
    page.goto(f"{site}/hall/{PENGPU}/{role}/?key={key}")
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.usefixtures("centre_open")
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

    tablet = device_page(browser, site, "rater", javascript)  # at counter 1
    expect(tablet.get_by_text(re.compile("C001"))).to_be_visible()
    expect(tablet.get_by_role("button", name="非常满意")).to_be_visible()
    assert_accessible(tablet)
    tablet.context.close()  # the visitor walks away and rates later, from the QR code

    follow(visitor.get_by_role("link", name="评价本次服务"))
    assert_accessible(visitor)
    tick(visitor.get_by_role("group", name=re.compile("您对本次服务满意吗")), "不满意")
    tick(visitor.get_by_role("group", name=re.compile("您最看重哪些方面")), "等候时间")
    visitor.get_by_label("评价内容（选填）").fill("等了很久。")
    follow(visitor.get_by_role("button", name="提交评价"))
    expect(visitor.get_by_text("感谢您的评价。")).to_be_visible()
    expect(visitor.get_by_text(re.compile("此次办事已评价：不满意"))).to_be_visible()
    assert_accessible(visitor)
    rating = Rating.objects.get(label="C001")
    assert (rating.grade, rating.source, rating.reasons) == ("dissatisfied", "qr", ["waiting"])
    assert FollowUp.objects.get(rating=rating).state == "revisiting"  # a bad rating
    board.context.close()
    kiosk.context.close()


def test_the_manager_sees_the_history_as_charts_beside_their_tables(
    page: Page, site, demo_catalogue
):
    from datetime import timedelta

    from django.utils import timezone

    from tongban.hall.demo import generate_history

    hall = Hall.objects.get(centre__code=PENGPU)
    yesterday = timezone.localdate() - timedelta(days=1)
    generate_history(hall, days=1, last=yesterday)
    log_in(page, site, "manager.pengpu")
    page.goto(f"{site}/hall/manage/history/?day={yesterday:%Y-%m-%d}")
    charts = page.locator("figure.tb-chart svg")
    expect(charts).to_have_count(6)
    expect(page.get_by_role("table")).to_have_count(5)
    assert_accessible(page)


def test_without_javascript_the_history_shows_simple_bars_and_the_tables(
    page_without_js: Page, site
):
    log_in(page_without_js, site, "manager.pengpu")
    page_without_js.goto(f"{site}/hall/manage/history/")
    expect(page_without_js.locator("figure.tb-bars")).to_have_count(6)
    expect(page_without_js.locator("figure.tb-chart")).to_have_count(0)
    assert_accessible(page_without_js)


@pytest.mark.usefixtures("centre_open")
def test_a_board_and_a_kiosk_that_lose_the_network_carry_on_by_themselves(browser, site):
    from tongban.accounts.models import User
    from tongban.hall import counters, tickets

    board = device_page(browser, site, "board")
    kiosk = device_page(browser, site, "kiosk")
    for device in (board, kiosk):
        device.context.set_offline(True)
    kiosk.get_by_role("button", name="户籍和身份证").click()  # tapped while the network is down
    expect(kiosk.locator("#offline")).to_be_visible()
    expect(board.locator("#offline")).to_be_visible()
    assert kiosk.url.endswith("/kiosk/")

    hall = Hall.objects.get(centre__code=PENGPU)
    ticket = tickets.issue(hall, channel="staff", queue=tickets.served_queues(hall)[2])
    clerk = User.objects.get(username="clerk.pengpu")
    tickets.call_next(counters.sign_in(hall.counters.get(number=1), clerk), clerk)
    for device in (board, kiosk):
        device.context.set_offline(False)
    expect(board.locator("#offline")).to_be_hidden()
    expect(board.get_by_text(ticket.number, exact=True)).to_be_visible()
    expect(kiosk.locator("#offline")).to_be_hidden(timeout=15000)  # reloaded by itself
    follow(kiosk.get_by_role("button", name="户籍和身份证"))
    expect(kiosk.get_by_text("C002", exact=True)).to_be_visible()
    kiosk.clock.install()
    kiosk.reload()
    kiosk.clock.fast_forward(61_000)  # the next visitor finds the kiosk, not this ticket
    expect(kiosk).to_have_url(re.compile(r"/kiosk/$"))
    for device in (board, kiosk):
        device.context.close()
