"""Supplement due dates and what follows them (docs/case-rules.md, "Supplement due dates").

Two things are owed by a date: a tolerated material (容缺, due ``TONGBAN_SUPPLEMENT_DAYS``
working days after acceptance) and what a reviewer asked for (a ``SupplementRequest``).
While the application is in review, the applicant is reminded once per due date when it
is due soon (the rule of ``core.deadlines``); after the date the case shows "supplement
overdue", and ``TONGBAN_SUPPLEMENT_OVERDUE`` decides what follows: "escalate" tells the
centre's managers and flags the case; "lapse" ends the matters it was for as withdrawn
(视为撤回) once ``TONGBAN_SUPPLEMENT_GRACE_DAYS`` working days have passed. The daily
``tongban applications tick`` runs both; running it again does nothing new.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record
from tongban.core import deadlines, workdays
from tongban.core.moves import move
from tongban.notifications.services import both, notify

from .. import access, states
from ..models import Application, ApplicationMaterial, ApplicationMatter, SupplementRequest
from . import clocks, fees, joint
from .review import close_requests

ESCALATE, LAPSE = "escalate", "lapse"
MATERIAL, REQUEST = "material", "request"


def policy() -> str:
    """What follows an overdue supplement: ESCALATE or LAPSE (the setting, checked)."""
    value = settings.TONGBAN_SUPPLEMENT_OVERDUE
    if value not in (ESCALATE, LAPSE):
        raise ImproperlyConfigured(
            f"TONGBAN_SUPPLEMENT_OVERDUE must be {ESCALATE!r} or {LAPSE!r}, not {value!r}"
        )
    return value


def grace_end(due_on: date) -> date:
    """The last day of grace after a due date; under LAPSE the matters end the day after."""
    return workdays.add_working_days(due_on, settings.TONGBAN_SUPPLEMENT_GRACE_DAYS)


def is_overdue(due_on: date, day: date) -> bool:
    return deadlines.due_status(due_on, day, settings.TONGBAN_DUE_SOON_DAYS) == deadlines.OVERDUE


@dataclass(frozen=True)
class Owed:
    """Something the applicant owes by a date: a tolerated material or a reviewer's request."""

    row: ApplicationMaterial | SupplementRequest
    application_id: int
    matters: tuple[str, ...]  # codes of the matters it is for
    due_on: date

    @property
    def kind(self) -> str:
        return MATERIAL if isinstance(self.row, ApplicationMaterial) else REQUEST

    @property
    def escalated_at(self) -> datetime | None:
        return self.row.escalated_at

    @property
    def ends_after(self) -> date | None:
        """Under LAPSE, the last day it may still be supplied."""
        return grace_end(self.due_on) if policy() == LAPSE else None

    def describe(self) -> str:
        """What is owed, in English (for notices and reasons, like the other notices)."""
        if self.kind == MATERIAL:
            return self.row.name_en
        return f"the supplement asked for {self.row.task.matter.name_en}"


def _open_materials() -> QuerySet[ApplicationMaterial]:
    return ApplicationMaterial.objects.filter(
        status=ApplicationMaterial.Status.TOLERATED,
        due_on__isnull=False,
        application__state__in=states.UNDER_REVIEW,
    )


def _open_requests() -> QuerySet[SupplementRequest]:
    return SupplementRequest.objects.filter(
        answered_at__isnull=True, task__application__state__in=states.UNDER_REVIEW
    ).select_related("task__matter")


def _owed(materials: QuerySet, requests: QuerySet) -> list[Owed]:
    found = [Owed(m, m.application_id, tuple(m.matter_codes), m.due_on) for m in materials]
    found += [Owed(r, r.task.application_id, (r.task.matter.code,), r.due_on) for r in requests]
    return sorted(found, key=lambda owed: (owed.due_on, owed.kind, owed.row.pk))


def owed_by(application: Application) -> list[Owed]:
    """What the applicant owes on this application by a date, soonest first."""
    return _owed(
        _open_materials().filter(application=application),
        _open_requests().filter(task__application=application),
    )


def overdue_of(application: Application, day: date | None = None) -> list[Owed]:
    """What is past its due date on this application: it shows "supplement overdue"."""
    day = day or clocks.today()
    return [owed for owed in owed_by(application) if is_overdue(owed.due_on, day)]


def overdue_tasks(tasks: Iterable[ApplicationMatter], day: date) -> set[int]:
    """The ids of those tasks (their matter loaded) that wait for an overdue supplement."""
    tasks = list(tasks)
    late = set(
        _open_requests()
        .filter(task__in=[t.pk for t in tasks], due_on__lt=day)
        .values_list("task_id", flat=True)
    )
    by_application: dict[int, list[ApplicationMatter]] = {}
    for task in tasks:
        by_application.setdefault(task.application_id, []).append(task)
    lines = _open_materials().filter(application_id__in=by_application, due_on__lt=day)
    for line in lines.only("application_id", "matter_codes"):
        late |= {
            t.pk for t in by_application[line.application_id] if t.matter.code in line.matter_codes
        }
    return late


def overdue_annotation(day: date) -> ExpressionWrapper:
    """For ``Application.objects.annotate``: whether a supplement of it is overdue on ``day``."""
    late = Exists(_open_materials().filter(application=OuterRef("pk"), due_on__lt=day)) | Exists(
        _open_requests().filter(task__application=OuterRef("pk"), due_on__lt=day)
    )
    return ExpressionWrapper(Q(late), output_field=BooleanField())


# --- the daily tick ------------------------------------------------------------------


