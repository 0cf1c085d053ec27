"""Unified issue (统一出证): every result of an application issued together, signed, verifiable.

Each approved matter gets a certificate PDF, each refused one a decision letter. Both are
bilingual, carry a serial and a QR code of the public ``/verify/<serial>`` page, and are
signed (``signing``), so a changed PDF is detected offline too.
"""

import hashlib
import io
import secrets
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move
from tongban.core.pdf import render_pdf
from tongban.core.qr import qr_svg
from tongban.notifications.services import notify

from . import access, delivery, signing, states
from .models import Application, ApplicationMatter, Document, IssuedDocument
from .services import CaseError, clocks
from .uploads import store_upload


def _serial(task: ApplicationMatter, kind: str) -> str:
    letter = "C" if kind == IssuedDocument.Kind.CERTIFICATE else "R"
    day = clocks.today()
    return f"{letter}{task.matter.basic_code}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def verify_url(serial: str) -> str:
    base = settings.TONGBAN_PUBLIC_URL.rstrip("/")
    return f"{base}{reverse('verify', args=[serial])}"


def issue(application: Application, user) -> list[IssuedDocument]:
    """Issue every result of a decided application at once and start the delivery."""
    access.require(access.is_centre_staff(user, application))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not states.APPLICATION.allows(application.state, "issue"):
            raise CaseError(_("Results are issued together once every matter is decided."))
        tasks = list(application.matters.select_related("matter", "department"))
        issued = [_issue_one(application, task) for task in tasks if task.state != "withdrawn"]
        move(application, states.APPLICATION, "issue", user, issued_at=clocks.now())
        delivery.start(application, user)
    notify(application.applicant, application,
           _("The results of %(number)s are issued: %(count)s document(s)."),
           number=application.number, count=len(issued))  # fmt: skip
    return issued


def _issue_one(application: Application, task: ApplicationMatter) -> IssuedDocument:
    approved = task.state == "approved"
    kind = IssuedDocument.Kind.CERTIFICATE if approved else IssuedDocument.Kind.REFUSAL
    valid_until = task.result.get("valid_until") if approved else None
    document = IssuedDocument(
        serial=_serial(task, kind),
        kind=kind,
        task=task,
        holder=_holder(application),
        scope=task.result.get("scope", "") if approved else task.reason,
        valid_from=clocks.today(),
        valid_until=date.fromisoformat(valid_until) if valid_until else None,
        issued_at=clocks.now(),
    )
    pdf = signing.sign_pdf(
        _render(application, task, document),
        reason=f"{document.kind} {document.serial}",
        location=task.department.name_zh,
        name=document.serial,
    )
    # Stored like an upload: by content, in the same private store, served the same way.
    stored = store_upload(io.BytesIO(pdf), f"{document.serial}.pdf")
    document.path, document.sha256 = stored.path, stored.sha256
    document.save()
    if approved:
        # The applicant's vault keeps every certificate tongban issued them.
        Document.objects.create(
            owner=application.applicant,
            evidence="",
            title_en=task.matter.result_name_en or task.matter.name_en,
            title_zh=task.matter.result_name_zh or task.matter.name_zh,
            name=f"{document.serial}.pdf",
            path=document.path,
            sha256=document.sha256,
            size=len(pdf),
            content_type="application/pdf",
            pages=stored.pages,
            valid_until=document.valid_until,
            origin=Document.Origin.ISSUED,
        )
    return document


def _holder(application: Application) -> str:
    data = application.data
    return data.get("enterprise_name") or data.get("full_name") or str(application.applicant)


def _render(application: Application, task: ApplicationMatter, document: IssuedDocument) -> bytes:
    url = verify_url(document.serial)
    return render_pdf(
        "applications/issued_pdf.html",
        {
            "application": application,
            "task": task,
            "matter": task.matter,
            "document": document,
            "verify_url": url,
            "qr": mark_safe(qr_svg(url, scale=3)),  # noqa: S308 - segno's SVG of our URL
        },
    )


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
