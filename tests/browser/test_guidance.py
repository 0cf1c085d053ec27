"""A small supermarket that also sells bulk cooked food and OTC drugs, from the home page
to the printed sheet and the filled-in forms, with htmx and without JavaScript."""

import subprocess

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, follow, swapped


def answer(page: Page, field_id: str, javascript: bool) -> None:
    """Tick an answer by its label (USWDS hides the input itself)."""
    if not javascript:
        page.locator(f"label[for='{field_id}']").click()
        follow(page.get_by_role("button", name="Update"))
        return
    with swapped(page):  # htmx asks for the new plan
        page.locator(f"label[for='{field_id}']").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_open_a_small_supermarket_and_leave_with_one_sheet(
    request, site, demo_catalogue, javascript, tmp_path
):
    page = request.getfixturevalue("page" if javascript else "page_without_js")
    page.goto(site + "/")
    follow(page.get_by_role("link", name="Start").first)
    assert_accessible(page)
    follow(page.get_by_role("link", name="Open a supermarket"))
    follow(page.get_by_role("link", name="Small supermarket"))
    assert_accessible(page)
    for field in ("a-registered-no", "a-entity-company", "a-sells-prepackaged", "a-sells-cooked",
                  "a-makes_food-no", "a-drugs-otc-b", "a-signboard-no"):  # fmt: skip
        answer(page, field, javascript)
    plan = page.locator(".tb-plan")
    expect(plan).to_contain_text("Food business licence (new application)")
    expect(plan).to_contain_text("Drug business licence (retail)")
    expect(plan).not_to_contain_text("Filing for selling only pre-packaged food")
    assert_accessible(page)

    answer(page, "a-drugs-none", javascript)  # change one answer: no medicines after all
    expect(plan).not_to_contain_text("Drug business licence (retail)")
    expect(plan).to_contain_text("Food business licence (new application)")

    follow(page.get_by_role("link", name="See my sheet"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Small supermarket")
    assert_accessible(page)
    page.emulate_media(media="print")
    sheet_pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(sheet_pdf), format="A4")  # what the browser prints
    pages = subprocess.run(["pdfinfo", str(sheet_pdf)], capture_output=True, text=True).stdout
    assert "Pages:           1" in pages, pages  # the one sheet fits one A4 page
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download forms").click()
    forms = tmp_path / "forms.pdf"
    download.value.save_as(forms)
    text = subprocess.run(["pdftotext", str(forms), "-"], capture_output=True, text=True).stdout
    assert "Application for a food business licence" in text
    assert "Bulk cooked food (deli)" in text
    assert "Application for a drug business licence" not in text
