"""The slow half of issuing, run by a worker: render, sign and store the issued PDFs.

``issuing.issue`` records the documents with no file yet (``path`` empty: being prepared)
and enqueues :func:`prepare_results`. Each certificate and decision letter is bilingual,
carries its serial and a QR code of the public ``/verify/<serial>`` page, and is signed
(``signing``), so a changed PDF is detected offline too.
"""

import io

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tongban.core.pdf import render_pdf
from tongban.core.qr import qr_svg
from tongban.notifications.services import notify

from . import delivery, signing
from .models import (
    Application,
    ApplicationMaterial,
    ApplicationMatter,
    Document,
    IssuedDocument,
)
from .uploads import StoredFile, store_upload


@task()
def prepare_results(application_id: int) -> int:
    """Render, sign and store every document of the application still being prepared; once
    the last one is ready, tell the applicant and start the delivery (pickup or post). How
    many this run stored.

    Safe to run again, or on two workers at once: the PDFs are made outside any
    transaction, and a document takes the first file stored for it only.
    """
    application = Application.objects.select_related("applicant").get(pk=application_id)
    # In the order they were issued, so every run meets them in the same order.
    pending = IssuedDocument.objects.filter(task__application=application, path="").order_by("pk")
    stored = 0
    for document in pending.select_related("task__matter__result_evidence", "task__department"):
        pdf = signing.sign_pdf(
            _render(application, document.task, document),
            reason=f"{document.kind} {document.serial}",
            location=document.task.department.name_zh,
            name=document.serial,
        )
        stored += _keep(application, document, pdf)
    return stored


def _serve_waiting(application: Application, issued: IssuedDocument, kept: Document) -> None:
    """The certificate is the material its waiting matters asked for (证照联办)."""
    application.materials.filter(from_matter=issued.task.matter.code).update(
        document=kept, status=ApplicationMaterial.Status.PROVIDED, supplied_at=issued.issued_at
    )


def verify_url(serial: str) -> str:
    base = settings.TONGBAN_PUBLIC_URL.rstrip("/")
    return f"{base}{reverse('verify', args=[serial])}"


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


def _keep(application: Application, document: IssuedDocument, pdf: bytes) -> bool:
    """Give the document its file unless another run did; whether this one did."""
    # Stored like an upload: by content, in the same private store, served the same way.
    stored = store_upload(io.BytesIO(pdf), f"{document.serial}.pdf")
    with transaction.atomic():
        # The application's row lock puts the runs in a line, so exactly one of them sees
        # the last document get its file, tells the applicant and starts the delivery.
        Application.objects.select_for_update().get(pk=application.pk)
        filled = IssuedDocument.objects.filter(pk=document.pk, path="").update(
            path=stored.path, sha256=stored.sha256
        )
        if not filled:
            return False
        if document.kind == IssuedDocument.Kind.CERTIFICATE:
            kept = _add_to_vault(application, document, stored, len(pdf))
            _serve_waiting(application, document, kept)
        documents = IssuedDocument.objects.filter(task__application=application)
        # A result issued early (others wait for it) does not start the delivery: the
        # results travel together once the application is issued.
        issued = Application.objects.get(pk=application.pk).state == "issued"
        if issued and not documents.filter(path="").exists():
            notify(application.applicant, application,
                   _("The results of %(number)s are issued: %(count)s document(s)."),
                   number=application.number, count=documents.count())  # fmt: skip
            delivery.start(application, None)
    return True


def _add_to_vault(
    application: Application, document: IssuedDocument, stored: StoredFile, size: int
) -> Document:
    """The applicant's vault keeps every certificate tongban issued them, as evidence of the
    kind the result is, so later applications are offered it."""
    matter = document.task.matter
    return Document.objects.create(
        owner=application.applicant,
        evidence=matter.result_evidence.code if matter.result_evidence else "",
        title_en=matter.result_name_en or matter.name_en,
        title_zh=matter.result_name_zh or matter.name_zh,
        name=f"{document.serial}.pdf",
        path=stored.path,
        sha256=stored.sha256,
        size=size,
        content_type="application/pdf",
        pages=stored.pages,
        valid_until=document.valid_until,
        origin=Document.Origin.ISSUED,
    )
