"""Unified issue (统一出证): every result of an application issued together, signed, verifiable.

Each approved matter whose catalogue entry names a result gets a certificate PDF, each
refused one a decision letter titled for its type (``results``); an approved matter without
a result gets none. Issuing records them at once, with their serials; a worker then makes
their signed PDFs (``tasks.prepare_results``), and until it has, a document is "being
prepared". A certificate is valid from its issue date; its department may revoke it.
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record
from tongban.core.moves import move
from tongban.notifications.services import notify

from . import access, results, signing, states
from .models import Application, ApplicationMatter, IssuedDocument
from .services import clocks, fees
from .services.errors import CaseError
from .tasks import prepare_results


def _serial(task: ApplicationMatter, kind: str) -> str:
    letter = "C" if kind == IssuedDocument.Kind.CERTIFICATE else "R"
    day = clocks.today()
    return f"{letter}{task.matter.basic_code}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def issue(application: Application, user) -> list[IssuedDocument]:
    """Issue every result of a decided application at once; the documents as they stand
    after the commit (ready, or still being prepared). Delivery starts when all are ready;
    an application whose matters issue no document is completed at once."""
    access.require(access.is_centre_staff(user, application))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not states.APPLICATION.allows(application.state, "issue"):
            raise CaseError(_("Results are issued together once every matter is decided."))
        fees.require_paid(application)
        early = set(
            IssuedDocument.objects.filter(task__application=application).values_list(
                "task_id", flat=True
            )
        )
        issued = [
            document
            for lead, decisions in _matters(application)
            if states.outcome(t.state for t in decisions) != "withdrawn" and lead.pk not in early
            if (document := _record(application, lead, decisions))
        ]
        move(application, states.APPLICATION, "issue", user, issued_at=clocks.now())
        if not issued and not early:
            move(application, states.APPLICATION, "complete", user)
            notify(application.applicant, application,
                   _("%(number)s is decided; its matters issue no document to collect."),
                   number=application.number)  # fmt: skip
            return []
        # Enqueued inside this transaction: the database backend writes the task in it, so
        # the task is committed with the issue or not at all, and a worker sees it only
        # after the commit (an outbox). The slow rendering and signing then run on the
        # worker, outside this request and these row locks. (A queue outside the database
        # would need transaction.on_commit instead.)
        prepare_results.enqueue(application.pk)
    return list(IssuedDocument.objects.filter(pk__in=[d.pk for d in issued]).order_by("pk"))


def issue_early(application: Application, lead: ApplicationMatter) -> IssuedDocument | None:
    """The certificate of an approved matter that others of the application wait for,
    issued at once: a worker prepares it, puts it in the vault and gives it to the waiting
    matters' material lines. The rest are issued together at the end. None when the matter
    has no result document."""
    decisions = list(application.matters.filter(matter_id=lead.matter_id))
    document = _record(application, lead, decisions)
    if document:
        prepare_results.enqueue(application.pk)
    return document


def _matters(application: Application) -> list[tuple[ApplicationMatter, list[ApplicationMatter]]]:
    """Each matter's lead task with the tasks of all its departments."""
    tasks = list(application.matters.select_related("matter"))
    return [(lead, [t for t in tasks if t.matter_id == lead.matter_id])
            for lead in tasks if lead.lead]  # fmt: skip


def _record(
    application: Application, task: ApplicationMatter, decisions: list[ApplicationMatter]
) -> IssuedDocument | None:
    """The issued document of one matter, on its lead task, its file still to be made
    (``path`` empty): a certificate if every department approved and the matter has a
    result document (else None), a decision letter giving each refusing department's
    reason if one refused."""
    approved = states.outcome(t.state for t in decisions) == "approved"
    if approved and not results.issues_certificate(task.matter):
        return None
    kind = IssuedDocument.Kind.CERTIFICATE if approved else IssuedDocument.Kind.REFUSAL
    reasons = "\n".join(t.reason for t in decisions if t.state == "refused")
    day = clocks.today()
    return IssuedDocument.objects.create(
        serial=_serial(task, kind),
        kind=kind,
        task=task,
        holder=_holder(application, task),
        scope=task.result.get("scope", "") if approved else reasons,
        valid_from=day,
        valid_until=_valid_until(task, day) if approved else None,
        issued_at=clocks.now(),
        path="",
        sha256="",
    )


