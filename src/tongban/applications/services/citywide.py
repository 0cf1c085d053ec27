"""City-wide handling (全市通办): matters for family members, decided in their district, at a
centre the applicant chooses.

A person may gather the city-wide matters of their family in one application, saying for
each who it is for; the applicant then acts for that person (audited). At submission each
city-wide matter goes to the department of the same function in the district where its
beneficiary's household is registered, and only that department sees it. Any community
centre of the city may accept and hand over an application whose matters are all
city-wide. The rules are in docs/case-rules.md.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record
from tongban.catalogue.models import Matter, Region, ServiceCentre, serves
from tongban.core.identity import clean_resident_id, mask_resident_id

from ..models import Application, ApplicationMatter
from .drafting import add_materials, add_tasks, require_editable, require_served
from .errors import CaseError

Relation = ApplicationMatter.Relation


def _task(application: Application, matter_code: str) -> ApplicationMatter:
    task = application.matters.select_related("matter").filter(matter__code=matter_code).first()
    if task is None:
        raise CaseError(_("This application does not hold that matter."), "matter")
    return task


def _district(code: str) -> Region:
    district = Region.objects.filter(code=code, kind=Region.Kind.DISTRICT).first()
    if district is None:
        raise CaseError(_("Choose the district where their household is registered."),
                        "district")  # fmt: skip
    return district


def set_beneficiary(
    application: Application,
    user,
    matter_code: str,
    relation: str,
    *,
    name: str = "",
    id_number: str = "",
    district: str = "",
) -> ApplicationMatter:
    """Say whom a matter is for: the applicant, or a family member they act for."""
    require_editable(application)
    task = _task(application, matter_code)
    if relation not in Relation.values:
        raise CaseError(_("Say whom this matter is for."), "relation")
    if relation == Relation.SELF:
        task.beneficiary_name, task.beneficiary_id_number = "", ""
        task.beneficiary_district = None
    else:
        if application.applicant.kind != "person":
            raise CaseError(_("Only a person acts for a family member."), "relation")
        if not name.strip():
            raise CaseError(_("Give the full name of the person this matter is for."), "name")
        try:
            task.beneficiary_id_number = clean_resident_id(id_number)
        except ValidationError as error:
            raise CaseError(error.messages[0], "id_number") from None
        if task.beneficiary_id_number == application.applicant.id_number:
            raise CaseError(_("That is your own ID number: choose “myself”."), "id_number")
        task.beneficiary_name = name.strip()[:100]
        task.beneficiary_district = _district(district)
    task.beneficiary_relation = relation
    task.save()
    record(
        "update",
        object_type="applications.applicationmatter",
        object_id=task.pk,
        object_label=f"{application.number} {matter_code}",
        after={"acts_for": relation, "name": task.beneficiary_name,
               "id_number": mask_resident_id(task.beneficiary_id_number),
               "district": task.beneficiary_district and task.beneficiary_district.code},
        actor=user,
    )  # fmt: skip
    return task


def add_matter(application: Application, user, matter_code: str) -> ApplicationMatter:
    """Add a city-wide matter to a draft, e.g. a family member's, its materials merged."""
    require_editable(application)
    matter = Matter.objects.filter(version=application.version, code=matter_code).first()
    if matter is None or not matter.city_wide:
        raise CaseError(_("Only a city-wide matter of the same catalogue can be added."),
                        "matter")  # fmt: skip
    if application.matters.filter(matter=matter).exists():
        raise CaseError(_("This application already holds that matter."), "matter")
    if not matter.online:
        raise CaseError(_("%(matter)s cannot be applied for online: apply at the counter.")
                        % {"matter": matter.name}, "matter")  # fmt: skip
    applicant = application.applicant
    unserved = [] if serves(matter.audience, applicant.kind) else [matter.name]
    require_served(applicant, unserved, "matter")
    order = 1 + max(application.matters.values_list("order", flat=True), default=-1)
    add_tasks(application, matter, order)
    task = application.matters.get(matter=matter, lead=True)
    add_materials(application, matter)
    record("update", object_type="applications.application", object_id=application.pk,
           object_label=application.number, after={"added_matter": matter.code},
           actor=user)  # fmt: skip
    return task


def all_city_wide(application: Application) -> bool:
    tasks = application.matters.select_related("matter")
    return bool(tasks) and all(task.matter.city_wide for task in tasks)


def centres_to_choose(application: Application):
    """Where the applicant may hand in: the district's administrative centre, or, when every
    matter is city-wide, any community centre of the city."""
    district = ServiceCentre.objects.filter(
        region=application.version.district, kind=ServiceCentre.Kind.ADMINISTRATIVE
    )
    choices = district | ServiceCentre.objects.filter(pk=application.centre_id)
    if all_city_wide(application):
        choices |= ServiceCentre.objects.filter(kind=ServiceCentre.Kind.COMMUNITY)
    return choices.select_related("region").order_by("kind", "region__code", "code")


def choose_centre(application: Application, user, centre_code: str) -> None:
    """Hand in at another centre (audited); a CaseError says why one is not open to it."""
    require_editable(application)
    centre = ServiceCentre.objects.filter(code=centre_code).first()
    if centre is None:
        raise CaseError(_("No such service centre."), "centre")
    if not centres_to_choose(application).filter(pk=centre.pk).exists():
        raise CaseError(_("Only an application whose matters are all city-wide can go to a "
                          "community centre of your choice."), "centre")  # fmt: skip
    before = application.centre.code
    application.centre = centre
    application.save(update_fields=["centre", "updated_at"])
    record("update", object_type="applications.application", object_id=application.pk,
           object_label=application.number, before={"centre": before},
           after={"centre": centre.code}, actor=user)  # fmt: skip


def beneficiary_district(task: ApplicationMatter) -> Region | None:
    if task.beneficiary_relation == Relation.SELF:
        return task.application.applicant.registration_district
    return task.beneficiary_district


def route(application: Application) -> None:
    """Send each city-wide matter to the department of its function in the beneficiary's
    district; a CaseError names the first matter that cannot go anywhere."""
    tasks = application.matters.select_related("matter", "department", "application__applicant")
    for task in tasks:
        if not task.matter.city_wide:
            continue
        district = beneficiary_district(task)
        if district is None:
            raise CaseError(
                _("%(matter)s is decided where the household is registered: give your "
                  "household registration district in your profile first.")
                % {"matter": task.matter.name}
            )  # fmt: skip
        department = task.department.counterpart(district)  # co-departments routed each
        if department is None:
            raise CaseError(
                _("%(matter)s cannot be handled for %(district)s: that district has no "
                  "department for it.") % {"matter": task.matter.name, "district": district.name}
            )  # fmt: skip
        if department.pk != task.department_id:
            task.department = department
            task.save(update_fields=["department"])
