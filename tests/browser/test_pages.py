"""Sign up, log in as each demo role, switch language; axe-core on every page visited."""

import pytest
from playwright.sync_api import Page, expect

from tongban.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

from .conftest import assert_accessible, follow


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_up_as_a_resident(request, site, javascript):
    page = request.getfixturevalue("page" if javascript else "page_without_js")
    visit(page, site + "/")
    follow(page.get_by_role("link", name="Sign up").first)
    assert_accessible(page)
    page.get_by_label("Username").fill("zhang.wei")
    page.get_by_label("Full name (as on your ID card)").fill("Zhang Wei")
    page.get_by_label("Resident ID number").fill("310106199001010031")  # wrong check digit
    page.get_by_label("Email").fill("zhang.wei@example.com")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-42")
    page.locator("#id_password2").fill("a-long-unusual-passphrase-42")
    follow(page.get_by_role("button", name="Create my account"))
    expect(page.get_by_text("check digit is wrong")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Resident ID number").fill("310106199001010030")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-42")
    page.locator("#id_password2").fill("a-long-unusual-passphrase-42")
    follow(page.get_by_role("button", name="Create my account"))
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text("310106199001010030")).to_be_visible()
    assert_accessible(page)


def test_sign_up_as_an_enterprise(site, page):
    visit(page, site + "/accounts/signup/?kind=enterprise")
    page.get_by_label("Username").fill("sunrise")
    page.get_by_label("Enterprise name").fill("Sunrise Supermarket Co., Ltd.")
    page.get_by_label("Unified social credit code").fill("91310106MA1FP3XQ0W")
    page.get_by_label("Contact person").fill("Sun Li")
    page.get_by_label("Email").fill("sun@example.com")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-42")
    page.locator("#id_password2").fill("a-long-unusual-passphrase-42")
    follow(page.get_by_role("button", name="Create my account"))
    expect(page.get_by_text("Sunrise Supermarket Co., Ltd.").first).to_be_visible()


STAFF_LANDING = {
    "admin": "Administration",
    "editor": "Audit trail",
    "manager": "Audit trail",
    "clerk": "Applicants",
    "reviewer": None,
}


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_log_in_as_each_demo_account(site, page, account):
    visit(page, site + "/accounts/login/")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    follow(page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    assert_accessible(page)
    staff_link = page.get_by_role("link", name="Staff workspace")
    if account.role in ("person", "enterprise"):
        expect(staff_link).to_have_count(0)
        return
    follow(staff_link)
    expect(page.get_by_role("heading", name="Staff workspace")).to_be_visible()
    assert_accessible(page)
    section = STAFF_LANDING[account.role]
    if section:
        page.get_by_role("heading", name=section).scroll_into_view_if_needed()
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    if account.role in ("clerk", "manager"):
        follow(page.get_by_role("link", name="Look up an applicant"))
        page.get_by_label("Name, username or phone").fill("Li Ming")
        follow(page.get_by_role("button", name="Search"))
        follow(page.get_by_role("link", name="Li Ming"))
        expect(page.get_by_text("310***********4216")).to_be_visible()
        assert_accessible(page)
    if account.role in ("editor", "manager", "admin"):
        visit(page, site + "/audit/")
        expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    follow(page.get_by_role("button", name="Log out"))
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_switch_language_everywhere(request, site, javascript):
    page = request.getfixturevalue("page" if javascript else "page_without_js")
    visit(page, site + "/organisations/")
    follow(page.get_by_role("button", name="中文"))
    expect(page.get_by_role("heading", level=1)).to_have_text("服务中心和部门")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_text("彭浦新村街道社区事务受理服务中心")).to_be_visible()
    assert_accessible(page)
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"):
        visit(page, site + path)
        assert page.locator("h1").inner_text().isascii() is False, path
    follow(page.get_by_role("button", name="English"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_phone_width_keeps_everything_reachable(site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    visit(page, site + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    expect(page.get_by_role("link", name="Service centres").first).to_be_visible()
    context.close()


def test_skip_link_moves_focus_to_the_content(site, page):
    visit(page, site + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
