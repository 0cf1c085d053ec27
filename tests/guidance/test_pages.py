"""The funnel pages and the guidance API on the supermarket funnel."""

import re
import subprocess

import pytest
from django.test import override_settings
from django.urls import reverse

from tongban.guidance import analytics
from tongban.guidance.models import FunnelCount

from .test_engine import supermarket_only

ANSWERS = (
    "?a-registered=no&a-entity=company&a-sells-seen=1&a-sells=prepackaged&a-sells=cooked"
    "&a-makes_food=no&a-drugs=otc-b&a-devices-seen=1&a-signboard=yes"
)


PLANNED = [
    "Company establishment registration",
    "Food business licence (new application)",
    "Drug business licence (retail)",
    "Permit to put up an outdoor shop signboard",
]


@pytest.fixture
def site(demo_catalogue, tmp_path):
    with override_settings(TONGBAN_GUIDANCE_DIR=supermarket_only(tmp_path), VAR_DIR=tmp_path):
        yield


def test_the_funnel_from_activity_to_scenario(client, site):
    start = client.get(reverse("guidance:start")).content.decode()
    assert "Open a supermarket" in start and "Start or change a business" in start
    activity = client.get(reverse("guidance:activity", args=["open-supermarket"])).content.decode()
    assert "Small supermarket" in activity and "Wholesale food store" in activity
    first = client.get(reverse("guidance:scenario", args=["supermarket-small"])).content.decode()
    assert "Does the business already have a business licence?" in first
    assert "What kind of business will hold the shop?" not in first  # shown only when relevant
    assert "0 of 6 questions answered" in first and "See my sheet" not in first


def test_answers_give_the_plan_and_a_sheet_with_a_qr_code(client, site):
    url = reverse("guidance:scenario", args=["supermarket-small"])
    page = client.get(url + ANSWERS).content.decode()
    assert "7 of 7 questions answered" in page
    for name in PLANNED:
        assert name in page, name
    assert "Filing for selling only pre-packaged food" not in page
    sheet_url = re.search(r'href="(/guide/sheet/[^"]+)"', page).group(1)
    sheet = client.get(sheet_url).content.decode()
    assert "<svg" in sheet and "Food business licence (new application)" in sheet
    assert "Change my answers" in sheet
    change = re.search(r'href="(/guide/s/supermarket-small/\?[^"]+)"', sheet).group(1)
    again = client.get(change.replace("&amp;", "&")).content.decode()
    assert "7 of 7 questions answered" in again


def test_bad_answers_and_links_are_told_not_crashed(client, site):
    url = reverse("guidance:scenario", args=["supermarket-small"])
    response = client.get(url + "?a-drugs=heroin")
    assert response.status_code == 200 and "is not an option" in response.content.decode()
    assert client.get(reverse("guidance:sheet", args=["forged.token"])).status_code == 404
    assert client.get(reverse("guidance:scenario", args=["nope"])).status_code == 404


def test_the_api_resolves_and_names_invalid_answers(client, site):
    answers = {"registered": True, "sells": ["cooked"], "makes_food": False, "drugs": "none",
               "devices": [], "signboard": False}  # fmt: skip
    body = {"scenario": "supermarket-small", "answers": answers}
    response = client.post("/api/v1/guidance/resolve", body, content_type="application/json")
    plan = response.json()
    assert response.status_code == 200 and plan["complete"]
    assert [m["code"] for m in plan["matters"]] == [
        "market-food-business-licence",
        "fire-assembly-venue-opening-check",
    ]
    assert plan["funnel"]["filtered_out"] > 0
    assert (
        client.get(f"/api/v1/guidance/sheets/{plan['token']}").json()["matters"] == plan["matters"]
    )
    invalid = {"scenario": "supermarket-small", "answers": {"drugs": "heroin", "area": 5}}
    bad = client.post("/api/v1/guidance/resolve", invalid, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"answers.drugs", "answers.area"}
    scenarios = client.get("/api/v1/guidance/activities").json()[0]["scenarios"]
    assert len(scenarios) == 5


def test_the_sheet_as_pdf_in_chinese_extracts_correctly(client, site, tmp_path):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("guidance:scenario", args=["supermarket-small"]) + ANSWERS)
    sheet_url = re.search(r'href="(/guide/sheet/[^"]+)"', page.content.decode()).group(1)
    response = client.get(sheet_url + "pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "食品经营许可（新办）" in text and "营业执照" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts  # the CJK font is embedded
    assert list((tmp_path / "pdf" / "sheet").glob("*.pdf"))  # cached for the next request
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", pages)  # the one sheet is one A4 page


def test_editors_see_the_funnel_graph(login, site, client):
    url = reverse("guidance:graph", args=["open-supermarket"])
    assert client.get(url).status_code == 302  # to the login page
    page = login("editor").get(url).content.decode()
    assert "flowchart LR" in page and "market-food-business-licence" in page
    assert "<svg" in page  # Graphviz is installed by make install


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_forms_are_filled_from_the_answers_and_the_signed_in_profile(login, site, tmp_path):
    client = login("jingan.fresh")
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("guidance:scenario", args=["supermarket-small"]) + ANSWERS)
    sheet_url = re.search(r'href="(/guide/sheet/[^"]+)"', page.content.decode()).group(1)
    response = client.get(sheet_url + "forms/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    text = _pdf_text(response.content, tmp_path)
    assert "食品经营许可申请书" in text and "药品经营许可证（零售）申请表" in text
    user = login("jingan.fresh").get("/").wsgi_request.user
    assert user.credit_code in text and user.enterprise_name in text
    assert "散装熟食" in text  # from the answers
    assert not list((tmp_path / "pdf").glob("forms/*.pdf"))  # personal: never cached


def test_managers_see_starts_stops_and_completions_without_personal_data(login, site, client):
    analytics.flush()  # counts of earlier tests are still in memory
    FunnelCount.objects.all().delete()
    url = reverse("guidance:scenario", args=["supermarket-small"])
    client.get(url)  # a start
    client.get(url + "?a-registered=no")  # stops at the next question
    client.get(url + ANSWERS)  # completes
    assert client.get(reverse("guidance:analytics")).status_code == 302  # managers only
    page = login("manager").get(reverse("guidance:analytics")).content.decode()
    row = re.search(r"Small supermarket</th>\s*<td>(\d+)</td><td>(\d+)</td>", page)
    assert row and row.groups() == ("1", "1")
    assert "What kind of business will hold the shop? (1)" in page
    stored = list(FunnelCount.objects.values_list("scenario", "step", "question"))
    assert ("supermarket-small", "reached", "entity") in stored
    allowed = {"supermarket-small", "start", "reached", "complete", "entity", ""}
    assert all(set(r) <= allowed for r in stored)  # ids only, never answers


def test_what_if_one_answer_were_different(client, site):
    answers = {"registered": True, "sells": ["prepackaged"], "makes_food": False,
               "drugs": "none", "devices": [], "signboard": False}  # fmt: skip
    body = {"scenario": "supermarket-standard", "answers": {**answers, "size": "under-1000"},
            "question": "size", "value": "from-1000"}  # fmt: skip
    diff = client.post("/api/v1/guidance/what-if", body, content_type="application/json").json()
    assert diff["matters_added"] == ["health-public-place-hygiene-licence"]
    assert diff["matters_removed"] == [] and "hygiene-test-report" in diff["materials_added"]
    body["value"] = "enormous"
    bad = client.post("/api/v1/guidance/what-if", body, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "answers.size"
