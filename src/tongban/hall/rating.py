"""Rating a hall visit (一次一评): once per finished ticket, on the counter's rating tablet
right after the service or later from the ticket's QR status page while the rating is
open (settings.TONGBAN_RATING_OPEN_DAYS calendar days after the visit)."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import CaseError
from tongban.ratings import services as ratings
from tongban.ratings.models import Rating

from . import states
from .models import Counter, Ticket

# The tablet offers the last visitor of its counter only this long after the finish: a
# ticket finished long ago is not the person standing at the counter.
TABLET_MINUTES = 15


def rating_of(ticket: Ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket).first()


def open_until(ticket: Ticket) -> datetime | None:
    """Until when the visitor may rate this ticket (None when it was not served)."""
    if ticket.state != states.DONE or ticket.finished_at is None:
        return None
    return ticket.finished_at + timedelta(days=settings.TONGBAN_RATING_OPEN_DAYS)


def can_rate(ticket: Ticket, now: datetime | None = None) -> bool:
    """Finished, still open and not rated yet."""
    until = open_until(ticket)
    return until is not None and (now or timezone.now()) < until and rating_of(ticket) is None


def to_rate(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """What the counter's tablet offers: its last finished ticket, if recent and unrated."""
    now = now or timezone.now()
    last = (
        Ticket.objects.filter(counter=counter, state=states.DONE, finished_at__isnull=False)
        .select_related("queue")
        .order_by("-finished_at", "-id")
        .first()
    )
    if last is None or now - last.finished_at > timedelta(minutes=TABLET_MINUTES):
        return None
    return None if rating_of(last) else last


def rate(
    ticket: Ticket,
    grade: str,
    source: str,
    reasons: Iterable[str] = (),
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    """The visitor's grade of a finished ticket; a ticket is rated once, whichever way
    comes first (a second try is ``ratings.AlreadyRated``)."""
    now = now or timezone.now()
    if rating_of(ticket) is not None:
        raise ratings.AlreadyRated
    until = open_until(ticket)
    if until is None:
        raise CaseError(_("A ticket is rated once it has been served."))
    if now >= until:
        raise CaseError(_("Rating this visit has closed."))
    return ratings.rate(
        grade=grade, channel=Rating.Channel.COUNTER, source=source, label=ticket.number,
        centre=ticket.hall.centre, ticket=ticket, reasons=reasons, comment=comment,
        rated_by=ticket.applicant, now=now,
    )  # fmt: skip
