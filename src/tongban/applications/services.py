"""What applicants and staff do with an application. Every state change goes through here.

Each action checks its role and the allowed move (``states``), changes the rows in one
transaction, audits the transition and notifies whom it concerns.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record
from tongban.catalogue.models import CatalogueVersion, Matter, ServiceCentre
from tongban.core import workdays
from tongban.core.identity import clean_credit_code, clean_resident_id
from tongban.core.moves import CaseError, move
from tongban.notifications.services import notify

from . import access, states
from .models import (
    Application,
    ApplicationMaterial,
    ApplicationMatter,
    Document,
    Note,
    SupplementRequest,
)
from .uploads import StoredFile, UploadRejected, store_upload


def parse_day(value: str, field: str) -> date | None:
    """A date typed as YYYY-MM-DD, None when empty, or a CaseError naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CaseError(_("Give the date as YYYY-MM-DD."), field) from None


def today() -> date:
    return timezone.localdate()


def now():
    return timezone.now()


# --- shared application data --------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    required: bool
    who: str  # "person", "enterprise" or "any"
    autocomplete: str = ""


FIELDS = (
    Field("enterprise_name", _("Enterprise name"), True, "enterprise", "organization"),
    Field("credit_code", _("Unified social credit code"), True, "enterprise"),
    Field("full_name", _("Name of the applicant or legal representative"), True, "any", "name"),
    Field("id_number", _("Resident ID number"), True, "person"),
    Field("phone", _("Contact phone"), True, "any", "tel"),
    Field("address", _("Address of the premises or residence"), True, "any", "street-address"),
    Field("floor_area", _("Floor area (m²)"), False, "enterprise"),
)


def fields_for(application: Application) -> list[Field]:
    kind = application.applicant.kind
    return [f for f in FIELDS if f.who in ("any", kind)]


def _prefill(user, answers: dict) -> dict[str, str]:
    data = {
        "enterprise_name": user.enterprise_name,
        "credit_code": user.credit_code or "",
        "full_name": user.full_name,
        "id_number": user.id_number or "",
        "phone": user.phone,
    }
    for question in ("floor_area", "area"):
        if isinstance(answers.get(question), (int, float)) and not isinstance(
            answers.get(question), bool
        ):
            data["floor_area"] = str(answers[question])
    return {k: v for k, v in data.items() if v}


def clean_data(application: Application, raw: dict[str, Any]) -> tuple[dict, dict]:
    """The shared fields, cleaned: (data, errors by field). Empty fields are kept empty."""
    data, errors = {}, {}
    for field in fields_for(application):
        value = str(raw.get(field.key, "") or "").strip()[:300]
        if value and field.key == "credit_code":
            try:
                value = clean_credit_code(value)
            except ValidationError as error:
                errors[field.key] = error.messages[0]
        elif value and field.key == "id_number":
            try:
                value = clean_resident_id(value)
            except ValidationError as error:
                errors[field.key] = error.messages[0]
        elif value and field.key == "floor_area":
            try:
                area = float(value)
                if not 0 < area < 1_000_000:
                    raise ValueError
            except ValueError:
                errors[field.key] = str(_("Give the floor area in square metres, e.g. 120."))
        data[field.key] = value
    return data, errors


# --- starting -----------------------------------------------------------------


def _new_number(version: CatalogueVersion) -> str:
    return f"{version.district.code}{today():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _centre(version: CatalogueVersion) -> ServiceCentre:
    centre = (
        ServiceCentre.objects.filter(region__code=version.district.code, kind="administrative")
        .order_by("pk")
        .first()
    )
    if centre is None:
        raise CaseError(_("This district has no administrative service centre to apply to."))
    return centre


def _create(user, version: CatalogueVersion, title: dict, counter: str, **fields) -> Application:
    access.require(access.is_applicant(user))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Application.objects.create(
                    number=_new_number(version),
                    applicant=user,
                    centre=_centre(version),
                    version=version,
                    counter=counter,
                    title_en=title["en"][:200],
                    title_zh=title["zh"][:200],
                    expires_at=now() + timedelta(days=settings.TONGBAN_DRAFT_DAYS),
                    **fields,
                )
        except IntegrityError:
            continue
    raise CaseError(_("Could not give the application a number; please try again."))