def _valid_until(task: ApplicationMatter, issued_on: date) -> date | None:
    """The end the reviewer set, else the matter's usual validity counted from the issue."""
    if task.result.get("valid_until"):
        return date.fromisoformat(task.result["valid_until"])
    months = task.matter.result_validity_months
    return clocks.validity_end(issued_on, months) if months else None


def _holder(application: Application, task: ApplicationMatter) -> str:
    """Whom the document is for: the family member the applicant acts for, else the applicant."""
    if task.beneficiary_name:
        return task.beneficiary_name
    data = application.data
    return data.get("enterprise_name") or data.get("full_name") or str(application.applicant)


def requeue_unprepared() -> int:
    """Queue the PDFs again of applications whose documents are still being prepared after
    TONGBAN_RESULTS_RETRY_MINUTES (a worker died mid-way); how many applications."""
    before = clocks.now() - timedelta(minutes=settings.TONGBAN_RESULTS_RETRY_MINUTES)
    stuck = (
        IssuedDocument.objects.filter(path="", issued_at__lt=before)
        .values_list("task__application_id", flat=True)
        .distinct()
        .order_by("task__application_id")
    )
    for application_id in stuck:
        prepare_results.enqueue(application_id)
    return len(stuck)


def check_serial(serial: str) -> dict | None:
    """What the public may know about a serial: genuine, valid, what and whose."""
    found = (
        IssuedDocument.objects.select_related("task__matter", "task__department")
        .filter(serial=serial)
        .first()
    )
    if found is None:
        return None
    day, matter = clocks.today(), found.task.matter
    expired = found.valid_until is not None and found.valid_until < day
    return {
        "serial": found.serial,
        "kind": found.kind,
        "genuine": True,
        "valid": found.kind == "certificate" and not expired and found.revoked_at is None,
        "expired": expired,
        "revoked": found.revoked_at is not None,
        "holder": found.holder,
        "matter": results.document_title(found.kind, matter),
        "department": {"en": found.task.department.name_en, "zh": found.task.department.name_zh},
        "scope": found.scope if found.kind == "certificate" else "",
        "valid_from": found.valid_from,
        "valid_until": found.valid_until,
        "issued_at": found.issued_at,
        "ready": found.ready,
        "sha256": found.sha256,
    }


def revoke(document: IssuedDocument, user, reason: str) -> IssuedDocument:
    """The issuing department revokes a certificate, giving its reason; audited, and the
    holder is told. The verify page and API then call it revoked."""
    access.require(access.is_reviewer(user) and user.department_id == document.task.department_id)
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Give the reason and legal ground of the revocation."), "reason")
    with transaction.atomic():
        document = (
            IssuedDocument.objects.select_for_update()
            .select_related("task__application__applicant", "task__matter")
            .get(pk=document.pk)
        )
        if document.kind != IssuedDocument.Kind.CERTIFICATE:
            raise CaseError(_("Only a certificate can be revoked."))
        if document.revoked_at is not None:
            raise CaseError(_("This certificate is already revoked."))
        document.revoked_at, document.revoked_by = clocks.now(), user
        document.revoked_reason = reason[:4000]
        document.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        record("update", object_type="applications.issueddocument", object_id=document.pk,
               object_label=document.serial, before={"revoked_at": None},
               after={"revoked_at": document.revoked_at.isoformat(timespec="seconds"),
                      "revoked_reason": document.revoked_reason}, actor=user)  # fmt: skip
        application = document.task.application
        notify(application.applicant, application,
               _("Your certificate %(serial)s (%(matter)s) is revoked: %(reason)s"),
               serial=document.serial, matter=document.task.matter.name_en,
               reason=reason[:150])  # fmt: skip
    return document


def check_file(pdf: bytes) -> dict:
    """An uploaded PDF checked offline-style: signature, then whether tongban issued it."""
    signature = signing.verify_pdf(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    found = IssuedDocument.objects.filter(sha256=digest).first()
    return {
        "signed": signature.signed,
        "intact": signature.intact,
        "trusted": signature.trusted,
        "covers_whole_file": signature.covers_whole_file,
        "problem": signature.problem,
        "genuine": bool(signature.intact and signature.trusted and signature.covers_whole_file),
        "serial": found.serial if found else "",
    }
