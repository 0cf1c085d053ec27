"""The centre manager's hall over the API: the live view, the history of a day or a
period, closing counters and changing their skills."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.security import django_auth

from tongban.core.moves import CaseError

from .. import counters, stats
from ..models import Counter, Hall, MatterGroup
from .schemas import READ, WRITE, CounterOut, Text, counter_out

router = Router(tags=["hall: manager"], auth=django_auth)


def _hall(request: HttpRequest) -> Hall:
    if not request.user.has_perm("accounts.manage_centre"):
        raise PermissionDenied
    return get_object_or_404(Hall, centre_id=request.user.centre_id)


class QueueNow(Schema):
    prefix: str
    name: Text
    waiting: int
    longest_minutes: int


class CounterNow(Schema):
    number: int
    doing: str
    ticket: str | None
    clerk: str | None


class LiveOut(Schema):
    waiting: int
    longest_minutes: int
    open: int
    queues: list[QueueNow]
    counters: list[CounterNow]


@router.get("/manage/live", response={200: LiveOut, **READ},
            summary="The hall now: waiting per queue, the longest wait, each counter")  # fmt: skip
def live(request: HttpRequest):
    now = stats.live(_hall(request))
    return {
        "waiting": now["waiting"],
        "longest_minutes": now["longest"],
        "open": now["open"],
        "queues": [
            {"prefix": q["queue__prefix"], "waiting": q["waiting"], "longest_minutes": q["longest"],
             "name": {"en": q["queue__name_en"], "zh": q["queue__name_zh"]}}
            for q in now["queues"]
        ],
        "counters": [
            {"number": c["counter"].number, "doing": c["doing"],
             "ticket": c["ticket"].number if c["ticket"] else None,
             "clerk": c["counter"].clerk.username if c["counter"].clerk_id else None}
            for c in now["counters"]
        ],
    }  # fmt: skip


class Period(Schema):
    day: date | None = None
    first: date | None = None
    last: date | None = None


class HourOut(Schema):
    hour: int
    arrivals: int
    p50: float | None
    p90: float | None


class QueueOut(Schema):
    prefix: str
    name: Text
    visitors: int
    p50: float | None
    p90: float | None
    service: float | None


class MatterOut(Schema):
    code: str
    name: Text
    visits: int
    service: float | None


class UseOut(Schema):
    number: int
    kind: str
    serving: int
    share: int


class OnTheSpotOut(Schema):
    handled: int
    on_the_spot: int
    percent: int | None


class GradeOut(Schema):
    grade: str
    bad: bool
    counter: int
    online: int
    all: int


class HistoryOut(Schema):
    first: date
    last: date
    visitors: int
    generated: bool
    hours: list[HourOut]
    queues: list[QueueOut]
    matters: list[MatterOut]
    counters: list[UseOut]
    no_shows: int
    city_wide: int
    on_the_spot: OnTheSpotOut
    ratings: list[GradeOut]


@router.get("/manage/history", response={200: HistoryOut, **READ},
            summary="The figures of a day (default today) or from first to last")  # fmt: skip
def history(request: HttpRequest, period: Query[Period]):
    hall = _hall(request)
    first, last = stats.period(period.day, period.first, period.last)
    figures = stats.history(hall, first, last)
    named = lambda row: row | {"name": {"en": row["name_en"], "zh": row["name_zh"]}}  # noqa: E731
    return figures | {
        "queues": [named(row) for row in figures["queues"]],
        "matters": [named(row) for row in figures["matters"]],
    }


class SkillsIn(Schema):
    skills: list[str]


@router.post("/manage/counters/{pk}/close", response={200: CounterOut, **WRITE},
             summary="Close a counter; a called ticket waits again as it was")  # fmt: skip
def close(request: HttpRequest, pk: int):
    counter = get_object_or_404(Counter, pk=pk, hall=_hall(request))
    return counter_out(counters.close(counter, request.user))


@router.put("/manage/counters/{pk}/skills", response={200: CounterOut, **WRITE},
            summary="The queues a counter serves from now on")  # fmt: skip
def skills(request: HttpRequest, pk: int, body: SkillsIn):
    counter = get_object_or_404(Counter, pk=pk, hall=_hall(request))
    groups = list(MatterGroup.objects.filter(code__in=body.skills))
    if not groups or len(groups) != len(set(body.skills)):
        raise CaseError(_("Give the codes of one or more queues."), "skills")
    return counter_out(counters.set_skills(counter, groups, request.user))