@transaction.atomic
def start_from_plan(user, version: CatalogueVersion, guide, plan) -> Application:
    """One application for every matter of a guidance sheet, its documents merged."""
    if not plan.matters:
        raise CaseError(_("This sheet has no matters to apply for."))
    scenario = guide.scenarios[plan.scenario]
    application = _create(
        user,
        version,
        scenario.name,
        plan.matters[0].record["counter"],
        scenario=plan.scenario,
        answers=plan.answers,
        data=_prefill(user, {**plan.answers, **scenario.preset}),
    )
    matters = {m.code: m for m in Matter.objects.filter(version=version)}
    for planned in plan.matters:
        matter = matters[planned.code]
        ApplicationMatter.objects.create(
            application=application,
            matter=matter,
            department_id=matter.department_id,
            order=planned.order,
        )
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            key=item.key[:200],
            evidence=item.evidence or "",
            name_en=item.name["en"][:200],
            name_zh=item.name["zh"][:200],
            principal=item.principal,
            matter_codes=item.matters,
            originals=item.originals,
            copies=item.copies,
        )
        for item in plan.materials
    )
    _audit_created(application, user)
    return application


@transaction.atomic
def start_from_matter(user, matter: Matter) -> Application:
    application = _create(
        user,
        matter.version,
        {"en": matter.name_en, "zh": matter.name_zh},
        matter.counter,
        data=_prefill(user, {}),
    )
    ApplicationMatter.objects.create(
        application=application, matter=matter, department_id=matter.department_id
    )
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            key=(x.evidence.code if x.evidence else f"{matter.code}:{x.name_en}")[:200],
            evidence=x.evidence.code if x.evidence else "",
            name_en=x.name_en[:200],
            name_zh=x.name_zh[:200],
            principal=x.principal,
            matter_codes=[matter.code],
            originals=x.originals,
            copies=x.copies,
        )
        for x in matter.materials.select_related("evidence").filter(required=True)
    )
    _audit_created(application, user)
    return application


def _audit_created(application: Application, user) -> None:
    record(
        "create",
        object_type="applications.application",
        object_id=application.pk,
        object_label=application.number,
        after={"matters": [t.matter.code for t in application.matters.select_related("matter")]},
        actor=user,
    )


# --- the applicant's draft ------------------------------------------------------


def _editable(application: Application) -> None:
    if application.state not in states.EDITABLE:
        raise CaseError(_("This application has been submitted and can no longer be changed."))


def save_data(application: Application, user, raw: dict[str, Any]) -> dict:
    """Keep what was typed, even with errors, so nothing is lost; return the errors."""
    _editable(application)
    data, errors = clean_data(application, raw)
    application.data = data
    application.expires_at = now() + timedelta(days=settings.TONGBAN_DRAFT_DAYS)
    application.warned_at = None
    application.save(update_fields=["data", "expires_at", "warned_at", "updated_at"])
    return errors


def set_delivery(application: Application, user, method: str, address: str) -> None:
    if application.state not in ("draft", "submitted", "in_review", "decided"):
        raise CaseError(_("The results are already on their way; delivery cannot change now."))
    address = address.strip()[:300]
    if method not in ("pickup", "post"):
        raise CaseError(_("Choose pickup or post."), "method")
    if method == "post" and len(address) < 6:
        raise CaseError(_("Give the full postal address for EMS."), "address")
    application.delivery_method = method
    application.delivery_address = address if method == "post" else ""
    application.save(update_fields=["delivery_method", "delivery_address", "updated_at"])


def _material(application: Application, key: str) -> ApplicationMaterial:
    found = application.materials.filter(key=key).first()
    if found is None:
        raise CaseError(_("This application does not ask for that material."), "material")
    return found


def _may_upload(application: Application, line: ApplicationMaterial) -> bool:
    """Drafts take any material; later only what is owed (tolerated or asked for)."""
    if application.state == "draft":
        return True
    if application.state != "in_review":
        return False
    if line.status == ApplicationMaterial.Status.TOLERATED:
        return True
    return _asked_for(application, line.key)


