"""How long a waiting visitor will still wait: a range from a model, pure Python.

Monte Carlo over the hall's own dispatch policy: each run lets the open counters call the
waiting tickets with ``dispatch.choose``, each service taking a time drawn from the
service times observed for the ticket's queue, until the queue is empty. Over the runs a
ticket's wait (from now until it is called) gives its P10, P50 and P90, and the number of
tickets called before it its "people ahead". A counter serving someone is free after a
service time of that queue longer than what it has taken so far. Visitors who arrive later
matter only when they go ahead, through priority (bounded by the age cap): they arrive in
the runs at the rate the hall saw them today. The calibration (bench/hall.py) measures how
often the real wait fell inside the range. The runs are seeded from the input, so the
same hall state gives the same ranges.
"""

import heapq
import random
import zlib
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import quantiles

from .dispatch import Desk, Policy, Room, Waiting

RUNS = 60
LONGEST_QUEUE = 400
HORIZON = 240  # minutes of future arrivals modelled


@dataclass(frozen=True)
class Open:
    """An open counter; when serving, the queue of that ticket and the minutes so far."""

    desk: Desk
    serving: tuple[str, float] | None = None


@dataclass(frozen=True)
class Range:
    ahead: int
    p10: float
    p50: float
    p90: float


def estimate(
    waiting: Sequence[Waiting],
    counters: Sequence[Open],
    service: Mapping[str, Sequence[float]],
    now: datetime,
    policy: Policy,
    jumpers: Mapping[str, float] | None = None,
    runs: int = RUNS,
) -> dict[int, Range]:
    """The range of every waiting ticket some open counter can serve, by ticket key.

    ``jumpers``: priority visitors expected per minute in each queue (they will go ahead of
    those waiting, within the age cap), from what the hall saw today.
    """
    if not waiting or not counters:
        return {}
    # The longest queue estimated: beyond it the runs would take seconds (a waiting room
    # holds a few hundred); later tickets get no range until the queue shortens.
    waiting = sorted(waiting, key=lambda t: (t.arrived, t.key))[:LONGEST_QUEUE]
    state = f"{sorted(t.key for t in waiting)}{len(counters)}{now:%Y%m%d%H%M}"
    draw = random.Random(zlib.crc32(state.encode()))  # noqa: S311 - a simulation, not a secret
    waits: dict[int, list[float]] = {t.key: [] for t in waiting}
    ahead: dict[int, list[int]] = {t.key: [] for t in waiting}
    for _ in range(runs):
        run = _run(waiting, counters, service, now, policy, jumpers or {}, draw)
        for key, (minutes, position) in run.items():
            waits[key].append(minutes)
            ahead[key].append(position)
    return {
        key: _range(minutes, ahead[key]) for key, minutes in waits.items() if len(minutes) == runs
    }


def _run(waiting, counters, service, now, policy, jumpers, draw) -> dict[int, tuple[float, int]]:
    """One run to the end of the queue: when each ticket is called (minutes from now) and
    how many of those waiting now were called before it."""
    room = Room(policy, waiting)
    coming = deque(_coming(jumpers, now, draw))
    free = [(_free_in(c, service, draw), i) for i, c in enumerate(counters)]
    heapq.heapify(free)
    called: dict[int, tuple[float, int]] = {}
    real = {t.key for t in waiting}
    while len(called) < len(real) and free:
        minutes, i = heapq.heappop(free)
        while coming and coming[0].arrived <= now + timedelta(minutes=minutes):
            room.add(coming.popleft())
        chosen = room.choose(counters[i].desk, now + timedelta(minutes=minutes))
        if chosen is None:
            if coming:  # idle until the next visitor comes in
                heapq.heappush(free, ((coming[0].arrived - now).total_seconds() / 60, i))
            continue
        room.remove(chosen)
        if chosen.key in real:
            called[chosen.key] = (minutes, len(called))
        heapq.heappush(free, (minutes + _service(chosen.groups, service, draw), i))
    return called


def _coming(jumpers: Mapping[str, float], now: datetime, draw) -> list[Waiting]:
    """Priority visitors arriving over the next hours, at the expected rates (Poisson)."""
    found = []
    for group, rate in jumpers.items():
        minutes = draw.expovariate(rate) if rate > 0 else HORIZON
        while minutes < HORIZON:
            found.append(Waiting(-len(found) - 1, frozenset([group]),
                                 now + timedelta(minutes=minutes), priority=1))  # fmt: skip
            minutes += draw.expovariate(rate)
    return sorted(found, key=lambda t: t.arrived)


def _free_in(counter: Open, service, draw) -> float:
    """When a serving counter is free: a service time of its queue longer than what it has
    taken so far, less that."""
    if counter.serving is None:
        return 0.0
    group, elapsed = counter.serving
    longer = [s for s in service.get(group) or DEFAULT_SERVICE if s > elapsed]
    return draw.choice(longer) - elapsed if longer else 0.5


def _service(groups: frozenset[str], service: Mapping[str, Sequence[float]], draw) -> float:
    samples = [s for group in sorted(groups) for s in service.get(group, ())]
    return draw.choice(samples or DEFAULT_SERVICE)


def _range(minutes: list[float], ahead: list[int]) -> Range:
    deciles = quantiles(minutes, n=10, method="inclusive")
    return Range(
        ahead=sorted(ahead)[len(ahead) // 2],
        p10=round(deciles[0], 1),
        p50=round(deciles[4], 1),
        p90=round(deciles[8], 1),
    )


# Without observations: minutes spread around the reference day's mean service of 5.7
# minutes (../shared/research/hall-facts.md), as a lognormal with sigma 0.5 would be.
DEFAULT_SERVICE = (2.4, 3.1, 3.7, 4.2, 4.7, 5.2, 5.8, 6.5, 7.4, 8.8, 11.6)
