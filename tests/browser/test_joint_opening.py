"""The issue's main journey for a new business, in the browser: an Internet café without a
business licence yet goes through the guidance to one sheet (company establishment, the
Internet café licence, which culture and tourism reviews together with public security and
fire and rescue, and the fire safety check before opening), applies for all of it at once
without the business licence, which is awaited; the clerk accepts; market regulation
approves the company, its business licence is issued at once and attached to the waiting
matters, which then start in every department's inbox, co-departments included; each
approves; nothing is to pay; the manager issues and the three certificates come together.

The applicant's pages run with JavaScript and, in a second run, without; staff always use a
browser with JavaScript. Every distinct page is checked with axe-core on the way.
"""

import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import assert_accessible, follow, swapped
from .test_applications import (
    ADDRESS,
    expect_message,
    inbox_rows,
    log_in,
    log_out,
    make_pdf,
    material_name,
    material_row,
    materials_table,
    open_staff_entry,
    upload,
)
from .test_guidance import answer

COMPANY = "Company establishment registration"
CAFE = "Internet café licence (Internet culture business licence)"
FIRE_CHECK = "Fire safety check before a public assembly venue opens"
LICENCE = "Business licence"
# Every department with a task once the business licence is issued, and its matters there.
WAITING = {
    "reviewer.culture": [CAFE],  # the lead department
    "reviewer.police": [CAFE],  # co-implementing
    "reviewer.fire": [CAFE, FIRE_CHECK],  # co-implementing, and its own matter
}


@pytest.fixture(autouse=True)
def _files(files, settings, live_server):
    """The live server runs in this process: it stores and signs into tmp_path."""
    settings.TONGBAN_PUBLIC_URL = live_server.url


def answer_area(page: Page, square_metres: str, javascript: bool) -> None:
    field = page.get_by_label("m²")
    if not javascript:
        field.fill(square_metres)
        follow(page.get_by_role("button", name="Update"))
        return
    with swapped(page):  # htmx asks for the new plan when the field changes
        field.fill(square_metres)
        field.blur()