def _asked_for(application: Application, key: str) -> bool:
    # JSON containment is not available on every SQLite build: check in Python.
    return any(
        key in request.material_keys
        for request in SupplementRequest.objects.filter(
            task__application=application, answered_at__isnull=True
        )
    )


def upload(
    application: Application, user, key: str, source, name: str, valid_until: date | None = None
) -> ApplicationMaterial:
    """Store a file in the applicant's vault and let it serve this material line."""
    line = _material(application, key)
    if not _may_upload(application, line):
        raise CaseError(_("This material cannot be changed now."), "file")
    try:
        stored = store_upload(source, name)
    except UploadRejected as error:
        raise CaseError(error.message, "file") from error
    document = _vault_document(user, line, stored, valid_until)
    return _use(application, user, line, document, reused=False)


def _vault_document(user, line, stored: StoredFile, valid_until: date | None) -> Document:
    return Document.objects.create(
        owner=user,
        evidence=line.evidence,
        title_en=line.name_en,
        title_zh=line.name_zh,
        name=stored.name,
        path=stored.path,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        pages=stored.pages,
        valid_until=valid_until,
    )


def reuse(application: Application, user, key: str, document_id: int) -> ApplicationMaterial:
    """The applicant consents to reuse a document of their vault for this material."""
    line = _material(application, key)
    if not _may_upload(application, line):
        raise CaseError(_("This material cannot be changed now."), "document")
    document = Document.objects.filter(pk=document_id, owner=user).first()
    if document is None:
        raise CaseError(_("That document is not in your vault."), "document")
    if line.evidence and document.evidence and document.evidence != line.evidence:
        raise CaseError(_("That document is of another kind than this material."), "document")
    if document.valid_until and document.valid_until < today():
        raise CaseError(_("That document expired on %(day)s.") % {"day": document.valid_until})
    return _use(application, user, line, document, reused=True)


def _use(application, user, line, document: Document, *, reused: bool) -> ApplicationMaterial:
    was_owed = line.status == ApplicationMaterial.Status.TOLERATED
    line.document, line.reused = document, reused
    line.status = ApplicationMaterial.Status.PROVIDED
    if application.state != "draft":
        line.supplied_at = now()
    line.save()
    record(
        "update",
        object_type="applications.applicationmaterial",
        object_id=line.pk,
        object_label=f"{application.number} {line.key}",
        after={"document": document.pk, "sha256": document.sha256, "reused": reused,
               "consent": reused, "supplied_after_acceptance": was_owed},
        actor=user,
    )  # fmt: skip
    return line


def remove_document(application: Application, user, key: str) -> None:
    _editable(application)
    line = _material(application, key)
    line.document, line.reused = None, False
    line.status = ApplicationMaterial.Status.MISSING
    line.save()


def vault_offers(application: Application) -> dict[str, list[Document]]:
    """For each material line still open, the applicant's valid documents of the same kind."""
    open_lines = [m for m in application.materials.all() if m.evidence and m.document_id is None]
    if not open_lines:
        return {}
    kinds = {m.evidence for m in open_lines}
    documents = Document.objects.filter(owner_id=application.applicant_id, evidence__in=kinds)
    day = today()
    offers: dict[str, list[Document]] = {}
    for document in documents:
        if document.valid_until and document.valid_until < day:
            continue
        for line in open_lines:
            if line.evidence == document.evidence:
                offers.setdefault(line.key, []).append(document)
    return offers


# --- pre-check and submission ----------------------------------------------------


@dataclass(frozen=True)
class Finding:
    level: str  # "error" blocks submission; "tolerable" needs the commitment
    message: str
    field: str = ""
    material: str = ""
    matters: tuple[str, ...] = ()


