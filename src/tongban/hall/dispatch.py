"""Which waiting ticket a counter calls next: the hall's dispatch policy, pure Python.

The hall's call-next and the planner's simulation both call ``choose``, so a plan is
tested against the very rules the counters follow. The rules, in order (docs/hall-rules.md):

1. a ticket waiting longer than the age cap goes first, the oldest first, so none starves;
2. then appointment holders who checked in within their window (when the centre says so);
3. then priority groups (绿色通道: elderly, disabled, pregnant, ...), higher rank first;
4. then the oldest arrival; the ticket key breaks ties, so the same input gives the same
   choice.

A counter calls only tickets whose every matter group is one of its skills, and a ticket
transferred to one counter is called by that counter alone. A fast-track
counter calls only quick tickets, and when none wait it helps the other queues if the
centre allows it.
"""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the policy sees it."""

    key: int
    groups: frozenset[str]
    arrived: datetime
    quick: bool = False
    priority: int = 0  # 0: none; a higher rank is called earlier
    booked: tuple[datetime, datetime] | None = None  # the appointment's window, when checked in
    counter: int | None = None  # transferred to one counter: only it calls the ticket


@dataclass(frozen=True)
class Desk:
    """A counter as the policy sees it."""

    skills: frozenset[str]
    fast_track: bool = False
    key: int = 0


@dataclass(frozen=True)
class Policy:
    """A centre's dispatch settings."""

    age_cap: timedelta = timedelta(minutes=45)
    appointments_first: bool = True
    early_check_in: timedelta = timedelta(minutes=15)
    priorities: bool = True
    fast_track_helps: bool = True


def skilled(desk: Desk, ticket: Waiting) -> bool:
    """Whether the counter has the skill for every matter group of the ticket."""
    return ticket.groups <= desk.skills


def candidates(desk: Desk, waiting: Iterable[Waiting], policy: Policy) -> list[Waiting]:
    """The tickets this counter may call now."""
    able = [
        ticket for ticket in waiting if skilled(desk, ticket) and ticket.counter in (None, desk.key)
    ]
    if not desk.fast_track:
        return able
    quick = [ticket for ticket in able if ticket.quick]
    return quick if quick or not policy.fast_track_helps else able


def overdue(ticket: Waiting, now: datetime, policy: Policy) -> bool:
    return now - ticket.arrived > policy.age_cap


def on_time(ticket: Waiting, policy: Policy) -> bool:
    """An appointment holder who checked in within the window (a little early allowed)."""
    if ticket.booked is None:
        return False
    start, end = ticket.booked
    return start - policy.early_check_in <= ticket.arrived <= end


def order(ticket: Waiting, now: datetime, policy: Policy) -> tuple:
    """The sort key of the policy: the smallest is called first."""
    if overdue(ticket, now, policy):
        return (0, 0, 0, ticket.arrived, ticket.key)
    booked = policy.appointments_first and on_time(ticket, policy)
    rank = ticket.priority if policy.priorities else 0
    return (1, 0 if booked else 1, -rank, ticket.arrived, ticket.key)


def choose(
    desk: Desk, waiting: Iterable[Waiting], now: datetime, policy: Policy = Policy()
) -> Waiting | None:
    """The ticket the counter calls next, or None when nobody waits for it."""
    able = candidates(desk, waiting, policy)
    return min(able, key=lambda ticket: order(ticket, now, policy)) if able else None


class Room:
    """The waiting tickets kept for many choices in a row (the simulations call a counter
    after every service): ``choose`` gives the same ticket as the function ``choose`` over
    the same tickets, in a few heap looks instead of a pass over everyone.

    Tickets are kept in buckets of the same matter groups, fast-track flag and transfer
    counter. Within a bucket the policy's order is fixed, except that a ticket past the age
    cap goes first; the oldest of a bucket is the first to pass it. Keys must be unique.
    """

    def __init__(self, policy: Policy, waiting: Iterable[Waiting] = ()):
        self.policy = policy
        self._buckets: dict[tuple, _Bucket] = {}
        self._gone: set[int] = set()
        for ticket in waiting:
            self.add(ticket)

    def __len__(self) -> int:
        return sum(bucket.size for bucket in self._buckets.values())

    def add(self, ticket: Waiting) -> None:
        key = (ticket.groups, ticket.quick, ticket.counter)
        self._buckets.setdefault(key, _Bucket()).push(ticket, self.policy)

    def remove(self, ticket: Waiting) -> None:
        self._buckets[(ticket.groups, ticket.quick, ticket.counter)].size -= 1
        self._gone.add(ticket.key)

    def choose(self, desk: Desk, now: datetime) -> Waiting | None:
        able = [
            (quick, bucket)
            for (groups, quick, counter), bucket in self._buckets.items()
            if bucket.size and groups <= desk.skills and counter in (None, desk.key)
        ]
        if desk.fast_track:
            quick = [(q, bucket) for q, bucket in able if q]
            able = quick if quick or not self.policy.fast_track_helps else able
        best = None
        for _quick, bucket in able:
            found = bucket.first(now, self.policy, self._gone)
            if best is None or found[0] < best[0]:
                best = found
        return best[1] if best else None


class _Bucket:
    """Tickets alike but for their arrival, priority and booking: a heap in the policy's
    order without the age cap, and a heap by arrival for it."""

    def __init__(self):
        self.by_order: list[tuple] = []
        self.by_arrival: list[tuple] = []
        self.size = 0

    def push(self, ticket: Waiting, policy: Policy) -> None:
        heapq.heappush(self.by_order, (order(ticket, ticket.arrived, policy), ticket))
        heapq.heappush(self.by_arrival, (ticket.arrived, ticket.key, ticket))
        self.size += 1

    def first(self, now: datetime, policy: Policy, gone: set[int]) -> tuple[tuple, Waiting]:
        """The bucket's first ticket in the policy's order at ``now``, with its sort key."""
        while self.by_arrival[0][2].key in gone:
            heapq.heappop(self.by_arrival)
        oldest = self.by_arrival[0][2]
        if overdue(oldest, now, policy):
            return order(oldest, now, policy), oldest
        while self.by_order[0][1].key in gone:
            heapq.heappop(self.by_order)
        return self.by_order[0]
