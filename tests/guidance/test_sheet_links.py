"""One way from a sheet link to its plan (guidance.services.read_sheet), for every caller."""

import pytest
from django.urls import reverse

from tests.applications.cases import SUPERMARKET
from tongban.applications.models import Application
from tongban.core.yamlfile import ContentError, ContentErrors
from tongban.guidance import services as guidance
from tongban.guidance.services import sheet_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Answers of an older guide: "drugs" no longer takes this value.
STALE = sheet_token("supermarket-small", {**SUPERMARKET, "drugs": "by-the-tonne"})


@pytest.fixture
def applicant(client, demo_catalogue):
    user = demo_catalogue["jingan.fresh"]
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def broken_guidance(monkeypatch):
    def fail():
        raise ContentErrors([ContentError("activities/x.yaml", 1, "name", "broken")])

    monkeypatch.setattr(guidance, "current_guide", fail)


def test_read_sheet_drops_answers_no_longer_valid(demo_catalogue):
    sheet = guidance.read_sheet(STALE)
    assert "drugs" not in sheet.answers and not sheet.plan.complete
    with pytest.raises(guidance.InvalidSheet):
        guidance.read_sheet("not-a-token")


def test_the_api_does_not_apply_with_answers_that_are_no_longer_valid(applicant):
    response = applicant.post(f"{API}/applications", {"sheet": STALE},
                              content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and response.json()["field"] == "sheet"
    assert not Application.objects.exists()


def test_the_page_does_not_apply_with_answers_that_are_no_longer_valid(applicant):
    response = applicant.post(reverse("applications:start"), {"sheet": STALE}, follow=True)
    assert "Answer every question of the sheet" in response.content.decode()
    assert not Application.objects.exists()


def test_broken_guidance_files_are_a_message_on_the_page_not_a_500(applicant, broken_guidance):
    token = sheet_token("supermarket-small", SUPERMARKET)
    response = applicant.post(reverse("applications:start"), {"sheet": token}, follow=True)
    assert response.status_code == 200
    assert "The guidance is being updated" in response.content.decode()
    assert not Application.objects.exists()


def test_broken_guidance_files_are_a_503_problem_in_the_api(applicant, broken_guidance):
    token = sheet_token("supermarket-small", SUPERMARKET)
    started = applicant.post(f"{API}/applications", {"sheet": token},
                             content_type="application/json")  # fmt: skip
    assert started.status_code == 503 and started["Content-Type"] == "application/problem+json"
    assert applicant.get(f"{API}/guidance/sheets/{token}").status_code == 503
    assert applicant.get(reverse("guidance:sheet", args=[token])).status_code == 503


def test_a_bad_sheet_link_is_not_found_everywhere(applicant):
    assert applicant.get(f"{API}/guidance/sheets/forged").status_code == 404
    assert applicant.get(reverse("guidance:sheet", args=["forged"])).status_code == 404
    assert applicant.get(reverse("guidance:forms_pdf", args=["forged"])).status_code == 404
    started = applicant.post(f"{API}/applications", {"sheet": "forged"},
                             content_type="application/json")  # fmt: skip
    assert started.status_code == 422 and started.json()["field"] == "sheet"