def precheck(application: Application) -> list[Finding]:
    """Everything that would stop this application at the counter, explained."""
    findings: list[Finding] = []
    data, errors = clean_data(application, application.data)
    for field in fields_for(application):
        if field.key in errors:
            findings.append(Finding("error", errors[field.key], field=field.key))
        elif field.required and not data.get(field.key):
            findings.append(
                Finding("error", str(_("%(field)s is missing.") % {"field": field.label}),
                        field=field.key)
            )  # fmt: skip
    day = today()
    for line in application.materials.select_related("document"):
        matters = tuple(line.matter_codes)
        if line.document is None:
            if line.principal:
                message = _("%(name)s is a principal material: it cannot be missing.")
                findings.append(Finding("error", str(message % {"name": line.name}),
                                        material=line.key, matters=matters))  # fmt: skip
            else:
                message = _(
                    "%(name)s is missing. It may be supplied later (容缺) if you sign the "
                    "commitment."
                )
                findings.append(Finding("tolerable", str(message % {"name": line.name}),
                                        material=line.key, matters=matters))  # fmt: skip
        elif line.document.valid_until and line.document.valid_until < day:
            message = _("%(name)s expired on %(day)s: upload a valid one.")
            findings.append(Finding(
                "error", str(message % {"name": line.name, "day": line.document.valid_until}),
                material=line.key, matters=matters,
            ))  # fmt: skip
    return findings


def supplement_due(start: date | None = None) -> date:
    return workdays.add_working_days(start or today(), settings.TONGBAN_SUPPLEMENT_DAYS)


