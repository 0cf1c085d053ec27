"""Rating a service once, following up a bad rating, excluding a rating after review.

Callers (the hall, applications) check that their service may be rated and pass it here;
this app knows tickets and applications only as rows it points at.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.moves import CaseError, move

from . import grades, states
from .models import FollowUp, Rating

MAX_COMMENT = 2000


class AlreadyRated(CaseError):
    """The service has its rating: a clear answer, not an error."""

    def __init__(self):
        super().__init__(_("This service has already been rated. Thank you."))


def clean_grade(value: str) -> str:
    if value not in grades.CODES:
        raise CaseError(_("Choose one of the five grades."), "grade")
    return value


def clean_reasons(values: Iterable[str]) -> list[str]:
    chosen = set(values)
    if chosen - set(grades.REASON_CODES):
        raise CaseError(_("Choose reasons from the list."), "reasons")
    return [code for code in grades.REASON_CODES if code in chosen]


def rate(
    *,
    grade: str,
    channel: str,
    source: str,
    label: str,
    centre=None,
    ticket=None,
    application=None,
    reasons: Iterable[str] = (),
    comment: str = "",
    rated_by=None,
    now: datetime | None = None,
) -> Rating:
    """Rate one service (a ticket or an application). A second rating is AlreadyRated; a
    bad grade opens a follow-up. The rating is audited with its fields (apps.py)."""
    grade, reasons = clean_grade(grade), clean_reasons(reasons)
    now = now or timezone.now()
    service = {"ticket": ticket} if ticket is not None else {"application": application}
    if Rating.objects.filter(**service).exists():
        raise AlreadyRated
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                channel=channel, source=source, label=label, centre=centre, grade=grade,
                reasons=reasons, comment=comment.strip()[:MAX_COMMENT], rated_by=rated_by,
                rated_at=now, **service,
            )  # fmt: skip
            if rating.bad:
                open_follow_up(rating, timezone.localdate(now))
    except IntegrityError:
        raise AlreadyRated from None  # rated at the same moment another way
    return rating


def deadlines(day: date) -> tuple[date, date]:
    """The revisit and rectification due dates of a follow-up opened on ``day``, in
    working days (settings: the national rule leaves them to the provinces)."""
    return (
        workdays.add_working_days(day, settings.TONGBAN_RATING_REVISIT_DAYS),
        workdays.add_working_days(day, settings.TONGBAN_RATING_RECTIFY_DAYS),
    )


def open_follow_up(rating: Rating, day: date) -> FollowUp:
    revisit_due, rectify_due = deadlines(day)
    return FollowUp.objects.create(
        rating=rating, opened_on=day, revisit_due=revisit_due, rectify_due=rectify_due
    )


def step(follow_up: FollowUp, action: str, actor, note: str = "") -> FollowUp:
    """One step of a follow-up (revisit, verify, rectify, close); closing needs a note of
    what was fed back."""
    if action not in states.STEPS:
        raise CaseError(_("No such step."), "action")
    note = note.strip()[:MAX_COMMENT]
    changes = {}
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if action == "close" and states.FOLLOW_UP.allows(follow_up.state, action):
            if not note:
                raise CaseError(_("Say what was fed back to the rater before closing."), "note")
            changes = {"note": note, "closed_at": timezone.now()}
        move(follow_up, states.FOLLOW_UP, action, actor, **changes)
    return follow_up


def exclude(rating: Rating, actor, note: str, now: datetime | None = None) -> Rating:
    """Leave a malicious or mistaken rating out of the figures after review, with a note;
    its open follow-up ends."""
    note = note.strip()[:MAX_COMMENT]
    if not note:
        raise CaseError(_("Say why the rating is excluded."), "note")
    if rating.excluded_at is not None:
        raise CaseError(_("This rating is already excluded."))
    with transaction.atomic():
        rating.excluded_at, rating.excluded_note = now or timezone.now(), note
        rating.save(update_fields=["excluded_at", "excluded_note"])
        follow_up = FollowUp.objects.select_for_update().filter(rating=rating).first()
        if follow_up is not None and follow_up.is_open:
            move(follow_up, states.FOLLOW_UP, "exclude", actor, note=note)
    return rating


def follow_ups(centre) -> QuerySet:
    return FollowUp.objects.filter(rating__centre=centre).select_related("rating")


def open_follow_ups(centre) -> QuerySet:
    return follow_ups(centre).filter(state__in=states.OPEN_STATES)


def is_overdue(follow_up: FollowUp, today: date) -> bool:
    return follow_up.is_open and follow_up.due_on < today


def overdue(centre, today: date) -> QuerySet:
    """Open follow-ups past the deadline of their step."""
    found = open_follow_ups(centre)
    return found.filter(state="revisiting", revisit_due__lt=today) | found.exclude(
        state="revisiting"
    ).filter(rectify_due__lt=today)
