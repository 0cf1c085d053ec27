"""How long a waiting visitor will still wait: a range from a model, pure Python.

Monte Carlo over the hall's own dispatch policy: each run lets the open counters call the
waiting tickets with ``dispatch.choose``, each service taking a time drawn from the
service times observed for the ticket's queue, until the queue is empty. Over the runs a
ticket's wait (from now until it is called) gives its P10, P50 and P90, and the number of
tickets called before it its "people ahead". Visitors who arrive later are not modelled:
they can only go ahead of a ticket through priority (bounded by the age cap), so the range
leans short for a busy hall; the calibration measures how often the real wait fell
inside. The runs are seeded from the input, so the same hall state gives the same ranges.
"""

import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import quantiles

from .dispatch import Desk, Policy, Waiting, choose

RUNS = 60


@dataclass(frozen=True)
class Open:
    """An open counter and the minutes until it is free."""

    desk: Desk
    free_in: float = 0.0


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
    runs: int = RUNS,
) -> dict[int, Range]:
    """The range of every waiting ticket some open counter can serve, by ticket key."""
    if not waiting or not counters:
        return {}
    state = f"{sorted(t.key for t in waiting)}{len(counters)}{now:%Y%m%d%H%M}"
    draw = random.Random(zlib.crc32(state.encode()))  # noqa: S311 - a simulation, not a secret
    waits: dict[int, list[float]] = {t.key: [] for t in waiting}
    ahead: dict[int, list[int]] = {t.key: [] for t in waiting}
    for _ in range(runs):
        for key, (minutes, position) in _run(waiting, counters, service, now, policy, draw).items():
            waits[key].append(minutes)
            ahead[key].append(position)
    return {
        key: _range(minutes, ahead[key]) for key, minutes in waits.items() if len(minutes) == runs
    }


def _run(waiting, counters, service, now, policy, draw) -> dict[int, tuple[float, int]]:
    """One day's end: when each ticket is called (minutes from now) and how many before it."""
    left = list(waiting)
    free = [(c.free_in, i) for i, c in enumerate(counters)]
    called: dict[int, tuple[float, int]] = {}
    while left and free:
        free.sort()
        minutes, i = free.pop(0)
        chosen = choose(counters[i].desk, left, now + timedelta(minutes=minutes), policy)
        if chosen is None:
            continue  # nothing left for this counter: it stays idle
        left.remove(chosen)
        called[chosen.key] = (minutes, len(called))
        free.append((minutes + _service(chosen, service, draw), i))
    return called


def _service(ticket: Waiting, service: Mapping[str, Sequence[float]], draw) -> float:
    samples = [s for group in sorted(ticket.groups) for s in service.get(group, ())]
    return (
        draw.choice(samples) if samples else DEFAULT_SERVICE[draw.randrange(len(DEFAULT_SERVICE))]
    )


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
