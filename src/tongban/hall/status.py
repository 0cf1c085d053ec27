"""Where a ticket stands: its state, the people ahead and the expected wait as a range.

The ranges of a whole hall come from ``waits.estimate`` on the hall's state (the waiting
tickets, the open counters, the service times observed for each queue). They are cached
per process for the minute, so a thousand status pages polling share one estimate a
minute (a ticket issued since gets a fresh one); nothing another server needs is kept
(any server computes the same ranges).
"""

import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from . import states, tickets, waits
from .models import Counter, Hall, Ticket

CACHE_SECONDS = 90
# How often an open status page asks again: often near the turn, seldom far from it.
POLL_NEAR, POLL_FAR, FAR_AHEAD = 10, 30, 10
_estimating = threading.Lock()


def service_samples(hall: Hall, now: datetime) -> dict[str, list[float]]:
    """Minutes of service observed per queue over the last ``TONGBAN_HALL_HISTORY_DAYS``,
    the newest ``TONGBAN_HALL_SAMPLES`` of each; a queue with fewer than
    ``TONGBAN_HALL_MIN_SAMPLES`` is left to the model's default."""
    since = now - timedelta(days=settings.TONGBAN_HALL_HISTORY_DAYS)
    rows = (
        Ticket.objects.filter(hall=hall, state="done", finished_at__gte=since,
                              started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("queue__code", "started_at", "finished_at")
    )[: settings.TONGBAN_HALL_SAMPLES * 20]  # fmt: skip
    samples: dict[str, list[float]] = {}
    for queue, started, finished in rows:
        found = samples.setdefault(queue, [])
        if len(found) < settings.TONGBAN_HALL_SAMPLES:
            found.append((finished - started).total_seconds() / 60)
    return {q: s for q, s in samples.items() if len(s) >= settings.TONGBAN_HALL_MIN_SAMPLES}


def open_counters(hall: Hall, now: datetime) -> list[waits.Open]:
    """The counters with a clerk, each with the queue and minutes so far of its ticket."""
    busy = {
        t.counter_id: t
        for t in Ticket.objects.filter(hall=hall, state__in=states.HELD).select_related("queue")
    }
    found = []
    counters = Counter.objects.filter(hall=hall, is_open=True, clerk__isnull=False)
    for counter in counters.prefetch_related("skills"):
        ticket = busy.get(counter.pk)
        serving = None
        if ticket is not None:
            since = ticket.started_at or ticket.called_at or now
            serving = (ticket.queue.code, (now - since).total_seconds() / 60)
        found.append(waits.Open(tickets.desk(counter), serving))
    return found


def jumpers(hall: Hall, now: datetime) -> dict[str, float]:
    """Priority visitors per minute in each queue so far today: those who will go ahead."""
    today = Ticket.objects.filter(hall=hall, day=timezone.localdate(now)).exclude(priority="")
    first = Ticket.objects.filter(hall=hall, day=timezone.localdate(now)).order_by("arrived_at")
    opened = first.values_list("arrived_at", flat=True).first()
    if opened is None:
        return {}
    minutes = max(30.0, (now - opened).total_seconds() / 60)
    counts = today.values("queue__code").annotate(n=Count("id"))
    return {row["queue__code"]: row["n"] / minutes for row in counts}


def ranges(
    hall: Hall, now: datetime | None = None, *, fresh: bool = False
) -> dict[int, waits.Range]:
    """The range of every waiting ticket of the hall today (by ticket id): estimated at most
    once a minute per process (``fresh``: from the state now, as the near-turn notice
    needs), while the status pages of the hall read the same estimate."""
    return _estimate(hall, now or timezone.now(), fresh)[1]


def _estimate(hall: Hall, now: datetime, fresh: bool) -> tuple[int, dict[int, waits.Range]]:
    """The newest ticket id the estimate knows, and the ranges."""
    key = f"hall-waits:{hall.pk}:{now:%Y%m%d%H%M}"
    if not fresh and (found := cache.get(key)) is not None:
        return found
    with _estimating:  # the threads of a process wait for one estimate instead of each making one
        if not fresh and (found := cache.get(key)) is not None:
            return found
        queue = tickets.waiting(hall, timezone.localdate(now))
        estimate = waits.estimate(queue, open_counters(hall, now), service_samples(hall, now),
                                  now, tickets.policy(hall), jumpers(hall, now))  # fmt: skip
        found = (max((t.key for t in queue), default=0), estimate)
        cache.set(key, found, CACHE_SECONDS)
    return found


def of(ticket: Ticket, now: datetime | None = None) -> dict:
    """What the visitor sees of their ticket."""
    seen = {
        "number": ticket.number,
        "queue": ticket.queue,
        "state": ticket.state,
        "counter": ticket.counter,
        "arrived_at": ticket.arrived_at,
        "near_turn_told": ticket.near_turn_told,
        "range": None,
    }
    if ticket.state == states.WAITING:
        now = now or timezone.now()
        newest, found = _estimate(ticket.hall, now, fresh=False)
        if ticket.pk > newest:  # issued since the estimate of this minute
            newest, found = _estimate(ticket.hall, now, fresh=True)
        seen["range"] = found.get(ticket.pk)
    far = seen["state"] == states.WAITING and (seen["range"] is None
                                               or seen["range"].ahead > FAR_AHEAD)  # fmt: skip
    seen["poll"] = POLL_FAR if far else POLL_NEAR
    return seen
