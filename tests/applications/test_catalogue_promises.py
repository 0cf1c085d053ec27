"""Issue 11's own examples, each tried as the audit tried it: over the API (and the page
where the issue names one), on the demo data. Examples other modules already assert are
left to them (see the report of branch i11i); these are the ones nothing asserted yet."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.applications.models import Application, Document
from tongban.applications.services import clocks
from tongban.catalogue.models import Department, Matter
from tongban.catalogue.queries import public_version
from tongban.core import workdays
from tongban.guidance.services import sheet_token
from tongban.notifications.models import Notification

from .cases import SUPERMARKET, pdf_file

pytestmark = pytest.mark.django_db

API = "/api/v1"
ESTABLISHMENT = "market-company-establishment"
KITCHEN_WASTE = "green-kitchen-waste-declaration"  # a filing, no result, no courier
INTERNET_CAFE = "culture-internet-cafe-licence"


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def post(client, url: str, body: dict | None = None):
    return client.post(f"{API}{url}", body or {}, content_type="application/json")


def started(client, body: dict) -> dict:
    """As the signed-in applicant: start over the API and give the contact data."""
    case = ok(post(client, "/applications", body), 201)
    data = {**case["data"], "address": "1 Gonghe Road", "phone": "13800138000",
            "full_name": "Liu Yang"}  # fmt: skip
    ok(client.put(f"{API}/applications/{case['number']}/data", data,
                  content_type="application/json"))  # fmt: skip
    return case


def upload_all(client, case: dict, *, leave_out: str | None = None) -> None:
    """Upload every line the applicant can: not ``leave_out``, not what the case will issue."""
    for line in case["materials"]:
        if line["key"] != leave_out and not line["from_matter"]:
            ok(client.post(f"{API}/applications/{case['number']}/materials",
                           {"material": line["key"], "file": pdf_file()}), 201)  # fmt: skip


def reviewer(department: str) -> User:
    """The demo reviewer of a department, or a new one where the demo has none."""
    found = User.objects.filter(department__code=department, kind="staff").first()
    if found:
        return found
    user = User(username=f"reviewer.{department}")
    return make_staff(user, ["reviewer"], department=Department.objects.get(code=department))


def review_as(client, department: str) -> list[dict]:
    """Sign in as the department's reviewer; its inbox over the API."""
    client.force_login(reviewer(department))
    return ok(client.get(f"{API}/reviews"))["items"]


# --- 1 a new business applies for its whole sheet at once ------------------------------


def test_a_new_supermarket_submits_its_sheet_without_the_business_licence(client, login):
    login("jingan.fresh")
    token = sheet_token("supermarket-small", {**SUPERMARKET, "registered": False,
                                              "entity": "company"})  # fmt: skip
    case = started(client, {"sheet": token})
    number = case["number"]
    licence = next(m for m in case["materials"] if m["from_matter"])
    assert licence["from_matter"] == ESTABLISHMENT and licence["status"] == "awaited"
    upload_all(client, case)
    findings = ok(client.get(f"{API}/applications/{number}/precheck"))
    assert findings == []
    assert ok(post(client, f"/applications/{number}/submit"))["state"] == "submitted"

    login("clerk")
    ok(post(client, f"/applications/{number}/accept"))
    [task] = review_as(client, "jingan-market")
    assert task["matter"] == ESTABLISHMENT
    ok(post(client, f"/reviews/{task['id']}/approve", {"scope": "Retail of food"}))
    login("jingan.fresh")
    case = ok(client.get(f"{API}/applications/{number}"))
    assert next(m for m in case["materials"] if m["key"] == licence["key"])["status"] == (
        "provided"
    )
    assert [d["matter"] for d in case["issued"]] == [ESTABLISHMENT]
    states = {m["code"]: m["state"] for m in case["matters"]}
    assert states[ESTABLISHMENT] == "approved"
    assert all(state == "reviewing" for code, state in states.items() if code != ESTABLISHMENT)


# --- 2 co-implementing departments review too ------------------------------------------


def test_the_internet_cafe_is_decided_over_the_api_when_all_three_departments_are(client, login):
    login("jingan.fresh")
    case = started(client, {"matter": INTERNET_CAFE})
    upload_all(client, case)
    number = case["number"]
    ok(post(client, f"/applications/{number}/submit"))
    login("clerk")
    ok(post(client, f"/applications/{number}/accept"))

    departments = ["jingan-culture-tourism", "jingan-public-security", "jingan-fire-rescue"]
    inboxes = {code: review_as(client, code) for code in departments}
    assert all(len(tasks) == 1 and tasks[0]["application"] == number
               for tasks in inboxes.values()), inboxes  # fmt: skip
    for done, code in enumerate(departments, start=1):
        client.force_login(reviewer(code))
        ok(post(client, f"/reviews/{inboxes[code][0]['id']}/approve", {"scope": "Internet café"}))
        login("jingan.fresh")
        state = ok(client.get(f"{API}/applications/{number}"))["state"]
        assert state == ("decided" if done == len(departments) else "in_review"), code