@transaction.atomic
def submit(application: Application, user, *, commitment: bool = False) -> list[Finding]:
    """Submit if the pre-check passes; return the findings either way."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _editable(application)
    findings = precheck(application)
    if any(f.level == "error" for f in findings):
        return findings
    tolerated = [f.material for f in findings if f.level == "tolerable"]
    if tolerated and not commitment:
        raise CaseError(
            _("Some materials are missing: sign the commitment to supply them later, or upload "
              "them now."),
            "commitment",
        )  # fmt: skip
    due = supplement_due()
    application.materials.filter(key__in=tolerated).update(
        status=ApplicationMaterial.Status.TOLERATED, due_on=due
    )
    move(application, states.APPLICATION, "submit", user, submitted_at=now(),
          commitment_at=now() if tolerated else None, expires_at=None)  # fmt: skip
    notify(user, application, _("Application %(number)s was submitted."),
           number=application.number)  # fmt: skip
    if all(t.matter.channels == ["online"] for t in application.matters.select_related("matter")):
        _accept(application, None)
    return findings


def withdraw(application: Application, user, reason: str = "") -> None:
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        move(application, states.APPLICATION, "withdraw", user, reason=reason[:2000])
        for task in application.matters.exclude(state__in=states.DECIDED):
            _close_requests(task, "withdrawn")
            if task.paused_on:
                _resume_clock(task)
            move(task, states.REVIEW, "withdraw", user, decided_at=now())


def expire_drafts(moment=None) -> tuple[int, int]:
    """Warn the owners of drafts about to expire and expire the overdue ones."""
    moment = moment or now()
    warn_before = timedelta(days=settings.TONGBAN_DRAFT_WARNING_DAYS)
    warned = expired = 0
    for application in Application.objects.filter(
        state="draft", warned_at__isnull=True, expires_at__lte=moment + warn_before,
        expires_at__gt=moment,
    ):  # fmt: skip
        notify(application.applicant, application,
               _("Your draft %(number)s will be removed on %(day)s unless you continue it."),
               number=application.number,
               day=timezone.localtime(application.expires_at).date())  # fmt: skip
        application.warned_at = moment
        application.save(update_fields=["warned_at"])
        warned += 1
    for application in Application.objects.filter(state="draft", expires_at__lte=moment):
        move(application, states.APPLICATION, "expire", None)
        expired += 1
    return warned, expired


# --- acceptance (一窗受理) ---------------------------------------------------------


def may_accept(user, application: Application) -> bool:
    return (
        access.is_clerk(user)
        and user.centre_id == application.centre_id
        and user.counter in ("", application.counter)
    )


@transaction.atomic
def accept(application: Application, clerk) -> None:
    access.require(may_accept(clerk, application))
    application = Application.objects.select_for_update().get(pk=application.pk)
    _accept(application, clerk)


def _accept(application: Application, clerk) -> None:
    missing = application.materials.filter(principal=True, document__isnull=True)
    if missing.exists():
        raise CaseError(_("A principal material is missing: this application cannot be accepted."))
    day = today()
    move(application, states.APPLICATION, "accept", clerk, accepted_at=now(), accepted_by=clerk)
    for task in application.matters.select_related("matter"):
        task.started_on = day
        task.due_on = workdays.add_working_days(day, task.matter.promised_days)
        task.due_confirmed = workdays.calendar_confirmed(task.due_on)
        task.save(update_fields=["started_on", "due_on", "due_confirmed"])
        for reviewer in _reviewers(task.department_id):
            notify(reviewer, application, _("New matter to review: %(number)s, %(matter)s."),
                   number=application.number, matter=task.matter.name_en)  # fmt: skip
    notify(application.applicant, application,
           _("Application %(number)s was accepted; the departments are reviewing it."),
           number=application.number)  # fmt: skip


def _reviewers(department_id: int):
    from tongban.accounts.models import User

    return User.objects.filter(
        department_id=department_id, groups__permissions__codename="review_matters"
    ).distinct()


def reject(application: Application, clerk, reason: str) -> None:
    access.require(may_accept(clerk, application))
    if not reason.strip():
        raise CaseError(_("Give the reason for rejecting, so the applicant can act on it."),
                        "reason")  # fmt: skip
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        move(application, states.APPLICATION, "reject", clerk, reason=reason.strip()[:2000])
        notify(application.applicant, application,
               _("Application %(number)s was not accepted: %(reason)s"),
               number=application.number, reason=reason.strip()[:200])  # fmt: skip


# --- parallel review (分类审批) -----------------------------------------------------


def _reviewing(task: ApplicationMatter, user) -> ApplicationMatter:
    access.require(access.is_reviewer(user) and user.department_id == task.department_id)
    task = (
        ApplicationMatter.objects.select_for_update()
        .select_related("application", "matter")
        .get(pk=task.pk)
    )
    if task.application.state != "in_review":
        raise CaseError(_("This matter is not under review."))
    return task


def overdue_tolerated(
    task: ApplicationMatter, day: date | None = None
) -> list[ApplicationMaterial]:
    """Tolerated materials of this matter past their due date and still missing."""
    day = day or today()
    return [
        line
        for line in task.application.materials.filter(
            status=ApplicationMaterial.Status.TOLERATED, due_on__lt=day
        )
        if task.matter.code in line.matter_codes
    ]


@transaction.atomic
def approve(task: ApplicationMatter, reviewer, *, valid_until: date | None = None,
            scope: str = "") -> None:  # fmt: skip
    task = _reviewing(task, reviewer)
    if overdue_tolerated(task):
        raise CaseError(_("A tolerated material was not supplied by its due date: this matter "
                          "cannot be approved until it is."))  # fmt: skip
    if valid_until and valid_until <= today():
        raise CaseError(_("The validity must end after today."), "valid_until")
    if valid_until is None and task.matter.result_validity_months:
        valid_until = _add_months(today(), task.matter.result_validity_months) - timedelta(days=1)
    result = {"valid_until": valid_until.isoformat() if valid_until else None,
              "scope": scope.strip()[:1000]}  # fmt: skip
    move(task, states.REVIEW, "approve", reviewer, decided_at=now(), decided_by=reviewer,
          result=result)  # fmt: skip
    _after_decision(task)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@transaction.atomic
def refuse(task: ApplicationMatter, reviewer, reason: str) -> None:
    task = _reviewing(task, reviewer)
    if not reason.strip():
        raise CaseError(_("A refusal needs its reason and legal ground."), "reason")
    if task.paused_on:
        _resume_clock(task)
    _close_requests(task, "refused")
    move(task, states.REVIEW, "refuse", reviewer, decided_at=now(), decided_by=reviewer,
          reason=reason.strip()[:4000])  # fmt: skip
    _after_decision(task)


def _after_decision(task: ApplicationMatter) -> None:
    # Locked, so two last decisions at once cannot both miss each other.
    application = Application.objects.select_for_update().get(pk=task.application_id)
    notify(application.applicant, application,
           _("%(matter)s: the department has decided (%(state)s)."),
           matter=task.matter.name_en, state=task.state)  # fmt: skip
    if not application.matters.exclude(state__in=states.DECIDED).exists():
        move(application, states.APPLICATION, "conclude", None, decided_at=now())


@transaction.atomic
def request_supplement(task: ApplicationMatter, reviewer, *, material_keys: list[str],
                       reason: str, days: int = 5) -> SupplementRequest:  # fmt: skip
    task = _reviewing(task, reviewer)
    if not reason.strip():
        raise CaseError(_("Say what is to be supplied or corrected, and why."), "reason")
    known = set(task.application.materials.values_list("key", flat=True))
    unknown = [k for k in material_keys if k not in known]
    if unknown:
        raise CaseError(_("This application has no such material."), "material_keys")
    if not 1 <= days <= 60:
        raise CaseError(_("Give between 1 and 60 working days."), "days")
    day = today()
    move(task, states.REVIEW, "request_supplement", reviewer, paused_on=day)
    request = SupplementRequest.objects.create(
        task=task, material_keys=material_keys, reason=reason.strip()[:4000],
        due_on=workdays.add_working_days(day, days), requested_by=reviewer,
    )  # fmt: skip
    notify(task.application.applicant, task.application,
           _("%(matter)s: please supply or correct materials by %(day)s. %(reason)s"),
           matter=task.matter.name_en, day=request.due_on, reason=reason.strip()[:150])  # fmt: skip
    return request


def _close_requests(task: ApplicationMatter, why: str) -> None:
    """A decided matter asks for nothing more: its open requests close unanswered."""
    task.supplements.filter(answered_at__isnull=True).update(answered_at=now(), answer=f"({why})")


def _resume_clock(task: ApplicationMatter) -> None:
    """Add the paused working days to the pause total and move the due date by as many."""
    day = today()
    paused = workdays.working_days_between(task.paused_on, day)
    task.due_on = workdays.shift_for_pause(task.due_on, task.paused_on, day)
    task.due_confirmed = workdays.calendar_confirmed(task.due_on)
    task.paused_days += paused
    task.paused_on = None


@transaction.atomic
def answer_supplement(application: Application, user, request_id: int, answer: str) -> None:
    """The applicant says the asked materials are supplied: the task's clock runs again."""
    request = (
        SupplementRequest.objects.select_related("task")
        .filter(pk=request_id, task__application=application, answered_at__isnull=True)
        .first()
    )
    if request is None:
        raise CaseError(_("There is no open request to answer."))
    # Asked again means a new file since the request, not the one already there.
    missing = application.materials.filter(key__in=request.material_keys).filter(
        Q(document__isnull=True)
        | Q(supplied_at__isnull=True)
        | Q(supplied_at__lt=request.requested_at)
    )
    if missing.exists():
        raise CaseError(_("Upload the requested materials first."), "file")
    request.answered_at, request.answer = now(), answer.strip()[:4000]
    request.save(update_fields=["answered_at", "answer"])
    task = ApplicationMatter.objects.select_for_update().get(pk=request.task_id)
    still_open = task.supplements.filter(answered_at__isnull=True).exists()
    if task.state == "supplement" and not still_open:
        _resume_clock(task)
        move(task, states.REVIEW, "supply", user, paused_on=None)
        for reviewer in _reviewers(task.department_id):
            notify(reviewer, application, _("%(number)s: the applicant supplied materials."),
                   number=application.number)  # fmt: skip