def remind_applicants(day: date | None = None) -> int:
    """Remind applicants of what is due soon, once per due date; how many reminders."""
    day = day or clocks.today()
    window = {
        "due_on__gte": day,
        "due_on__lt": deadlines.soon_limit(day, settings.TONGBAN_DUE_SOON_DAYS),
    }
    not_yet = Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_on"))
    due = _owed(
        _open_materials().filter(not_yet, **window).select_related("application__applicant"),
        _open_requests().filter(not_yet, **window).select_related("task__application__applicant"),
    )
    for owed in due:
        application = _application_of(owed)
        if owed.kind == MATERIAL:
            message = _("%(number)s: %(what)s, which you committed to supply later, is due by "
                        "%(day)s.")  # fmt: skip
        else:
            message = _("%(number)s: %(what)s is due by %(day)s.")
        notify(application.applicant, application, message, number=application.number,
               what=owed.describe(), day=owed.due_on)  # fmt: skip
        owed.row.reminded_for = owed.due_on
        owed.row.save(update_fields=["reminded_for"])
    return len(due)


def act_on_overdue(day: date | None = None) -> tuple[int, int]:
    """Apply the setting's consequence to what is overdue: (escalated, lapsed) supplements."""
    day = day or clocks.today()
    late = _owed(_open_materials().filter(due_on__lt=day), _open_requests().filter(due_on__lt=day))
    if policy() == ESCALATE:
        return sum(_escalate(owed) for owed in late if owed.escalated_at is None), 0
    return 0, sum(_lapse(owed) for owed in late if day > grace_end(owed.due_on))


def _application_of(owed: Owed) -> Application:
    return owed.row.application if owed.kind == MATERIAL else owed.row.task.application


def _audit(owed: Owed, application: Application, after: dict) -> None:
    label = owed.row.key if owed.kind == MATERIAL else f"request {owed.row.pk}"
    record("update", object_type=owed.row._meta.label_lower, object_id=owed.row.pk,
           object_label=f"{application.number} {label}",
           after={"due_on": owed.due_on.isoformat(), **after}, actor=None)  # fmt: skip


@transaction.atomic
def _escalate(owed: Owed) -> bool:
    row = type(owed.row).objects.select_for_update().get(pk=owed.row.pk)
    if row.escalated_at is not None:
        return False
    row.escalated_at = clocks.now()
    row.save(update_fields=["escalated_at"])
    application = Application.objects.get(pk=owed.application_id)
    _audit(owed, application, {"escalated_at": row.escalated_at.isoformat()})
    params = {"number": application.number, "what": owed.describe(), "day": owed.due_on}
    for manager in access.managers(application.centre_id):
        notify(manager, application, _("%(number)s: a supplement is overdue since %(day)s "
                                       "(%(what)s)."), **params)  # fmt: skip
    notify(application.applicant, application,
           _("%(number)s: %(what)s was due by %(day)s; the service centre has been told."),
           **params)  # fmt: skip
    return True


@transaction.atomic
def _lapse(owed: Owed) -> bool:
    application = Application.objects.select_for_update().get(pk=owed.application_id)
    if application.state not in states.UNDER_REVIEW or not _still_open(owed):
        return False
    why = " / ".join(both(_("%(what)s was not supplied by %(day)s: deemed withdrawn."),
                          what=owed.describe(), day=owed.due_on))  # fmt: skip
    if owed.kind == MATERIAL:
        owed.row.status = ApplicationMaterial.Status.LAPSED
        owed.row.save(update_fields=["status"])
    _audit(owed, application, {"lapsed": True})
    tasks = application.matters.filter(matter__code__in=owed.matters).exclude(
        state__in=states.DECIDED
    )
    lapsed = {task.matter_id for task in tasks}
    for task in tasks.select_related("matter"):
        _lapse_task(application, task, owed, why)
    for matter_id in lapsed:
        joint.settle(application, matter_id)  # what waited for it is withdrawn too
    _settle(application)
    return True


def _still_open(owed: Owed) -> bool:
    if owed.kind == MATERIAL:
        return _open_materials().filter(pk=owed.row.pk).exists()
    return _open_requests().filter(pk=owed.row.pk).exists()


def _lapse_task(application: Application, task: ApplicationMatter, owed: Owed, why: str) -> None:
    if task.paused_on:
        clocks.resume_clock(task)
    close_requests(task, "lapsed")
    move(task, states.REVIEW, "lapse", None, decided_at=clocks.now(), reason=why[:4000])
    params = {"number": application.number, "matter": task.matter.name_en,
              "what": owed.describe(), "day": owed.due_on}  # fmt: skip
    notify(application.applicant, application,
           _("%(number)s, %(matter)s: ended as withdrawn, because %(what)s was not supplied "
             "by %(day)s."), **params)  # fmt: skip
    for reviewer in access.reviewers(task.department_id):
        notify(reviewer, application,
               _("%(number)s, %(matter)s: ended as withdrawn, a supplement was not made by "
                 "%(day)s."), **params)  # fmt: skip


def _settle(application: Application) -> None:
    """With no matter left to decide the application concludes, or lapses when every matter
    ended as withdrawn (nothing to issue)."""
    matters = application.matters.all()
    if matters.exclude(state__in=states.DECIDED).exists():
        return
    if matters.exclude(state="withdrawn").exists():
        move(application, states.APPLICATION, "conclude", None, decided_at=clocks.now())
        fees.bill(application)
    else:
        why = both(_("A supplement was not made in time: deemed withdrawn."))
        move(application, states.APPLICATION, "lapse", None, reason=" / ".join(why))
