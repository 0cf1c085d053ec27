"""When a review task is overdue or due soon: one rule for the pages, the API, the reminders
and the statistics. Pure Python; ``services.clocks.due_filter`` says the same in SQL.

A task's clock runs only in the review state "reviewing" (it pauses while a supplement is
owed and stops at the decision). A running task is *overdue* after its due date, and due
*soon* while at most ``soon_days`` working days are left (the due day included, as the
clock counts them), which is settings.TONGBAN_DUE_SOON_DAYS.
"""

from datetime import date

from . import workdays

RUNNING = "reviewing"
OVERDUE, SOON = "overdue", "soon"


def soon_limit(day: date, soon_days: int) -> date:
    """The first due date that is not soon on ``day``: ``soon_days`` + 1 working days on."""
    return workdays.add_working_days(day, soon_days + 1)


def due_status(due_on: date, day: date, soon_days: int) -> str:
    """For a running task: OVERDUE, SOON or "" (neither)."""
    if due_on < day:
        return OVERDUE
    if due_on < soon_limit(day, soon_days):
        return SOON
    return ""
