"""Count funnel steps in memory and write them in batches, so pages stay fast.

Only the day, the scenario, the step and a question id are counted: no answers, no
session, no address.
"""

import threading
import time
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import FunnelCount

FLUSH_EVERY_SECONDS = 30
FLUSH_EVERY_EVENTS = 200

_lock = threading.Lock()
_pending: Counter = Counter()
_last_flush = time.monotonic()


def count(scenario: str, step: str, question: str = "") -> None:
    global _last_flush
    with _lock:
        _pending[(timezone.localdate(), scenario, step, question)] += 1
        due = (
            sum(_pending.values()) >= FLUSH_EVERY_EVENTS
            or time.monotonic() - _last_flush >= FLUSH_EVERY_SECONDS
        )
    if due:
        flush()


def flush() -> None:
    """Write the pending counts (also called by `tongban guidance stats`)."""
    global _last_flush
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    with transaction.atomic():
        for (day, scenario, step, question), n in batch.items():
            row, created = FunnelCount.objects.get_or_create(
                day=day, scenario=scenario, step=step, question=question, defaults={"count": n}
            )
            if not created:
                FunnelCount.objects.filter(pk=row.pk).update(count=F("count") + n)


def summary(days: int = 30) -> dict:
    """Starts, completions, drop-off per question and the most requested scenarios."""
    flush()
    since = timezone.localdate() - timezone.timedelta(days=days)
    rows = FunnelCount.objects.filter(day__gte=since)
    totals: dict[str, dict] = {}
    for row in rows:
        entry = totals.setdefault(
            row.scenario, {"start": 0, "complete": 0, "sheet": 0, "reached": Counter()}
        )
        if row.step == FunnelCount.Step.REACHED:
            entry["reached"][row.question] += row.count
        else:
            entry[row.step] += row.count
    ranked = sorted(totals.items(), key=lambda item: -item[1]["start"])
    return {"days": days, "scenarios": ranked}
