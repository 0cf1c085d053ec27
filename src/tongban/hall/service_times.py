"""How long the service of a matter takes at a hall's counters, as observed: what decides
whether a visit is quick enough for the fast track."""

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from tongban.catalogue.models import Matter

from .models import Hall, Handling

CACHE_SECONDS = 600


def expected_minutes(hall: Hall, matters: list[Matter], now: datetime) -> dict[str, float]:
    """The median minutes of service of each matter (by code) over the last
    ``TONGBAN_HALL_HISTORY_DAYS``, from visits for that matter alone; a matter with fewer
    than ``TONGBAN_HALL_MIN_SAMPLES`` such visits is left out (nothing is known of it)."""
    codes = sorted({matter.code for matter in matters})
    key = f"hall-service:{hall.pk}:{now:%Y%m%d%H}:{','.join(codes)}"
    found = cache.get(key)
    if found is None:
        found = _observed(hall, codes, now)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _observed(hall: Hall, codes: list[str], now: datetime) -> dict[str, float]:
    since = now - timedelta(days=settings.TONGBAN_HALL_HISTORY_DAYS)
    rows = (
        Handling.objects.filter(ticket__hall=hall, matter__code__in=codes, at__gte=since,
                                ticket__started_at__isnull=False,
                                ticket__finished_at__isnull=False)
        .annotate(visit_matters=Count("ticket__handlings"))
        .filter(visit_matters=1)
        .order_by("-at")
        .values_list("matter__code", "ticket__started_at", "ticket__finished_at")
    )[: settings.TONGBAN_HALL_SAMPLES * len(codes)]  # fmt: skip
    minutes: dict[str, list[float]] = defaultdict(list)
    for code, started, finished in rows:
        minutes[code].append((finished - started).total_seconds() / 60)
    return {
        code: median(found)
        for code, found in minutes.items()
        if len(found) >= settings.TONGBAN_HALL_MIN_SAMPLES
    }


def quick(hall: Hall, matters: list[Matter], now: datetime) -> bool:
    """A visit for the fast track: every matter is done on the spot, and none is known to
    take ``fast_track_minutes`` or longer."""
    if not matters or not all(matter.on_the_spot for matter in matters):
        return False
    expected = expected_minutes(hall, matters, now)
    return all(expected.get(m.code, 0) < hall.fast_track_minutes for m in matters)
