"""Rating figures of a centre: counts per grade for the counter and online, together and
apart, the share of bad ratings, and follow-ups open and overdue. Excluded ratings are left
out."""

from datetime import date

from django.db.models import Count

from . import grades, services
from .models import Rating


def counts(ratings) -> dict:
    found = dict(ratings.values_list("grade").annotate(n=Count("id")))
    per_grade = {code: found.get(code, 0) for code in grades.CODES}
    total = sum(per_grade.values())
    bad = sum(per_grade[code] for code in grades.BAD)
    return {
        "grades": per_grade,
        "total": total,
        "bad": bad,
        "bad_share": round(100 * bad / total, 1) if total else None,
    }


def ratings(centre, first: date | None = None, last: date | None = None) -> Rating:
    found = Rating.objects.filter(centre=centre, excluded_at__isnull=True)
    if first:
        found = found.filter(rated_at__date__gte=first)
    if last:
        found = found.filter(rated_at__date__lte=last)
    return found


def summary(centre, first: date | None, last: date | None, today: date) -> dict:
    """Both channels together and apart, and the follow-ups open and overdue today."""
    found = ratings(centre, first, last)
    return {
        "all": counts(found),
        "counter": counts(found.filter(channel=Rating.Channel.COUNTER)),
        "online": counts(found.filter(channel=Rating.Channel.ONLINE)),
        "follow_ups_open": services.open_follow_ups(centre).count(),
        "follow_ups_overdue": services.overdue(centre, today).count(),
    }


def rows(summary_: dict) -> list[dict]:
    """The table (and its CSV): one row per grade, counts by channel."""
    result = []
    for grade in grades.GRADES:
        result.append({
            "grade": grade.code, "grade_zh": grade.zh, "bad": grade.code in grades.BAD,
            "counter": summary_["counter"]["grades"][grade.code],
            "online": summary_["online"]["grades"][grade.code],
            "all": summary_["all"]["grades"][grade.code],
        })  # fmt: skip
    return result
