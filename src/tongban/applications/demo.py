"""Demo cases, so each staff role finds work waiting: one per stage of the chain."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from tongban.accounts.models import User
from tongban.catalogue.queries import public_version
from tongban.guidance.services import current_guide

from . import issuing, services
from .models import Application

# A small supermarket whose matters fall to market, fire-rescue and greening.
SUPERMARKET = {
    "registered": True,
    "sells": ["chilled", "produce"],
    "makes_food": True,
    "drugs": "none",
    "devices": [],
    "signboard": True,
}


def _pdf(name: str) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": name})  # distinct content, distinct file
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _reviewer(task) -> User:
    return User.objects.filter(department_id=task.department_id, kind="staff").first()


def _submitted(applicant: User, address: str) -> Application:
    guide = current_guide()
    plan = guide.resolve(guide.scenarios["supermarket-small"], SUPERMARKET)
    application = services.start_from_plan(applicant, public_version(), guide, plan)
    services.save_data(application, applicant, {**application.data, "address": address,
                                                 "phone": "13800138000"})  # fmt: skip
    tolerable = application.materials.filter(principal=False).first()
    for line in application.materials.all():
        if line != tolerable:
            services.upload(application, applicant, line.key, _pdf(f"{line.key}.pdf"), "scan.pdf")
    services.submit(application, applicant, commitment=True)
    return application


def create_demo_cases() -> list[Application]:
    """Four cases of the demo enterprise, unless it already has some."""
    applicant = User.objects.filter(username="jingan.fresh").first()
    clerk = User.objects.filter(username="clerk").first()
    manager = User.objects.filter(username="manager").first()
    if not (applicant and clerk and manager and current_guide()) or applicant.applications.exists():
        return []
    draft = services.start_from_plan(applicant, public_version(), current_guide(),
                                     current_guide().resolve(
                                         current_guide().scenarios["supermarket-small"],
                                         SUPERMARKET))  # fmt: skip
    waiting = _submitted(applicant, "88 Yanping Road, Jing'an")
    reviewing = _submitted(applicant, "12 Datong Road, Jing'an")
    services.accept(reviewing, clerk)
    for task in reviewing.matters.select_related("department"):
        if task.department.code == "jingan-fire-rescue":
            line = reviewing.materials.exclude(document=None).first()
            services.request_supplement(task, _reviewer(task), material_keys=[line.key],
                                        reason="The floor plan scan is unreadable.")  # fmt: skip
        elif task.department.code == "jingan-market":
            services.approve(
                task, _reviewer(task), scope="Retail of food; cooked food made on site"
            )
    issued = _submitted(applicant, "5 Xikang Road, Jing'an")
    services.accept(issued, clerk)  # the instant green matters are approved here
    for task in issued.matters.filter(state="reviewing"):
        services.approve(task, _reviewer(task), scope="Retail")
    issuing.issue(issued, manager)
    return [Application.objects.get(pk=a.pk) for a in (draft, waiting, reviewing, issued)]