# --- 3 city-wide: the centre chosen hears the applicant --------------------------------


def test_a_message_on_a_case_handed_in_at_pengpu_reaches_pengpu_and_baoshan(
    client, login, demo_catalogue
):
    login("chen.jing")
    case = started(client, {"matter": "health-family-planning-retirement-reward"})
    number = case["number"]
    upload_all(client, case)
    centres = ok(client.get(f"{API}/applications/{number}/centre"))["choices"]
    assert {c["code"] for c in centres} > {"jingan-pengpu-xincun-community"}
    ok(client.put(f"{API}/applications/{number}/centre",
                  {"centre": "jingan-pengpu-xincun-community"},
                  content_type="application/json"))  # fmt: skip
    ok(post(client, f"/applications/{number}/submit"))
    login("clerk.pengpu")
    ok(post(client, f"/applications/{number}/accept"))
    login("chen.jing")
    ok(post(client, f"/applications/{number}/messages", {"body": "My new phone number"}), 201)

    def told(username: str) -> bool:
        return Notification.objects.filter(user=demo_catalogue[username],
                                           text_en__contains="message from the applicant"
                                           ).exists()  # fmt: skip

    assert told("clerk.pengpu") and told("reviewer.baoshan")
    assert not told("clerk") and not told("reviewer.health")


# --- 5 channels: the sheet marks counter-only matters -----------------------------------


def test_the_sheet_marks_the_temporary_id_card_at_the_counter(client, demo_catalogue):
    cache.clear()  # sheet bodies are kept per guide version
    token = sheet_token("sscard-lost", {"also_lost": ["id-card"], "doctor": False})
    page = client.get(reverse("guidance:sheet", args=[token])).content.decode()
    entries = {entry.split("</strong>")[0]: entry for entry in page.split("<li><strong>")[1:]}
    assert "at the counter" in entries["Temporary resident identity card"]
    online = [name for name, entry in entries.items() if "at the counter" not in entry]
    assert "Reporting a lost resident identity card" in online


def test_a_certificate_for_a_family_member_names_them_as_its_holder(client, login):
    card = "hr-social-security-card-reissue"  # city-wide, with a result
    login("li.ming")
    case = started(client, {"matter": card})
    number = case["number"]
    spouse = {"relation": "spouse", "name": "Zhang Hui", "id_number": "310113198811054018",
              "district": "310106"}  # fmt: skip
    ok(client.put(f"{API}/applications/{number}/matters/{card}/beneficiary", spouse,
                  content_type="application/json"))  # fmt: skip
    upload_all(client, case)
    ok(post(client, f"/applications/{number}/submit", {"commitment": True}))
    login("clerk")
    ok(post(client, f"/applications/{number}/accept"))
    [task] = review_as(client, "jingan-human-resources")
    ok(post(client, f"/reviews/{task['id']}/approve", {"fee": "0"}))  # waived
    login("manager")
    [certificate] = ok(post(client, f"/applications/{number}/issue"))
    client.logout()
    assert ok(client.get(f"{API}/verify/{certificate['serial']}"))["holder"] == "Zhang Hui"


# --- 6 audience, on the pages -----------------------------------------------------------


def test_li_ming_cannot_start_an_enterprise_matter_on_the_page(client, login):
    login("li.ming")
    shown = client.post(reverse("applications:start"),
                        {"matter": "market-device-online-sales-filing"}, follow=True)  # fmt: skip
    assert "Only organisations may apply for" in shown.content.decode()
    assert not Application.objects.exists()


def test_li_ming_is_not_offered_to_apply_for_an_enterprise_matter(client, login):
    login("li.ming")
    page = client.get(reverse("matter", args=["market-device-online-sales-filing"]))
    assert "Apply online" not in page.content.decode()
    login("clerk")
    page = client.get(reverse("matter", args=["market-device-online-sales-filing"]))
    assert "Apply online" not in page.content.decode()
    login("jingan.fresh")
    page = client.get(reverse("matter", args=["market-device-online-sales-filing"]))
    assert "Apply online" in page.content.decode()


def test_li_ming_cannot_apply_for_a_business_sheet_over_the_api(client, login):
    login("li.ming")
    refused = post(client, "/applications", {"sheet": sheet_token("supermarket-small",
                                                                  SUPERMARKET)})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["field"] == "sheet"
    assert not Application.objects.exists()


