"""A newcomer finds the food business licence and reads its guide, with and without JS."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, follow, swapped


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_newcomer_finds_the_food_licence_and_reads_its_guide(
    request, site, demo_catalogue, javascript
):
    page = request.getfixturevalue("page" if javascript else "page_without_js")
    page.goto(site + "/")
    page.get_by_label("Search services").fill("食品")
    follow(page.get_by_role("button", name="Search", exact=True))
    assert_accessible(page)
    follow(page.get_by_role("link", name="Food business licence (new application)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Food business licence (new application)"
    )
    for section in ("Conditions", "Materials", "Steps", "Where and when", "Legal basis"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.get_by_text("Food Safety Law").first).to_be_visible()
    assert_accessible(page)
    follow(page.get_by_role("button", name="中文"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    assert_accessible(page)
    follow(page.locator("a[href$='/print/']"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")


def test_search_updates_as_you_type_with_htmx(site, demo_catalogue, page):
    page.goto(site + "/services/")
    with swapped(page):  # htmx asks for the results as you type
        page.get_by_label("Search services").fill("spjy")
    expect(page.get_by_role("heading", name="matters found")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/services/\?q=spjy"))  # pushed: the URL is shareable
    assert_accessible(page)
