"""The figures of a hall, live and over a period, for its manager (pages, API and CSV)."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import quantiles

from django.db.models import Count, Min
from django.utils import timezone

from tongban.ratings import stats as rating_stats

from . import states
from .models import Counter, Hall, Handling, Ticket


def live(hall: Hall, now: datetime | None = None) -> dict:
    """What the hall is doing now: the waiting per queue, the longest wait, each counter."""
    now = now or timezone.now()
    today = Ticket.objects.filter(hall=hall, day=timezone.localdate(now))
    queues = list(
        today.filter(state=states.WAITING)
        .values("queue__prefix", "queue__name_en", "queue__name_zh")
        .annotate(waiting=Count("id"), since=Min("arrived_at"))
        .order_by("queue__prefix")
    )
    for queue in queues:
        queue["longest"] = round((now - queue.pop("since")).total_seconds() / 60)
    held = {t.counter_id: t for t in today.filter(state__in=states.HELD)}
    counters = []
    for counter in (
        Counter.objects.filter(hall=hall).select_related("clerk").prefetch_related("skills")
    ):
        ticket = held.get(counter.pk)
        doing = "closed" if not counter.is_open else (ticket.state if ticket else "idle")
        counters.append({"counter": counter, "ticket": ticket, "doing": doing})
    return {
        "queues": queues,
        "waiting": sum(q["waiting"] for q in queues),
        "longest": max((q["longest"] for q in queues), default=0),
        "open": sum(1 for c in counters if c["doing"] != "closed"),
        "counters": counters,
    }


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() / 60 if start and end else None


def _p(values: list[float], q: int) -> float | None:
    """The q-th percentile, or None without values."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(quantiles(values, n=100, method="inclusive")[q - 1], 1)


def history(hall: Hall, first: date, last: date) -> dict:
    """The hall's figures from ``first`` to ``last`` (days, inclusive)."""
    rows = list(
        Ticket.objects.filter(hall=hall, day__gte=first, day__lte=last).values(
            "arrived_at", "called_at", "started_at", "finished_at", "state", "queue__prefix",
            "queue__name_en", "queue__name_zh", "counter_id", "city_wide", "generated",
        )
    )  # fmt: skip
    by_hour: dict[int, list] = defaultdict(list)
    by_queue: dict[str, list] = defaultdict(list)
    busy: dict[int, float] = defaultdict(float)
    for row in rows:
        hour = timezone.localtime(row["arrived_at"]).hour
        wait = _minutes(row["arrived_at"], row["called_at"])
        by_hour[hour].append(wait)
        by_queue[row["queue__prefix"]].append(row | {"wait": wait})
        served = _minutes(row["started_at"], row["finished_at"])
        if served is not None and row["counter_id"]:
            busy[row["counter_id"]] += served
    days = (last - first).days + 1
    rated = rating_stats.summary(hall.centre, first, last, timezone.localdate())
    handlings = Handling.objects.filter(ticket__hall=hall, ticket__day__gte=first,
                                        ticket__day__lte=last)  # fmt: skip
    return {
        "first": first,
        "last": last,
        "visitors": len(rows),
        "generated": any(row["generated"] for row in rows),
        "hours": [
            {
                "hour": hour,
                "arrivals": len(waits),
                "p50": _p([w for w in waits if w is not None], 50),
                "p90": _p([w for w in waits if w is not None], 90),
            }
            for hour, waits in sorted(by_hour.items())
        ],  # fmt: skip
        "queues": [_queue(prefix, found) for prefix, found in sorted(by_queue.items())],
        "matters": _matters(handlings),
        "counters": _utilisation(hall, busy, days),
        "no_shows": sum(1 for row in rows if row["state"] == "no_show"),
        "city_wide": sum(1 for row in rows if row["city_wide"]),
        "on_the_spot": _share(handlings),
        "rating_summary": rated,
        "ratings": rating_stats.rows(rated),
    }


def _queue(prefix: str, rows: list[dict]) -> dict:
    waits = [row["wait"] for row in rows if row["wait"] is not None]
    served = [m for row in rows if (m := _minutes(row["started_at"], row["finished_at"]))]
    return {
        "prefix": prefix,
        "name_en": rows[0]["queue__name_en"],
        "name_zh": rows[0]["queue__name_zh"],
        "visitors": len(rows),
        "p50": _p(waits, 50),
        "p90": _p(waits, 90),
        "service": _p(served, 50),
    }


def _matters(handlings) -> list[dict]:
    """The median service time of each matter, from visits for that matter alone."""
    rows = handlings.select_related("ticket", "matter").annotate(n=Count("ticket__matters"))
    times: dict[str, list[float]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for handling in rows.filter(n=1):
        ticket = handling.ticket
        served = _minutes(ticket.started_at, ticket.finished_at)
        if served is not None:
            times[handling.matter.code].append(served)
            names[handling.matter.code] = (handling.matter.name_en, handling.matter.name_zh)
    return sorted(
        ({"code": code, "name_en": names[code][0], "name_zh": names[code][1],
          "visits": len(found), "service": _p(found, 50)}
         for code, found in times.items()),
        key=lambda row: -row["visits"],
    )  # fmt: skip


def _utilisation(hall: Hall, busy: dict[int, float], days: int) -> list[dict]:
    """Minutes serving per counter, as a share of an 8-hour day over the period."""
    open_minutes = 8 * 60 * days
    return [
        {"number": counter.number, "kind": counter.get_kind_display(),
         "serving": round(busy.get(counter.pk, 0)),
         "share": round(100 * busy.get(counter.pk, 0) / open_minutes)}
        for counter in Counter.objects.filter(hall=hall)
    ]  # fmt: skip


def _share(handlings) -> dict:
    total = handlings.count()
    spot = handlings.filter(outcome="on_the_spot").count()
    return {"handled": total, "on_the_spot": spot,
            "percent": round(100 * spot / total) if total else None}  # fmt: skip


def period(day: date | None, first: date | None, last: date | None) -> tuple[date, date]:
    """The period asked for: one day, or first to last (at most a year), default today."""
    today = timezone.localdate()
    if first and last and first <= last:
        return first, min(last, first + timedelta(days=366))
    return (day or today), (day or today)