def add_note(application: Application, user, kind: str, body: str,
             task: ApplicationMatter | None = None) -> Note:  # fmt: skip
    body = body.strip()
    if not body:
        raise CaseError(_("Write something first."), "body")
    if kind == Note.Kind.MESSAGE:
        access.require(application.applicant_id == user.pk or access.may_see_staff_notes(
            user, application))  # fmt: skip
    else:
        access.require(
            task is not None and access.is_reviewer(user) and user.department_id ==
            task.department_id
        )  # fmt: skip
    note = Note.objects.create(application=application, task=task, kind=kind, author=user,
                               body=body[:4000])  # fmt: skip
    if kind == Note.Kind.MESSAGE and application.applicant_id != user.pk:
        notify(application.applicant, application, _("New message on %(number)s."),
               number=application.number)  # fmt: skip
    return note


def rate(application: Application, user, stars: int, comment: str = "") -> None:
    if application.applicant_id != user.pk:
        raise CaseError(_("Only the applicant rates the service."))
    if application.state not in ("issued", "completed", "rejected"):
        raise CaseError(_("Rate the service once the results are issued."))
    if application.rating is not None:
        raise CaseError(_("This application has already been rated."))
    if not 1 <= int(stars) <= 5:
        raise CaseError(_("Give 1 to 5 stars."), "stars")
    application.rating, application.rating_comment = int(stars), comment.strip()[:2000]
    application.save(update_fields=["rating", "rating_comment", "updated_at"])
    record(
        "update",
        object_type="applications.application",
        object_id=application.pk,
        object_label=application.number,
        after={"rating": application.rating},
        actor=user,
    )


