"""Helpers for the application tests: a supermarket case, files, moving a case along."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from tongban.accounts.models import User
from tongban.applications import services
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.guidance.services import current_guide

SUPERMARKET = {
    "registered": True,
    "sells": ["chilled", "produce"],
    "makes_food": True,
    "drugs": "none",
    "devices": [],
    "signboard": True,
}


def second_shop() -> User:
    """Another enterprise account, for what two businesses may not see of each other."""
    return User.objects.create_user(
        "second.shop",
        kind=User.Kind.ENTERPRISE,
        first_name="Gao Min",
        enterprise_name="Second Shop Co., Ltd.",
        credit_code="91310106MA1FL0B3XX",
    )


def pdf_file(name: str = "document.pdf", pages: int = 1) -> SimpleUploadedFile:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def supermarket_plan(answers: dict | None = None):
    guide = current_guide()
    scenario = guide.scenarios["supermarket-small"]
    return guide, guide.resolve(scenario, {**SUPERMARKET, **(answers or {})})


def start_supermarket(user):
    guide, plan = supermarket_plan()
    return services.start_from_plan(user, public_version(), guide, plan)


def start_food_licence(user):
    """An application for the food business licence alone, whose result may be posted."""
    matter = Matter.objects.get(version=public_version(), code="market-food-business-licence")
    return services.start_from_matter(user, matter)


def fill_and_upload(application, user, *, leave_out: str | None = None):
    """Complete the shared data and upload every material except ``leave_out`` and those
    another matter of the application will issue."""
    contact = {"address": "1 Gonghe Road", "phone": "13800138000", "full_name": "Liu Yang"}
    services.save_data(application, user, {**application.data, **contact})
    for line in application.materials.filter(from_matter=""):
        if line.key != leave_out:
            services.upload(application, user, line.key, pdf_file(f"{line.key}.pdf"), "x.pdf")


def tolerable_key(application) -> str:
    return application.materials.filter(principal=False).values_list("key", flat=True).first()


def decided(demo_catalogue):
    """The supermarket application, accepted (its instant kitchen waste declaration is
    approved there by the clerk) and approved by every other department."""
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    services.accept(application, demo_catalogue["clerk"])
    for task in application.matters.filter(state="reviewing").select_related("department"):
        reviewer = next(u for u in demo_catalogue.values()
                        if u.department_id == task.department_id)  # fmt: skip
        services.approve(task, reviewer, scope="Retail")
    application.refresh_from_db()
    return application
