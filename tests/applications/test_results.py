"""What a case issues: documents only where the catalogue names a result, refusal letters
titled for the matter's type, validity from the issue date, revocation, and the vault."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from tongban.applications import issuing, selectors, services
from tongban.applications.models import Document, IssuedDocument
from tongban.applications.services import clocks
from tongban.audit.models import AuditEntry
from tongban.catalogue.content import named_evidence
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.notifications.models import Notification

from .cases import decided, fill_and_upload, start_supermarket

pytestmark = pytest.mark.django_db


def _matter(code: str) -> Matter:
    return Matter.objects.get(version=public_version(), code=code)


def _result_evidence(code: str) -> str:
    matter = _matter(code)
    return matter.result_evidence.code if matter.result_evidence else ""


def test_a_result_is_evidence_of_the_type_named_like_it(demo_catalogue):
    assert _result_evidence("market-food-business-licence") == "food-licence-certificate"
    assert _result_evidence("market-food-licence-change") == "food-licence-certificate"
    assert _result_evidence("market-company-establishment") == "business-licence"
    assert _result_evidence("green-kitchen-waste-declaration") == ""


def test_a_result_named_like_no_evidence_type_is_evidence_of_none():
    types = {"business-licence": {"name": {"en": "Business licence", "zh": "营业执照"}}}
    assert named_evidence("营业执照（换发）", types) == "business-licence"
    assert named_evidence("营业执照副本说明", types) is None
    assert named_evidence("", types) is None


def test_the_vault_offers_an_issued_certificate_to_the_next_application(
    client, login, demo_catalogue
):
    application = decided(demo_catalogue)
    applicant = application.applicant
    issuing.issue(application, demo_catalogue["manager"])
    licence = Document.objects.get(owner=applicant, origin="issued",
                                   evidence="food-licence-certificate")  # fmt: skip

    change = services.start_from_matter(applicant, _matter("market-food-licence-change"))
    assert [d.pk for d in services.vault_offers(change)["food-licence-certificate"]] == [licence.pk]
    login("jingan.fresh")
    page = client.get(reverse("applications:detail", args=[change.number]))
    assert f'value="{licence.pk}"' in page.content.decode()
    answer = client.get(f"/api/v1/applications/{change.number}").json()
    line = next(m for m in answer["materials"] if m["key"] == "food-licence-certificate")
    assert line["offers"] == [licence.pk]


def _refused_filing_and_issued(demo_catalogue, monkeypatch, *, days_later: int = 0):
    """The supermarket case with the kitchen-waste filing refused, issued ``days_later``."""
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    # The filing is instant: the clerk refuses it on accepting.
    refusals = {"green-kitchen-waste-declaration": "Not a catering business"}
    services.accept(application, demo_catalogue["clerk"], refusals)
    for task in application.matters.filter(state="reviewing").select_related("department"):
        reviewer = next(u for u in demo_catalogue.values()
                        if u.department_id == task.department_id)  # fmt: skip
        services.approve(task, reviewer, scope="Retail")
    later = clocks.today() + timedelta(days=days_later)
    monkeypatch.setattr(clocks, "today", lambda: later)
    issuing.issue(application, demo_catalogue["manager"])
    return application


def test_results_only_where_the_catalogue_names_one_refusals_titled_by_type(
    client, login, demo_catalogue, monkeypatch
):
    application = _refused_filing_and_issued(demo_catalogue, monkeypatch)
    issued = {d.task.matter.code: d for d in selectors.issued_of(application)}
    refusal = issued["green-kitchen-waste-declaration"]
    assert refusal.kind == "refusal"
    check = issuing.check_serial(refusal.serial)
    assert check["matter"]["zh"] == "不予备案通知书" and not check["valid"]
    licence = issuing.check_serial(issued["market-food-business-licence"].serial)
    assert licence["matter"]["zh"] == "食品经营许可证"
    pdf = (settings.TONGBAN_UPLOAD_DIR / refusal.path).read_bytes()
    assert "不予备案通知书" in pdf_text(pdf) and "不予行政许可决定书" not in pdf_text(pdf)

    login("jingan.fresh")
    answer = client.get(f"/api/v1/applications/{application.number}").json()
    titles = {d["matter"]: d["title"]["en"] for d in answer["issued"]}
    assert titles["green-kitchen-waste-declaration"] == "Notice of refusal to file"
    page = client.get(reverse("applications:detail", args=[application.number])).content
    assert "Notice of refusal to file" in page.decode()


def test_an_approved_matter_without_a_result_issues_nothing(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    application = services.start_from_matter(applicant, _matter("green-kitchen-waste-declaration"))
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    application.refresh_from_db()
    if application.state == "submitted":
        services.accept(application, demo_catalogue["clerk"])
    assert application.matters.get().state == "approved"  # instant: decided on acceptance
    assert issuing.issue(application, demo_catalogue["manager"]) == []
    application.refresh_from_db()
    assert application.state == "completed"
    assert not IssuedDocument.objects.filter(task__application=application).exists()
    assert not Document.objects.filter(owner=applicant, origin="issued").exists()
    assert Notification.objects.filter(user=applicant, text_en__contains="no document").exists()


def test_validity_runs_from_the_issue_date(demo_catalogue, monkeypatch):
    application = _refused_filing_and_issued(demo_catalogue, monkeypatch, days_later=20)
    licence = selectors.issued_of(application).get(
        task__matter__code="market-food-business-licence"
    )
    assert licence.valid_from == clocks.today()
    assert licence.valid_until == clocks.validity_end(clocks.today(), 60)


def test_the_issuing_department_revokes_a_certificate(client, login, demo_catalogue):
    application = decided(demo_catalogue)
    issuing.issue(application, demo_catalogue["manager"])
    licence = selectors.issued_of(application).get(
        task__matter__code="market-food-business-licence"
    )
    revoke = reverse("applications:revoke", args=[licence.serial])
    case = reverse("applications:case", args=[application.number])

    login("reviewer.fire")  # another department on the case
    assert revoke not in client.get(case).content.decode()
    assert client.post(revoke, {"reason": "x"}).status_code == 403
    login("clerk")
    assert client.post(revoke, {"reason": "x"}).status_code == 403
    login("reviewer.health")  # not on the case at all
    assert client.post(revoke, {"reason": "x"}).status_code == 404

    login("reviewer.market")
    assert revoke in client.get(case).content.decode()
    empty = client.post(revoke, {"reason": " ", "serial": licence.serial})
    assert empty.status_code == 422 and "legal ground" in empty.content.decode()
    done = client.post(revoke, {"reason": "Premises closed (Food Safety Law art. 70)"})
    assert done.status_code == 302
    licence.refresh_from_db()
    assert licence.revoked_at and licence.revoked_by == demo_catalogue["reviewer.market"]
    entry = AuditEntry.objects.filter(object_type="applications.issueddocument").get()
    assert entry.object_label == licence.serial and "Premises closed" in str(entry.after)
    assert Notification.objects.filter(
        user=application.applicant, text_en__contains=f"{licence.serial}"
    ).exists()

    answer = client.post(f"/api/v1/certificates/{licence.serial}/revoke",
                         {"reason": "again"}, content_type="application/json")  # fmt: skip
    assert answer.status_code == 409
    public = client.get(f"/api/v1/verify/{licence.serial}").json()
    assert public["revoked"] and not public["valid"]
    assert "revoked" in client.get(reverse("verify", args=[licence.serial])).content.decode()
    # No longer offered from the vault.
    change = services.start_from_matter(
        application.applicant, _matter("market-food-licence-change")
    )
    assert "food-licence-certificate" not in services.vault_offers(change)


def test_revoking_over_the_api(client, login, demo_catalogue):
    application = decided(demo_catalogue)
    issuing.issue(application, demo_catalogue["manager"])
    signboard = selectors.issued_of(application).get(task__matter__code="green-shop-signboard")
    url = f"/api/v1/certificates/{signboard.serial}/revoke"
    login("reviewer.market")
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    login("reviewer.green")
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    answer = client.post(url, {"reason": "Sign removed"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["revoked"] and answer.json()["revoked_at"]


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
