"""A generated history of a hall's visits, so that a demo has figures, wait ranges and a
planner something to learn from. Pure Python: arrivals shaped by hour of day and weekday,
service times with a lognormal spread per queue, served by the hall's own dispatch policy.

The shape is ours, not measured (unconfirmed): busiest mid-morning and early afternoon,
quieter at lunch and on weekends (half days), one peak day at the 1,788 visitors of the
source article, the rest around two thirds of it on weekdays.
"""

import heapq
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .dispatch import Desk, Policy, Room, Waiting

PEAK_VISITORS = 1788
# Relative arrivals per hour of a weekday from 8:00; weekends keep the morning only.
WEEKDAY_HOURS = {8: 0.6, 9: 1.3, 10: 1.4, 11: 1.1, 12: 0.7, 13: 1.1, 14: 1.2, 15: 0.9, 16: 0.3}
WEEKEND_HOURS = {8: 0.7, 9: 1.3, 10: 1.2, 11: 0.5}
OPEN, WEEKDAY_CLOSE, WEEKEND_CLOSE = time(8, 30), time(16, 30), time(11, 30)


@dataclass(frozen=True)
class Queue:
    code: str
    share: float  # of the visitors
    service_median: float  # minutes
    matters: Sequence[tuple[str, bool]]  # (matter code, done on the spot)


@dataclass(frozen=True)
class Station:
    number: int
    desk: Desk
    weekend: bool  # open on weekends and public holidays too


@dataclass
class Visit:
    key: int
    day: date
    queue: str
    matter: str
    on_the_spot: bool
    priority: int
    arrived: datetime
    called: datetime | None = None
    finished: datetime | None = None
    counter: int | None = None
    no_show: bool = False
    groups: frozenset = field(default_factory=frozenset)


def generate(
    first: date,
    days: int,
    queues: Sequence[Queue],
    stations: Sequence[Station],
    *,
    working: callable,
    policy: Policy,
    seed: int = 1,
    peak: date | None = None,
) -> list[Visit]:
    """Every visit of ``days`` days from ``first``; ``working(day)`` says whether a day is
    a working day (weekend hours otherwise)."""
    draw = random.Random(seed)  # noqa: S311 - a simulation
    peak = peak or first + timedelta(days=days - 3)
    visits: list[Visit] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        weekday = working(day)
        total = PEAK_VISITORS if day == peak else round(
            PEAK_VISITORS * (draw.uniform(0.55, 0.75) if weekday else draw.uniform(0.2, 0.3))
        )  # fmt: skip
        arrivals = _arrivals(day, total, WEEKDAY_HOURS if weekday else WEEKEND_HOURS, draw)
        open_here = [s for s in stations if weekday or s.weekend]
        day_visits = [
            _visit(len(visits) + i, day, at, queues, draw) for i, at in enumerate(arrivals)
        ]
        _serve(day_visits, open_here, queues, policy, draw)
        visits += day_visits
    return visits


def _arrivals(day: date, total: int, hours: dict[int, float], draw) -> list[datetime]:
    weight = sum(hours.values())
    close = max(hours) + 1
    found = []
    for hour, share in hours.items():
        for _ in range(round(total * share / weight)):
            minute = draw.uniform(30 if hour == 8 else 0, 60 if hour + 1 < close else 30)
            found.append(datetime.combine(day, time(hour)) + timedelta(minutes=minute))
    return sorted(found)


def _visit(key: int, day: date, at: datetime, queues: Sequence[Queue], draw) -> Visit:
    queue = draw.choices(queues, weights=[q.share for q in queues])[0]
    matter, spot = draw.choice(queue.matters)
    priority = 1 if draw.random() < 0.05 else 0
    return Visit(key, day, queue.code, matter, spot, priority, at, groups=frozenset([queue.code]))


def _serve(visits: list[Visit], stations: Sequence[Station], queues, policy, draw) -> None:
    """The day as the counters would run it, by the dispatch policy: a counter calls the
    moment it is free, or at the next arrival when nobody waits for it."""
    if not visits:
        return
    median = {q.code: q.service_median for q in queues}
    by_key = {v.key: v for v in visits}
    desks = {s.number: s.desk for s in stations}
    free = [(visits[0].arrived, s.number) for s in stations]
    heapq.heapify(free)
    room = Room(policy)
    arrived = 0
    while free and (arrived < len(visits) or len(room)):
        clock, number = heapq.heappop(free)
        while arrived < len(visits) and visits[arrived].arrived <= clock:
            v = visits[arrived]
            room.add(Waiting(v.key, v.groups, v.arrived, v.on_the_spot, v.priority))
            arrived += 1
        chosen = room.choose(desks[number], clock)
        if chosen is None:
            if arrived < len(visits):  # idle until the next visitor comes in
                heapq.heappush(free, (visits[arrived].arrived, number))
            continue
        room.remove(chosen)
        visit = by_key[chosen.key]
        visit.called, visit.counter = clock, number
        if draw.random() < 0.02:
            visit.no_show, visit.finished = True, clock + timedelta(minutes=2)
        else:
            minutes = median[visit.queue] * math.exp(draw.gauss(0, 0.45))
            visit.finished = clock + timedelta(minutes=max(1.0, minutes))
        heapq.heappush(free, (visit.finished, number))