# --- clocks shown to people ---------------------------------------------------------


def clock(task: ApplicationMatter, day: date | None = None) -> dict[str, Any]:
    """Where a task's time limit stands: used, left, paused, overdue, soon due."""
    day = day or today()
    if task.started_on is None:
        return {"started": False}
    end = task.decided_at and timezone.localtime(task.decided_at).date()
    until = end or task.paused_on or day
    used = max(0, workdays.working_days_between(task.started_on, until) - task.paused_days)
    open_ = task.state not in states.DECIDED
    left = workdays.working_days_between(until, task.due_on) if task.due_on else 0
    return {
        "started": True,
        "used": used,
        "left": left,
        "paused": task.paused_on is not None,
        "overdue": open_ and not task.paused_on and task.due_on is not None and day > task.due_on,
        "soon": open_
        and not task.paused_on
        and task.due_on is not None
        and 0 <= left <= 2
        and day <= task.due_on,
        "due_on": task.due_on,
        "confirmed": task.due_confirmed,
    }


def remind_reviewers(day: date | None = None) -> int:
    """Remind each department of its overdue and soon-due tasks, once a day."""
    day = day or today()
    sent = 0
    tasks = (
        ApplicationMatter.objects.filter(
            state="reviewing",
            started_on__isnull=False,
            due_on__lte=workdays.add_working_days(day, 2),
        )
        .exclude(reminded_on=day)
        .select_related("application", "matter")
    )
    for task in tasks:
        late = day > task.due_on
        message = (_("Overdue since %(day)s: %(number)s, %(matter)s.") if late
                   else _("Due on %(day)s: %(number)s, %(matter)s."))  # fmt: skip
        for reviewer in _reviewers(task.department_id):
            notify(reviewer, task.application, message, day=task.due_on,
                   number=task.application.number, matter=task.matter.name_en)  # fmt: skip
        task.reminded_on = day
        task.save(update_fields=["reminded_on"])
        sent += 1
    return sent


def timeline(application: Application) -> list[dict[str, Any]]:
    """The audited moves of the application, its matters and its delivery, oldest first."""
    from tongban.audit.models import AuditEntry

    from .models import Delivery

    tasks = {str(t.pk): t for t in application.matters.select_related("matter")}
    reach = Q(object_type="applications.application", object_id=str(application.pk)) | Q(
        object_type="applications.applicationmatter", object_id__in=list(tasks)
    )
    parcel = Delivery.objects.filter(application=application).first()
    if parcel is not None:
        reach |= Q(object_type="applications.delivery", object_id=str(parcel.pk))
    entries = AuditEntry.objects.filter(action="transition").filter(reach).order_by("seq")
    return [
        {
            "at": entry.at,
            "who": entry.actor_label,
            "matter": tasks[entry.object_id].matter
            if entry.object_type == "applications.applicationmatter"
            else None,
            "delivery": entry.object_type == "applications.delivery",
            "action": (entry.after or {}).get("action", ""),
            "before": (entry.before or {}).get("state", ""),
            "state": (entry.after or {}).get("state", ""),
        }
        for entry in entries
    ]