def review_task(page: Page, number: str, matter: str) -> Locator:
    return page.get_by_role("link", name=re.compile(rf"^{number}\W+{re.escape(matter)}$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_new_internet_cafe_applies_once_and_every_department_reviews_after_its_licence(
    request, site, demo_catalogue, javascript, tmp_path
):
    applicant = request.getfixturevalue("page" if javascript else "page_without_js")
    staff = request.getfixturevalue("page")
    checked: set[str] = set()

    def check(page: Page, what: str) -> None:
        """axe-core once on each distinct page."""
        if what not in checked:
            checked.add(what)
            assert_accessible(page)

    # 1. The guidance: an Internet café of 120 m², no business licence yet.
    page = applicant
    log_in(page, site, "jingan.fresh")
    follow(page.get_by_role("link", name="Guidance"))
    follow(page.get_by_role("link", name="Open an Internet café or e-sports venue"))
    check(page, "activity")
    follow(page.get_by_role("link", name=re.compile(r"^Internet café ")))
    answer(page, "a-near_school-no", javascript)
    answer(page, "a-residential-no", javascript)
    answer_area(page, "120", javascript)
    for field in ("a-business_licence-none", "a-fitout-no", "a-signboard-no"):
        answer(page, field, javascript)
    plan = page.locator(".tb-plan")
    for matter in (COMPANY, CAFE, FIRE_CHECK):
        expect(plan).to_contain_text(matter)
    check(page, "scenario")
    follow(page.get_by_role("link", name="See my sheet"))
    matters = page.locator(".tb-plan-matters > li")
    expect(matters).to_have_count(3)
    expect(matters.first).to_contain_text(COMPANY)  # what the others need comes first
    for item in matters.all():
        expect(item.locator(".tb-where")).to_contain_text("Online or in person")
    check(page, "sheet")

    # 2. One application for the whole sheet: the business licence is awaited, not asked for.
    follow(page.get_by_role("button", name="Apply online"))
    expect_message(page, "is started")
    number = page.locator(".tb-number").inner_text()
    progress = page.get_by_role("table", name="Each matter, its department and its progress")
    expect(progress.locator("tbody").get_by_role("row")).to_have_count(5)  # café: 3 tasks
    for department in ("Public Security", "Fire and Rescue"):
        co = progress.get_by_role("row").filter(has_text=CAFE).filter(has_text=department)
        expect(co).to_contain_text("co-implementing")
    check(page, "draft")
    page.get_by_label("Address of the premises or residence").fill(ADDRESS)
    page.get_by_label("Contact phone").fill("13800138000")
    follow(page.get_by_role("button", name="Save", exact=True))
    expect_message(page, "Saved.")
    awaited = material_row(page, LICENCE)
    expect(awaited).to_contain_text("issued in this application when the matter it comes from")
    expect(awaited.get_by_role("button")).to_have_count(0)  # nothing to upload
    rows = materials_table(page).locator("tbody").get_by_role("row")
    names = [
        material_name(row)
        for row in rows.all()
        if row.get_by_role("button", name=re.compile(r"^Upload\s*:")).count()
    ]
    assert LICENCE not in names and len(names) == rows.count() - 1, names
    for index, name in enumerate(names):
        upload(page, name, make_pdf(tmp_path / f"material-{index}.pdf"))
    expect(page.get_by_text("The pre-check found nothing missing.")).to_be_visible()
    check(page, "draft ready")
    follow(page.get_by_role("button", name="Submit the application"))
    expect_message(page, f"Submitted. Your case number is {number}.")
    log_out(page)

    # 3. The clerk accepts at the comprehensive counter.
    page = staff
    log_in(page, site, "clerk")
    open_staff_entry(page, "Open the acceptance queue")
    follow(page.get_by_role("link", name=number))
    expect(page.get_by_text("Comprehensive acceptance counter")).to_be_visible()
    check(page, "case submitted")
    follow(page.get_by_role("button", name="Accept the application"))
    expect_message(page, f"Application {number} is accepted")
    log_out(page)

    # 4. Only the company is reviewed: the matters needing its licence wait in no inbox.
    log_in(page, site, "reviewer.culture")
    open_staff_entry(page, "Open the review inbox")
    expect(inbox_rows(page, number)).to_have_count(0)
    check(page, "inbox")
    log_out(page)
    log_in(page, site, "reviewer.market")
    open_staff_entry(page, "Open the review inbox")
    expect(inbox_rows(page, number)).to_have_count(1)
    follow(review_task(page, number, COMPANY))
    others = page.get_by_role("region", name="Other departments on this application")
    expect(others.get_by_role("listitem")).to_have_count(4)
    expect(others.get_by_role("listitem").filter(has_text="waiting")).to_have_count(4)
    check(page, "task")
    follow(page.get_by_role("button", name="Approve"))
    expect_message(page, "Approved.")
    log_out(page)

    # 5. The business licence is issued at once and is the waiting matters' material; they
    # start in parallel in every department, co-departments included, and each approves.
    for reviewer, matters_there in WAITING.items():
        log_in(page, site, reviewer)
        open_staff_entry(page, "Open the review inbox")
        expect(inbox_rows(page, number)).to_have_count(len(matters_there))
        for matter in matters_there:
            row = inbox_rows(page, number).filter(has_text=matter)
            expect(row).to_contain_text("reviewing")
            # Its clock starts now, on the day the licence is issued.
            expect(row).to_contain_text(re.compile(r"0 working days used, \d+ days left"))
        for matter in matters_there:
            follow(review_task(page, number, matter))
            own = page.get_by_role("region", name="Materials for this matter")
            licence = own.get_by_role("row").filter(has_text=LICENCE)
            expect(licence).to_contain_text("provided")
            link = licence.get_by_role("link", name=re.compile(r"^Download"))
            assert page.request.get(urljoin(page.url, link.get_attribute("href"))).ok
            check(page, "task with the issued licence")
            follow(page.get_by_role("button", name="Approve"))
            expect_message(page, "Approved.")
            follow(page.get_by_role("link", name="Review inbox"))
        expect(inbox_rows(page, number)).to_have_count(0)
        log_out(page)

    # 6. Nothing to pay; the manager issues the results together.
    page = applicant
    log_in(page, site, "jingan.fresh")
    follow(page.get_by_role("link", name="My applications").first)
    follow(page.get_by_role("link", name=number))
    expect(page.locator(".tb-state").first).to_have_text("decided, awaiting issue")
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_have_count(0)
    check(page, "decided")
    log_out(page)
    page = staff
    log_in(page, site, "manager")
    open_staff_entry(page, "Open the applications")
    follow(page.get_by_role("link", name=number))
    follow(page.get_by_role("button", name="Issue the results"))
    expect_message(page, re.compile(r"Issued \d+ document\(s\)"))
    issued = page.get_by_role("table", name="Signed and verifiable by their serial")
    for matter in (COMPANY, CAFE, FIRE_CHECK):
        expect(issued.get_by_role("row").filter(has_text=matter)).to_have_count(1)
    expect(issued.locator("tbody").get_by_role("row")).to_have_count(3)
    check(page, "case issued")
    log_out(page)

    # 7. The applicant has the three certificates, each downloadable, ready for pickup.
    page = applicant
    log_in(page, site, "jingan.fresh")
    follow(page.get_by_role("link", name="My applications").first)
    follow(page.get_by_role("link", name=number))
    results = page.get_by_role("list").filter(has=page.get_by_role("link", name="check"))
    certificates = results.get_by_role("listitem")
    expect(certificates).to_have_count(3)
    for name in (LICENCE, "Internet culture business licence", "Fire safety check permit"):
        title = re.compile(rf"^\s*{name}")
        expect(certificates.filter(has_text=title)).to_have_count(1)
    for certificate in certificates.all():
        link = certificate.get_by_role("link").first
        download = page.request.get(urljoin(page.url, link.get_attribute("href")))
        assert download.ok and download.body().startswith(b"%PDF"), link.get_attribute("href")
    parcel = page.get_by_role("heading", name="Delivery", exact=True).locator("+ p")
    expect(parcel).to_contain_text("ready for pickup")
    check(page, "issued")
    log_out(page)