# --- 8 courier delivery: a courier-off filing alone --------------------------------------


def test_a_courier_off_filing_cannot_be_posted(client, login):
    login("jingan.fresh")
    case = started(client, {"matter": KITCHEN_WASTE})
    filing = Matter.objects.get(version=public_version(), code=KITCHEN_WASTE)
    assert filing.type == "filing" and filing.courier_delivery is False
    number = case["number"]
    refused = client.put(f"{API}/applications/{number}/delivery",
                         {"method": "post", "address": "1 Gonghe Road, Jing'an, Shanghai"},
                         content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and refused.json()["field"] == "method"
    assert ok(client.get(f"{API}/applications/{number}"))["delivery"]["post_offered"] is False
    page = client.get(reverse("applications:detail", args=[number])).content.decode()
    assert 'value="post"' not in page


# --- 11 tolerable absence, in the API ---------------------------------------------------


def test_the_api_dates_a_tolerated_material_from_acceptance(client, login, monkeypatch):
    login("jingan.fresh")
    case = started(client, {"matter": "market-food-business-licence"})
    number = case["number"]
    owed = next(m["key"] for m in case["materials"] if not m["principal"])
    upload_all(client, case, leave_out=owed)
    monkeypatch.setattr(clocks, "today", lambda: date(2026, 3, 2))
    ok(post(client, f"/applications/{number}/submit", {"commitment": True}))
    line = next(m for m in ok(client.get(f"{API}/applications/{number}"))["materials"]
                if m["key"] == owed)  # fmt: skip
    assert line["status"] == "tolerated" and line["due_on"] is None
    monkeypatch.setattr(clocks, "today", lambda: date(2026, 3, 16))
    login("clerk")
    ok(post(client, f"/applications/{number}/accept"))
    line = next(m for m in ok(client.get(f"{API}/applications/{number}"))["materials"]
                if m["key"] == owed)  # fmt: skip
    assert line["due_on"] == workdays.add_working_days(date(2026, 3, 16), 5).isoformat()


# --- 13 results: the kitchen-waste declaration -------------------------------------------


def _kitchen_waste_decided(client, login, refuse: dict | None) -> str:
    """The declaration is instant: the accepting clerk decides it, refusing with ``refuse``."""
    login("jingan.fresh")
    case = started(client, {"matter": KITCHEN_WASTE})
    upload_all(client, case)
    number = case["number"]
    ok(post(client, f"/applications/{number}/submit", {"commitment": True}))
    login("clerk")
    body = {"refuse": [{"matter": KITCHEN_WASTE, **refuse}]} if refuse else {}
    ok(post(client, f"/applications/{number}/accept", body))
    login("manager")
    return number


def test_an_approved_kitchen_waste_declaration_gets_no_certificate(client, login):
    number = _kitchen_waste_decided(client, login, None)
    assert ok(post(client, f"/applications/{number}/issue")) == []
    login("jingan.fresh")
    case = ok(client.get(f"{API}/applications/{number}"))
    assert case["state"] == "completed" and case["issued"] == []
    assert not Document.objects.filter(origin="issued").exists()
    assert [d for d in ok(client.get(f"{API}/vault")) if d["origin"] == "issued"] == []


def test_verify_does_not_call_a_refused_kitchen_waste_declaration_valid(client, login):
    number = _kitchen_waste_decided(client, login, {"reason": "Not a caterer"})
    [letter] = ok(post(client, f"/applications/{number}/issue"))
    client.logout()
    check = ok(client.get(f"{API}/verify/{letter['serial']}"))
    assert check["kind"] == "refusal" and check["valid"] is False
    assert check["matter"]["zh"] == "不予备案通知书"
    page = client.get(reverse("verify", args=[letter["serial"]])).content.decode()
    assert "Genuine decision letter" in page and "Genuine and valid" not in page


# --- the numbers the rules and the issue cite ------------------------------------------


def test_the_catalogue_has_the_numbers_the_rules_cite(demo_catalogue):
    matters = Matter.objects.filter(version=public_version())
    with_result = matters.exclude(result_name_zh="")
    assert matters.filter(result_name_zh="").count() == 94  # docs/case-rules.md, Results
    assert (with_result.count(), with_result.exclude(result_evidence=None).count()) == (170, 61)
    assert matters.filter(fees__isnull=False).distinct().count() == 9  # Fees
    together = matters.filter(co_departments__isnull=False).distinct()
    assert together.count() == 15  # issue 11, point 2
    assert matters.filter(kind="instant").count() == 145  # point 7
    assert matters.filter(on_the_spot=True).count() == 144
