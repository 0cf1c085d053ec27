"""Where a ticket stands: its state, the people ahead and the expected wait as a range.

The ranges of a whole hall come from ``waits.estimate`` on the hall's state (the waiting
tickets, the open counters, the service times observed for each queue). They are cached
per process under a key made of that state, so a thousand status pages polling share one
estimate; nothing another server needs is kept (any server computes the same ranges).
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from . import states, tickets, waits
from .models import Counter, Hall, Ticket

CACHE_SECONDS = 30


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


def ranges(hall: Hall, now: datetime | None = None) -> dict[int, waits.Range]:
    """The range of every waiting ticket of the hall today (by ticket id)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    open_ = Counter.objects.filter(hall=hall, is_open=True).values_list("pk", flat=True)
    state = f"{hall.pk}:{tickets.day_digest(hall, day)}:{sorted(open_)}:{now:%Y%m%d%H%M}"
    key = "hall-waits:" + hashlib.sha256(state.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        service = service_samples(hall, now)
        found = waits.estimate(tickets.waiting(hall, day), open_counters(hall, now), service,
                               now, tickets.policy(hall), jumpers(hall, now))  # fmt: skip
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
        seen["range"] = ranges(ticket.hall, now).get(ticket.pk)
    return seen
