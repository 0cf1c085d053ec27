"""Parallel review (分类审批): each department decides its matters, may ask for a supplement
(the clock pauses), and the application is decided when the last matter is."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.moves import move
from tongban.notifications.services import notify

from .. import access, states
from ..models import Application, ApplicationMaterial, ApplicationMatter, SupplementRequest
from . import clocks, fees, joint
from .drafting import optional_line, optional_materials
from .errors import CaseError


def _reviewing(task: ApplicationMatter, user) -> ApplicationMatter:
    access.require(access.is_reviewer(user) and user.department_id == task.department_id)
    task = (
        ApplicationMatter.objects.select_for_update()
        .select_related("application", "matter")
        .get(pk=task.pk)
    )
    if task.application.state not in states.UNDER_REVIEW:
        raise CaseError(_("This matter is not under review."))
    return task


def overdue_tolerated(
    task: ApplicationMatter, day: date | None = None
) -> list[ApplicationMaterial]:
    """Tolerated materials of this matter past their due date and still missing."""
    day = day or clocks.today()
    return [
        line
        for line in task.application.materials.filter(
            status=ApplicationMaterial.Status.TOLERATED, due_on__lt=day
        )
        if task.matter.code in line.matter_codes
    ]


@transaction.atomic
def approve(task: ApplicationMatter, reviewer, *, valid_until: date | None = None,
            scope: str = "", fee: Decimal | None = None) -> None:  # fmt: skip
    """Approve the matter; ``fee`` is the fee assessed, by the lead department, when the
    catalogue lists one (a co-implementing department's approval assesses none)."""
    task = _reviewing(task, reviewer)
    if overdue_tolerated(task):
        raise CaseError(_("A tolerated material was not supplied by its due date: this matter "
                          "cannot be approved until it is."))  # fmt: skip
    if valid_until and valid_until <= clocks.today():
        raise CaseError(_("The validity must end after today."), "valid_until")
    record_approval(task, reviewer, fees.assess(task.matter, fee) if task.lead else None,
                    valid_until=valid_until, scope=scope)  # fmt: skip


def record_approval(task: ApplicationMatter, actor, fee: Decimal | None, *,
                    valid_until: date | None = None, scope: str = "") -> None:  # fmt: skip
    """Approve a locked task whose checks have passed."""
    result = {"valid_until": valid_until.isoformat() if valid_until else None,
              "scope": scope.strip()[:1000],
              "fee": str(fee) if fee is not None else None}  # fmt: skip
    move(task, states.REVIEW, "approve", actor, decided_at=clocks.now(), decided_by=actor,
          result=result)  # fmt: skip
    _after_decision(task)


@transaction.atomic
def refuse(task: ApplicationMatter, reviewer, reason: str) -> None:
    task = _reviewing(task, reviewer)
    if not reason.strip():
        raise CaseError(_("A refusal needs its reason and legal ground."), "reason")
    record_refusal(task, reviewer, reason)


def record_refusal(task: ApplicationMatter, actor, reason: str) -> None:
    """Refuse a locked task: the matter is refused, its other departments' tasks close."""
    if task.paused_on:
        clocks.resume_clock(task)
    close_requests(task, "refused")
    move(task, states.REVIEW, "refuse", actor, decided_at=clocks.now(), decided_by=actor,
          reason=reason.strip()[:4000])  # fmt: skip
    _close_matter(task)
    _after_decision(task)


def _close_matter(refused: ApplicationMatter) -> None:
    """One department's refusal decides the matter: the tasks of the other departments on
    it that are still open are withdrawn, with the refusal as their reason."""
    others = (
        ApplicationMatter.objects.select_for_update()
        .filter(application_id=refused.application_id, matter_id=refused.matter_id)
        .exclude(pk=refused.pk)
        .exclude(state__in=states.DECIDED)
    )
    for task in others:
        withdraw_task(task, None, "refused", reason=refused.reason)
        for reviewer in access.reviewers(task.department_id):
            notify(reviewer, refused.application,
                   _("%(number)s, %(matter)s: another department refused this matter; your "
                     "task is closed."),
                   number=refused.application.number, matter=refused.matter.name_en)  # fmt: skip


def withdraw_task(task: ApplicationMatter, actor, why: str, reason: str = "") -> None:
    """Close an undecided task without a decision: its requests close, its clock stops."""
    close_requests(task, why)
    if task.paused_on:
        clocks.resume_clock(task)
    move(task, states.REVIEW, "withdraw", actor, decided_at=clocks.now(), reason=reason)


def _after_decision(task: ApplicationMatter) -> None:
    # Locked, so two last decisions at once cannot both miss each other.
    application = Application.objects.select_for_update().get(pk=task.application_id)
    notify(application.applicant, application,
           _("%(matter)s: the department has decided (%(state)s)."),
           matter=task.matter.name_en, state=task.state)  # fmt: skip
    joint.settle(application, task.matter_id)
    if not application.matters.exclude(state__in=states.DECIDED).exists():
        move(application, states.APPLICATION, "conclude", None, decided_at=clocks.now())
        fees.bill(application)


@transaction.atomic
def request_supplement(task: ApplicationMatter, reviewer, *, material_keys: list[str],
                       reason: str, days: int = 5) -> SupplementRequest:  # fmt: skip
    task = _reviewing(task, reviewer)
    if not reason.strip():
        raise CaseError(_("Say what is to be supplied or corrected, and why."), "reason")
    application = task.application
    known = set(application.materials.values_list("key", flat=True))
    # A material "if it applies" of this matter becomes a line of the case once asked for.
    offers = {o.key: o for o in optional_materials(application) if task.matter.code in o.matters}
    unknown = [k for k in material_keys if k not in known and k not in offers]
    if unknown:
        raise CaseError(_("Neither this application nor this matter has the material %(keys)s.")
                        % {"keys": ", ".join(unknown)}, "material_keys")  # fmt: skip
    if not 1 <= days <= 60:
        raise CaseError(_("Give between 1 and 60 working days."), "days")
    added = [optional_line(application, offers[k]) for k in dict.fromkeys(material_keys)
             if k in offers]  # fmt: skip
    ApplicationMaterial.objects.bulk_create(added, ignore_conflicts=True)
    day = clocks.today()
    move(task, states.REVIEW, "request_supplement", reviewer, paused_on=day)
    request = SupplementRequest.objects.create(
        task=task, material_keys=material_keys, reason=reason.strip()[:4000],
        due_on=workdays.add_working_days(day, days), requested_by=reviewer,
    )  # fmt: skip
    notify(task.application.applicant, task.application,
           _("%(matter)s: please supply or correct materials by %(day)s. %(reason)s"),
           matter=task.matter.name_en, day=request.due_on, reason=reason.strip()[:150])  # fmt: skip
    return request


def close_requests(task: ApplicationMatter, why: str) -> None:
    """A decided matter asks for nothing more: its open requests close unanswered."""
    task.supplements.filter(answered_at__isnull=True).update(
        answered_at=clocks.now(), answer=f"({why})"
    )


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
    request.answered_at, request.answer = clocks.now(), answer.strip()[:4000]
    request.save(update_fields=["answered_at", "answer"])
    task = ApplicationMatter.objects.select_for_update().get(pk=request.task_id)
    still_open = task.supplements.filter(answered_at__isnull=True).exists()
    if task.state == "supplement" and not still_open:
        clocks.resume_clock(task)
        move(task, states.REVIEW, "supply", user, paused_on=None)
        for reviewer in access.reviewers(task.department_id):
            notify(
                reviewer,
                application,
                _("%(number)s: the applicant supplied materials."),
                number=application.number,
            )
