"""Unified issue (统一出证): every result of an application issued together, signed, verifiable.

Each approved matter gets a certificate PDF, each refused one a decision letter. Issuing
records them at once, with their serials; a worker then makes their signed PDFs
(``tasks.prepare_results``), and until it has, a document is "being prepared".
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move

from . import access, signing, states
from .models import Application, ApplicationMatter, IssuedDocument
from .services import clocks
from .services.errors import CaseError
from .tasks import prepare_results


def _serial(task: ApplicationMatter, kind: str) -> str:
    letter = "C" if kind == IssuedDocument.Kind.CERTIFICATE else "R"
    day = clocks.today()
    return f"{letter}{task.matter.basic_code}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def issue(application: Application, user) -> list[IssuedDocument]:
    """Issue every result of a decided application at once; the documents as they stand
    after the commit (ready, or still being prepared). Delivery starts when all are ready."""
    access.require(access.is_centre_staff(user, application))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not states.APPLICATION.allows(application.state, "issue"):
            raise CaseError(_("Results are issued together once every matter is decided."))
        early = set(
            IssuedDocument.objects.filter(task__application=application).values_list(
                "task_id", flat=True
            )
        )
        issued = [
            _record(application, lead, decisions)
            for lead, decisions in _matters(application)
            if states.outcome(t.state for t in decisions) != "withdrawn" and lead.pk not in early
        ]
        move(application, states.APPLICATION, "issue", user, issued_at=clocks.now())
        # Enqueued inside this transaction: the database backend writes the task in it, so
        # the task is committed with the issue or not at all, and a worker sees it only
        # after the commit (an outbox). The slow rendering and signing then run on the
        # worker, outside this request and these row locks. (A queue outside the database
        # would need transaction.on_commit instead.)
        prepare_results.enqueue(application.pk)
    return list(IssuedDocument.objects.filter(pk__in=[d.pk for d in issued]).order_by("pk"))


def issue_early(application: Application, lead: ApplicationMatter) -> IssuedDocument:
    """The certificate of an approved matter that others of the application wait for,
    issued at once: a worker prepares it, puts it in the vault and gives it to the waiting
    matters' material lines. The rest are issued together at the end."""
    decisions = list(application.matters.filter(matter_id=lead.matter_id))
    document = _record(application, lead, decisions)
    prepare_results.enqueue(application.pk)
    return document


def _matters(application: Application) -> list[tuple[ApplicationMatter, list[ApplicationMatter]]]:
    """Each matter's lead task with the tasks of all its departments."""
    tasks = list(application.matters.select_related("matter"))
    return [(lead, [t for t in tasks if t.matter_id == lead.matter_id])
            for lead in tasks if lead.lead]  # fmt: skip


def _record(
    application: Application, task: ApplicationMatter, decisions: list[ApplicationMatter]
) -> IssuedDocument:
    """The issued document of one matter, on its lead task, its file still to be made
    (``path`` empty): a certificate if every department approved, else a decision letter
    giving each refusing department's reason."""
    approved = states.outcome(t.state for t in decisions) == "approved"
    kind = IssuedDocument.Kind.CERTIFICATE if approved else IssuedDocument.Kind.REFUSAL
    valid_until = task.result.get("valid_until") if approved else None
    reasons = "\n".join(t.reason for t in decisions if t.state == "refused")
    return IssuedDocument.objects.create(
        serial=_serial(task, kind),
        kind=kind,
        task=task,
        holder=_holder(application),
        scope=task.result.get("scope", "") if approved else reasons,
        valid_from=clocks.today(),
        valid_until=date.fromisoformat(valid_until) if valid_until else None,
        issued_at=clocks.now(),
        path="",
        sha256="",
    )


def _holder(application: Application) -> str:
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
        "matter": {
            "en": matter.result_name_en or matter.name_en,
            "zh": matter.result_name_zh or matter.name_zh,
        },
        "department": {"en": found.task.department.name_en, "zh": found.task.department.name_zh},
        "scope": found.scope if found.kind == "certificate" else "",
        "valid_from": found.valid_from,
        "valid_until": found.valid_until,
        "issued_at": found.issued_at,
        "ready": found.ready,
        "sha256": found.sha256,
    }


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
