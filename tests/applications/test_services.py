"""The chain of a multi-licence case through the services: apply, accept, review, issue."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from tongban.applications import delivery, issuing, services, signing
from tongban.applications.models import ApplicationMaterial, Document
from tongban.applications.services import clocks
from tongban.audit.models import AuditEntry
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core import workdays
from tongban.core.moves import CaseError

from .cases import fill_and_upload, pdf_file, start_supermarket, tolerable_key

pytestmark = pytest.mark.django_db


def test_supermarket_from_sheet_to_certificates_collected(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    departments = {t.department.code for t in application.matters.select_related("department")}
    assert {"jingan-market", "jingan-fire-rescue", "jingan-greening"} <= departments
    # Each evidence type once, however many matters need it.
    keys = list(application.materials.values_list("key", flat=True))
    assert len(keys) == len(set(keys))

    left_out = tolerable_key(application)
    fill_and_upload(application, applicant, leave_out=left_out)
    with pytest.raises(CaseError):
        services.submit(application, applicant)  # the commitment is not signed
    findings = services.submit(application, applicant, commitment=True)
    assert [f.material for f in findings] == [left_out]
    application.refresh_from_db()
    assert application.state == "submitted"
    line = application.materials.get(key=left_out)
    assert line.status == "tolerated" and line.due_on is None  # set at acceptance

    services.accept(application, demo_catalogue["clerk"])
    application.refresh_from_db()
    assert application.state == "in_review"
    line.refresh_from_db()
    assert line.due_on > clocks.today()

    tasks = {t.department.code: t for t in application.matters.select_related("department")}
    fire = tasks["jingan-fire-rescue"]
    with pytest.raises(PermissionDenied):
        services.approve(fire, demo_catalogue["reviewer.market"])
    due_before = fire.due_on
    request = services.request_supplement(
        fire, demo_catalogue["reviewer.fire"], material_keys=[keys[0]], reason="Unreadable scan"
    )
    services.upload(application, applicant, keys[0], pdf_file("again.pdf"), "again.pdf")
    services.upload(application, applicant, left_out, pdf_file("late.pdf"), "late.pdf")
    services.answer_supplement(application, applicant, request.pk, "Clear scan attached")
    fire.refresh_from_db()
    assert fire.state == "reviewing" and fire.due_on >= due_before and fire.paused_on is None

    reviewers = {"jingan-market": "reviewer.market", "jingan-fire-rescue": "reviewer.fire",
                 "jingan-greening": "reviewer.green"}  # fmt: skip
    # The greening department's two matters are instant: the clerk approved them on accepting.
    green = application.matters.filter(department__code="jingan-greening")
    assert {(t.state, t.decided_by.username) for t in green} == {("approved", "clerk")}
    every = list(application.matters.filter(state="reviewing").select_related("department"))
    for task in every:
        with pytest.raises(CaseError):
            issuing.issue(application, demo_catalogue["manager"])  # not all decided yet
        services.approve(task, demo_catalogue[reviewers[task.department.code]], scope="Retail")
    application.refresh_from_db()
    assert application.state == "decided"

    # Not every result of the sheet may be posted (point 8): they are collected.
    with pytest.raises(CaseError):
        services.set_delivery(application, applicant, "post", "1 Gonghe Road, Jing'an")
    issued = issuing.issue(application, demo_catalogue["manager"])
    # The kitchen-waste declaration has no result document: nothing is issued for it.
    decided = list(application.matters.select_related("matter"))
    with_result = [t for t in decided if t.matter.result_name_zh]
    assert len(issued) == len(with_result) == len(decided) - 1
    for document in issued:
        check = issuing.check_serial(document.serial)
        assert check["genuine"] and check["valid"]
        pdf = (settings.TONGBAN_UPLOAD_DIR / document.path).read_bytes()
        assert signing.verify_pdf(pdf).intact
    assert Document.objects.filter(owner=applicant, origin="issued").count() == len(with_result)

    application.refresh_from_db()
    parcel = application.delivery
    assert parcel.state == "ready" and parcel.pickup_code
    delivery.collect(application, demo_catalogue["clerk"], parcel.pickup_code)
    application.refresh_from_db()
    assert application.delivery.state == "collected" and application.state == "completed"
    services.rate(application, applicant, "very_satisfied", ["procedure"], "Fast")
    moves = AuditEntry.objects.filter(action="transition").count()
    # submit, accept; supplement, supply; one approval each; conclude, issue;
    # make ready, collect; complete
    assert moves == 2 + 2 + len(decided) + 2 + 2 + 1


def test_a_principal_material_cannot_be_missing(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    principal = application.materials.filter(principal=True).first()
    fill_and_upload(application, applicant, leave_out=principal.key)
    findings = services.submit(application, applicant, commitment=True)
    assert any(f.level == "error" and f.material == principal.key for f in findings)
    application.refresh_from_db()
    assert application.state == "draft"


def test_overdue_tolerated_material_blocks_approval(demo_catalogue, monkeypatch):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    left_out = tolerable_key(application)
    fill_and_upload(application, applicant, leave_out=left_out)
    services.submit(application, applicant, commitment=True)
    services.accept(application, demo_catalogue["clerk"])
    line = application.materials.get(key=left_out)
    task = next(t for t in application.matters.all()
                if t.matter.code in line.matter_codes)  # fmt: skip
    reviewer = next(u for u in demo_catalogue.values() if u.department_id == task.department_id)
    later = line.due_on + timedelta(days=1)
    monkeypatch.setattr(clocks, "today", lambda: later)
    assert services.overdue_tolerated(task)
    with pytest.raises(CaseError):
        services.approve(task, reviewer)


def test_drafts_are_warned_then_expire(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    moment = application.expires_at - timedelta(days=1)
    assert services.expire_drafts(moment) == (1, 0)
    assert services.expire_drafts(moment) == (0, 0)
    assert services.expire_drafts(application.expires_at + timedelta(seconds=1)) == (0, 1)
    application.refresh_from_db()
    assert application.state == "expired"


def test_the_vault_offers_a_document_for_the_next_application(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    first = start_supermarket(applicant)
    fill_and_upload(first, applicant)
    second = start_supermarket(applicant)
    offers = services.vault_offers(second)
    line = next(m for m in second.materials.all() if m.evidence)
    assert line.key in offers
    services.reuse(second, applicant, line.key, offers[line.key][0].pk)
    line.refresh_from_db()
    assert line.status == ApplicationMaterial.Status.PROVIDED and line.reused
    other = demo_catalogue["li.ming"]
    with pytest.raises(CaseError):
        services.reuse(second, other, line.key, offers[line.key][0].pk)


def test_a_fully_online_matter_is_accepted_without_a_clerk(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    matter = Matter.objects.get(version=public_version(), code="scitech-sme-evaluation")
    assert matter.channels == ["online"]
    application = services.start_from_matter(applicant, matter)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    application.refresh_from_db()
    assert application.state == "in_review" and application.accepted_by is None
    task = application.matters.get()
    assert task.due_on == workdays.add_working_days(clocks.today(), matter.promised_days)


def test_reviewers_are_reminded_once_a_day_of_due_tasks(demo_catalogue, monkeypatch, mailoutbox):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    services.accept(application, demo_catalogue["clerk"])
    latest = max(t.due_on for t in application.matters.all())
    open_tasks = application.matters.filter(state="reviewing").count()  # not the instant ones
    assert services.remind_reviewers(latest - timedelta(days=30)) == 0  # nothing due soon
    assert services.remind_reviewers(latest) == open_tasks
    assert services.remind_reviewers(latest) == 0  # once a day
    mailoutbox.clear()
    assert services.remind_reviewers(latest + timedelta(days=1)) == open_tasks
    assert any("Overdue since" in mail.body for mail in mailoutbox)
