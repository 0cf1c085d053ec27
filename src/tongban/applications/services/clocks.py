"""The working-day clocks of the review tasks: today, due dates, pauses, what is late.

Everything that asks for the date asks ``today()`` here (tests move it), and the overdue and
due-soon rule is ``deadlines``' in Python and ``due_filter`` in SQL.
"""

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import deadlines, workdays
from tongban.notifications.services import notify

from .. import access
from ..models import ApplicationMatter


def today() -> date:
    return timezone.localdate()


def now() -> datetime:
    return timezone.now()


def supplement_due(start: date | None = None) -> date:
    return workdays.add_working_days(start or today(), settings.TONGBAN_SUPPLEMENT_DAYS)


def validity_end(start: date, months: int) -> date:
    """The last day of a result valid for so many months from ``start``."""
    return start + relativedelta(months=months) - timedelta(days=1)


def start_clock(task: ApplicationMatter, day: date, *, tell: bool = True) -> None:
    """The task's time limit runs from ``day``; its department is told (``tell``)."""
    task.started_on = day
    task.due_on = workdays.add_working_days(day, task.matter.promised_days)
    task.due_confirmed = workdays.calendar_confirmed(task.due_on)
    task.save(update_fields=["started_on", "due_on", "due_confirmed"])
    if not tell:
        return
    for reviewer in access.reviewers(task.department_id):
        notify(reviewer, task.application, _("New matter to review: %(number)s, %(matter)s."),
               number=task.application.number, matter=task.matter.name_en)  # fmt: skip


def resume_clock(task: ApplicationMatter) -> None:
    """Add the paused working days to the pause total and move the due date by as many."""
    day = today()
    paused = workdays.working_days_between(task.paused_on, day)
    task.due_on = workdays.shift_for_pause(task.due_on, task.paused_on, day)
    task.due_confirmed = workdays.calendar_confirmed(task.due_on)
    task.paused_days += paused
    task.paused_on = None


def due_status(task: ApplicationMatter, day: date) -> str:
    """``deadlines.OVERDUE``, ``deadlines.SOON`` or "" for a task on ``day``."""
    if task.state != deadlines.RUNNING or task.started_on is None or task.due_on is None:
        return ""
    return deadlines.due_status(task.due_on, day, settings.TONGBAN_DUE_SOON_DAYS)


def due_filter(status: str, day: date, prefix: str = "") -> Q:
    """The tasks ``due_status`` puts in OVERDUE or SOON on ``day``, as a filter; ``prefix``
    reaches the tasks from another model (e.g. "matters__")."""
    running = {"state": deadlines.RUNNING, "started_on__isnull": False}
    if status == deadlines.OVERDUE:
        bounds = {"due_on__lt": day}
    elif status == deadlines.SOON:
        limit = deadlines.soon_limit(day, settings.TONGBAN_DUE_SOON_DAYS)
        bounds = {"due_on__gte": day, "due_on__lt": limit}
    else:
        raise ValueError(f"no such due status: {status!r}")
    return Q(**{prefix + key: value for key, value in (running | bounds).items()})


def clock(task: ApplicationMatter, day: date | None = None) -> dict[str, Any]:
    """Where a task's time limit stands: used, left, paused, overdue, soon due."""
    day = day or today()
    if task.started_on is None:
        return {"started": False}
    end = task.decided_at and timezone.localtime(task.decided_at).date()
    until = end or task.paused_on or day
    used = max(0, workdays.working_days_between(task.started_on, until) - task.paused_days)
    left = workdays.working_days_between(until, task.due_on) if task.due_on else 0
    status = due_status(task, day)
    return {
        "started": True,
        "used": used,
        "left": left,
        "paused": task.paused_on is not None,
        "overdue": status == deadlines.OVERDUE,
        "soon": status == deadlines.SOON,
        "due_on": task.due_on,
        "confirmed": task.due_confirmed,
    }


def remind_reviewers(day: date | None = None) -> int:
    """Remind each department of its overdue and soon-due tasks, once a day."""
    day = day or today()
    sent = 0
    tasks = (
        ApplicationMatter.objects.filter(
            due_filter(deadlines.OVERDUE, day) | due_filter(deadlines.SOON, day)
        )
        .exclude(reminded_on=day)
        .select_related("application", "matter")
    )
    for task in tasks:
        late = due_status(task, day) == deadlines.OVERDUE
        message = (_("Overdue since %(day)s: %(number)s, %(matter)s.") if late
                   else _("Due on %(day)s: %(number)s, %(matter)s."))  # fmt: skip
        for reviewer in access.reviewers(task.department_id):
            notify(reviewer, task.application, message, day=task.due_on,
                   number=task.application.number, matter=task.matter.name_en)  # fmt: skip
        task.reminded_on = day
        task.save(update_fields=["reminded_on"])
        sent += 1
    return sent
