"""Figures of a service centre for its manager: volume, timeliness, open work, satisfaction.

Plain functions of a centre and an optional period (the applications *submitted* in it,
both days included). Counting is done by the database; only the average of working days
used is computed in Python over the decided tasks, with the same rule as the clock
(``services.clock``): working days from the start to the decision, less the paused ones;
overdue is the clock's rule too (``clocks.due_filter``).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from tongban.core import deadlines, workdays
from tongban.ratings import stats as rating_stats
from tongban.ratings.models import Rating

from . import states
from .models import Application, ApplicationMatter
from .services import clocks

# Decisions a department took (a withdrawn matter was not decided by anyone).
DECISIONS = ("approved", "refused")


@dataclass(frozen=True)
class Timeliness:
    decided: int
    on_time: int
    average_days: float | None

    @property
    def rate(self) -> float | None:
        """On-time decisions as a percentage of decisions, None when nothing was decided."""
        return round(100 * self.on_time / self.decided, 1) if self.decided else None


def applications(centre, start: date | None = None, end: date | None = None) -> QuerySet:
    """The centre's applications (drafts left out) submitted in the period."""
    found = Application.objects.filter(centre=centre).exclude(state="draft")
    if start:
        found = found.filter(submitted_at__date__gte=start)
    if end:
        found = found.filter(submitted_at__date__lte=end)
    return found


def tasks(centre, start: date | None = None, end: date | None = None) -> QuerySet:
    """The review tasks of those applications."""
    found = ApplicationMatter.objects.filter(application__centre=centre).exclude(
        application__state="draft"
    )
    if start:
        found = found.filter(application__submitted_at__date__gte=start)
    if end:
        found = found.filter(application__submitted_at__date__lte=end)
    return found


def by_state(centre, start: date | None = None, end: date | None = None) -> dict[str, int]:
    rows = applications(centre, start, end).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def volume_by_matter(centre, start: date | None = None, end: date | None = None) -> list[dict]:
    """Per matter code: applications, decisions and approvals, most asked for first."""
    return list(
        tasks(centre, start, end)
        .values(code=F("matter__code"))
        .annotate(
            name_en=Max("matter__name_en"),
            name_zh=Max("matter__name_zh"),
            count=Count("pk"),
            approved=Count("pk", filter=Q(state="approved")),
            refused=Count("pk", filter=Q(state="refused")),
        )
        .order_by("-count", "code")
    )


def volume_by_department(centre, start: date | None = None, end: date | None = None) -> list[dict]:
    """Per department: tasks, still open, overdue, approved and refused."""
    day = clocks.today()
    return list(
        tasks(centre, start, end)
        .values(code=F("department__code"))
        .annotate(
            name_en=Max("department__name_en"),
            name_zh=Max("department__name_zh"),
            count=Count("pk"),
            open=Count("pk", filter=_open()),
            overdue=Count("pk", filter=clocks.due_filter(deadlines.OVERDUE, day)),
            approved=Count("pk", filter=Q(state="approved")),
            refused=Count("pk", filter=Q(state="refused")),
        )
        .order_by("-count", "code")
    )


def _open() -> Q:
    return Q(started_on__isnull=False) & ~Q(state__in=states.DECIDED)


def open_work(centre, start: date | None = None, end: date | None = None) -> dict[str, int]:
    """Tasks still open, of which overdue and waiting for a supplement."""
    day = clocks.today()
    return tasks(centre, start, end).aggregate(
        open=Count("pk", filter=_open()),
        overdue=Count("pk", filter=clocks.due_filter(deadlines.OVERDUE, day)),
        supplement=Count("pk", filter=Q(started_on__isnull=False, state="supplement")),
    )


def timeliness(centre, start: date | None = None, end: date | None = None) -> Timeliness:
    """Decisions taken by their due date, and the working days they used on average."""
    decided = tasks(centre, start, end).filter(
        state__in=DECISIONS, decided_at__isnull=False, started_on__isnull=False
    )
    counts = decided.aggregate(
        decided=Count("pk"),
        # The decision day in the site's time zone, as the clock reads it.
        on_time=Count("pk", filter=Q(due_on__isnull=False, decided_at__date__lte=F("due_on"))),
    )
    used = [
        max(
            0,
            workdays.working_days_between(started_on, timezone.localtime(decided_at).date())
            - paused_days,
        )
        for started_on, decided_at, paused_days in decided.values_list(
            "started_on", "decided_at", "paused_days"
        ).iterator(chunk_size=2000)
    ]
    average = round(sum(used) / len(used), 1) if used else None
    return Timeliness(counts["decided"], counts["on_time"], average)


def ratings(centre, start: date | None = None, end: date | None = None) -> dict:
    """The applicants' grades (好差评) of the applications submitted in the period: counts per
    grade, total, bad and the share of bad ones (excluded ratings left out)."""
    rated = Rating.objects.filter(application__in=applications(centre, start, end))
    return rating_stats.counts(rated.filter(excluded_at__isnull=True))


def summary(centre, start: date | None = None, end: date | None = None) -> dict:
    """Everything the statistics page shows."""
    return {
        "by_state": by_state(centre, start, end),
        "by_matter": volume_by_matter(centre, start, end),
        "by_department": volume_by_department(centre, start, end),
        "open_work": open_work(centre, start, end),
        "timeliness": timeliness(centre, start, end),
        "ratings": ratings(centre, start, end),
    }
