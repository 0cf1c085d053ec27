"""Tickets: issued at a kiosk, remotely or by staff, called by counters, served, finished.

Every move goes through the ticket machine (``states.TICKET``) and is audited. Call-next is
safe across any number of app servers: see ``call_next``.
"""

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.applications.models import Application
from tongban.audit.services import record
from tongban.catalogue.models import Matter
from tongban.core.moves import CaseError, move

from . import dispatch, service_times, states
from .models import Counter, Hall, Handling, MatterGroup, QueueDay, Ticket
from .tasks import tell_near_turn


def group_of(matter: Matter, groups: Iterable[MatterGroup]) -> MatterGroup:
    """The queue a matter is handled in."""
    for group in groups:
        if group.covers(matter):
            return group
    raise CaseError(_("%(matter)s is not handled in this hall.") % {"matter": matter.name})


def policy(hall: Hall) -> dispatch.Policy:
    return dispatch.Policy(
        age_cap=timezone.timedelta(minutes=hall.age_cap_minutes),
        appointments_first=hall.appointments_first,
        early_check_in=timezone.timedelta(minutes=hall.early_check_in_minutes),
        priorities=hall.priorities,
        fast_track_helps=hall.fast_track_helps,
    )


def issue(
    hall: Hall,
    *,
    channel: str,
    matters: Sequence[Matter] = (),
    queue: MatterGroup | None = None,
    priority: str = "",
    booked: tuple[datetime, datetime] | None = None,
    now: datetime | None = None,
    actor=None,
    **visitor,
) -> Ticket:
    """A new waiting ticket for the matters (or, without matters, for one queue).

    ``visitor`` may give ``applicant``, ``resident_id``, ``phone`` and ``email``.
    """
    now = now or timezone.now()
    groups = list(MatterGroup.objects.all()) if matters else []
    needed = [group_of(matter, groups) for matter in matters]
    if queue is None and not needed:
        raise CaseError(_("Choose what you came for."), "queue")
    queue = queue or needed[0]
    if priority and not hall.priority_rank(priority):
        raise CaseError(_("This centre has no such priority group."), "priority")
    codes = sorted({group.code for group in needed} | {queue.code})
    day = timezone.localdate(now)
    # Read before the queue's number row is locked, so kiosks wait for each other only
    # while a number is taken.
    quick = service_times.quick(hall, list(matters), now)
    city_wide = any(matter.city_wide for matter in matters) and is_community(hall)
    with transaction.atomic():
        sequence = _next_number(hall, queue, day)
        ticket = Ticket.objects.create(
            hall=hall,
            day=day,
            queue=queue,
            sequence=sequence,
            number=f"{queue.prefix}{sequence:03d}",
            channel=channel,
            groups=codes,
            quick=quick,
            priority=priority,
            arrived_at=now,
            booked_from=booked[0] if booked else None,
            booked_until=booked[1] if booked else None,
            city_wide=city_wide,
            **visitor,
        )
        Ticket.matters.through.objects.bulk_create(
            Ticket.matters.through(ticket=ticket, matter=matter) for matter in set(matters)
        )
        record(
            "create",
            object_type="hall.ticket",
            object_id=ticket.pk,
            object_label=ticket.number,
            after={"queue": queue.code, "channel": channel, "priority": priority},
            actor=actor,
        )
    return ticket


def served_queues(hall: Hall) -> list[MatterGroup]:
    """The queues some counter of the hall serves."""
    return list(MatterGroup.objects.filter(counters__hall=hall).distinct())


def handled_here(hall: Hall, matters: Iterable[Matter]) -> tuple[list[Matter], list[Matter]]:
    """The matters this hall handles, and those it does not (to be named, not dropped)."""
    queues = served_queues(hall)
    here, elsewhere = [], []
    for matter in matters:
        (here if any(queue.covers(matter) for queue in queues) else elsewhere).append(matter)
    return here, elsewhere


def closed_until(hall: Hall, now: datetime) -> datetime | None:
    """When a closed centre opens next; None while it is open or its hours are not recorded.

    Kiosk and remote tickets are taken only while the centre is open: a ticket taken before
    the doors open would go ahead of the people queueing outside."""
    hours = hall.centre.opening_hours
    if hours is None or hours.is_open(now):
        return None
    return hours.next_opening(now) or now + timezone.timedelta(days=366)


def refuse_when_closed(hall: Hall, now: datetime) -> None:
    opens = closed_until(hall, now)
    if opens is not None:
        raise CaseError(_("The centre is closed now. It opens again on %(when)s.")
                        % {"when": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"})  # fmt: skip


def take_remote(hall: Hall, *, queue: MatterGroup, applicant=None, resident_id: str = "",
                phone: str = "", now: datetime | None = None) -> Ticket:  # fmt: skip
    """A same-day ticket taken from a phone while the centre is open, within the hall's
    limit per person and day."""
    now = now or timezone.now()
    refuse_when_closed(hall, now)
    mine = Ticket.objects.filter(hall=hall, day=timezone.localdate(now), channel="remote")
    mine = mine.filter(applicant=applicant) if applicant else mine.filter(resident_id=resident_id)
    if mine.count() >= hall.remote_per_day:
        raise CaseError(_("You have taken as many remote tickets today as this centre allows."))
    return issue(hall, channel=Ticket.Channel.REMOTE, queue=queue, now=now, applicant=applicant,
                 resident_id=resident_id, phone=phone)  # fmt: skip


def is_community(hall: Hall) -> bool:
    return hall.centre.kind == hall.centre.Kind.COMMUNITY


def _next_number(hall: Hall, queue: MatterGroup, day) -> int:
    """The next sequence of the queue today: the update locks its counter row until the
    ticket is saved, so two kiosks never get the same number."""
    row = QueueDay.objects.filter(hall=hall, queue=queue, day=day)
    if not row.update(last=F("last") + 1):
        QueueDay.objects.get_or_create(hall=hall, queue=queue, day=day)
        row.update(last=F("last") + 1)
    return row.values_list("last", flat=True).get()


WAITING_FIELDS = ("pk", "groups", "arrived_at", "quick", "priority", "booked_from",
                  "booked_until", "directed_to")  # fmt: skip
NEAREST = 50


def waiting(hall: Hall, day) -> list[dispatch.Waiting]:
    """The hall's waiting tickets of the day as the dispatch policy sees them."""
    rows = Ticket.objects.filter(hall=hall, day=day, state=states.WAITING)
    return _as_waiting(hall, rows.values_list(*WAITING_FIELDS))


def waiting_for(hall: Hall, me: dispatch.Desk, day) -> list[dispatch.Waiting]:
    """The waiting tickets among which the policy finds this counter's next: those it may
    serve that go ahead by priority, appointment or transfer, and the oldest few (the oldest
    it can serve is the first past the age cap, and the first without those). All it may
    serve when the oldest few hold none it can: a queue of a thousand costs a few rows."""
    mine = Ticket.objects.filter(hall=hall, day=day, state=states.WAITING,
                                 queue__code__in=me.skills)  # fmt: skip
    mine = mine.filter(Q(directed_to__isnull=True) | Q(directed_to=me.key))
    ahead = mine.exclude(priority="", booked_from__isnull=True, directed_to__isnull=True)
    found = {row[0]: row for row in ahead.values_list(*WAITING_FIELDS)}
    nearest = [mine.filter(quick=True)] if me.fast_track else []
    for part in [mine, *nearest]:
        rows = list(part.order_by("arrived_at", "pk").values_list(*WAITING_FIELDS)[:NEAREST])
        tickets = _as_waiting(hall, rows)
        if len(rows) == NEAREST and not any(dispatch.skilled(me, t) for t in tickets):
            return _as_waiting(hall, mine.values_list(*WAITING_FIELDS))
        found.update((row[0], row) for row in rows)
    return _as_waiting(hall, found.values())


def _as_waiting(hall: Hall, rows: Iterable[tuple]) -> list[dispatch.Waiting]:
    return [
        dispatch.Waiting(
            key=pk,
            groups=frozenset(groups),
            arrived=arrived,
            quick=quick,
            priority=hall.priority_rank(priority) if priority else 0,
            booked=(start, end) if start and end else None,
            counter=directed_to,
        )
        for pk, groups, arrived, quick, priority, start, end, directed_to in rows
    ]


def day_digest(hall: Hall, day) -> str:
    """A digest of the hall's day that changes whenever a ticket is issued, called,
    recalled, served or leaves: what boards and wait estimates are keyed by."""
    shape = Ticket.objects.filter(hall=hall, day=day).aggregate(
        issued=Count("id"),
        waiting=Count("id", filter=Q(state=states.WAITING)),
        held=Count("id", filter=Q(state__in=states.HELD)),
        called=Max("called_at"),
        finished=Max("finished_at"),
    )
    return hashlib.sha256(repr(sorted(shape.items())).encode()).hexdigest()[:32]


def desk(counter: Counter) -> dispatch.Desk:
    skills = frozenset(counter.skills.values_list("code", flat=True))
    return dispatch.Desk(skills=skills, fast_track=counter.fast_track, key=counter.pk)


def call_next(counter: Counter, clerk, now: datetime | None = None) -> Ticket | None:
    """Call the ticket the policy gives this counter; None when nobody waits for it.

    Safe when many counters call at once on several servers. The counter row is locked
    (one call per counter at a time) and the chosen ticket is claimed with a conditional
    update (``state = waiting``): a ticket another counter claimed first is skipped and the
    policy asked again. Not ``SKIP LOCKED``: the policy must see the whole queue to be fair,
    and skipping rows another transaction has locked would hide them from it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Counter.objects.select_for_update(of=("self",)).select_related("hall")
        counter = locked.get(pk=counter.pk)
        _check_at_counter(counter, clerk)
        if Ticket.objects.filter(counter=counter, state__in=states.HELD).exists():
            raise CaseError(_("Finish, recall or transfer the ticket you have called first."))
        hall, rules, me = counter.hall, policy(counter.hall), desk(counter)
        day = timezone.localdate(now)
        queue = waiting_for(hall, me, day)
        while (chosen := dispatch.choose(me, queue, now, rules)) is not None:
            claimed = Ticket.objects.filter(pk=chosen.key, state=states.WAITING).update(
                state=states.CALLED, counter=counter, called_at=now, directed_to=None
            )
            if claimed:
                ticket = Ticket.objects.get(pk=chosen.key)
                audit_move(ticket, states.WAITING, "call", clerk, counter=counter.pk)
                transaction.on_commit(lambda: tell_near_turn.enqueue(hall.pk))
                return ticket
            queue = waiting_for(hall, me, day)  # another counter took it: look again
    return None


def audit_move(ticket: Ticket, before: str, action: str, actor, **after) -> None:
    record(
        "transition",
        object_type="hall.ticket",
        object_id=ticket.pk,
        object_label=ticket.number,
        before={"state": before},
        after={"state": ticket.state, "action": action, **after},
        actor=actor,
    )


def _check_at_counter(counter: Counter, clerk) -> None:
    if counter.clerk_id != clerk.pk:
        raise CaseError(_("Sign in to this counter first."))
    if not counter.is_open:
        raise CaseError(_("This counter is closed."))


def lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket as it is now, locked until the move is saved."""
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("counter", "hall")
    return locked.get(pk=ticket.pk)


def counter_holding(ticket: Ticket, clerk) -> Counter:
    counter = ticket.counter
    if counter is None or counter.clerk_id != clerk.pk:
        raise CaseError(_("This ticket is not at your counter."))
    return counter


def recall(ticket: Ticket, clerk, now: datetime | None = None) -> Ticket:
    """Call the visitor again; past the centre's limit the ticket is a no-show."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        counter_holding(ticket, clerk)
        if ticket.recalls >= ticket.hall.recall_limit:
            move(ticket, states.TICKET, "miss", clerk, finished_at=now or timezone.now())
        else:
            move(ticket, states.TICKET, "recall", clerk, recalls=ticket.recalls + 1,
                 called_at=now or timezone.now())  # fmt: skip
        return ticket


def start(ticket: Ticket, clerk, now: datetime | None = None) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        counter_holding(ticket, clerk)
        move(ticket, states.TICKET, "start", clerk, started_at=now or timezone.now())
        return ticket


def finish(
    ticket: Ticket,
    clerk,
    outcome: str,
    now: datetime | None = None,
    *,
    result: str = "",
    application: Application | None = None,
) -> Ticket:
    """End the service with its outcome, recording each matter of the visit not handled
    yet (a case taken during service records its own, ``handlings.accept_case``): on the
    spot with the result given, or accepted into ``application``. Finishing a finished
    ticket changes nothing."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.state == "done":
            return ticket
        counter = counter_holding(ticket, clerk)
        if outcome not in Ticket.Outcome.values:
            raise CaseError(_("Choose the outcome of the visit."), "outcome")
        left = []  # advice records nothing: no query under the lock
        if outcome != Ticket.Outcome.ADVICE:
            handled = set(ticket.handlings.values_list("matter_id", flat=True))
            left = [matter for matter in ticket.matters.all() if matter.pk not in handled]
            if outcome == Ticket.Outcome.ACCEPTED and not application and (left or not handled):
                raise CaseError(_("Give the number of the case the visit was accepted into."),
                                "application")  # fmt: skip
        now = now or timezone.now()
        move(ticket, states.TICKET, "finish", clerk, outcome=outcome, finished_at=now)
        if application is not None:
            ticket.applications.add(application)
        if left:
            community = is_community(ticket.hall)
            Handling.objects.bulk_create(
                Handling(ticket=ticket, matter=matter, outcome=outcome, result=result[:200],
                         application=application, city_wide=community and matter.city_wide,
                         counter=counter, clerk=clerk, at=now)
                for matter in left
            )  # fmt: skip
        return ticket


def transfer(
    ticket: Ticket, clerk, *, queue: MatterGroup | None = None, counter: Counter | None = None
) -> Ticket:
    """Send the visitor to another queue (for what is left, which that queue handles) or
    to one counter; they keep their arrival time."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        counter_holding(ticket, clerk)
        if (queue is None) == (counter is None):
            raise CaseError(_("Choose one queue or one counter to transfer to."), "to")
        if counter is not None and counter.hall_id != ticket.hall_id:
            raise CaseError(_("That counter is in another hall."), "to")
        groups = ticket.groups if queue is None else [queue.code]
        move(ticket, states.TICKET, "transfer", clerk, counter=None, directed_to=counter,
             queue=queue or ticket.queue, groups=groups, called_at=None, started_at=None,
             recalls=0)  # fmt: skip
        return ticket


def add_matter(ticket: Ticket, clerk, matter: Matter) -> Ticket:
    """One more matter in the same visit (the counter must handle its queue)."""
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        counter = counter_holding(ticket, clerk)
        if ticket.state != states.SERVING:
            raise CaseError(_("Start serving the visitor first."))
        group = group_of(matter, MatterGroup.objects.all())
        if not counter.skills.filter(pk=group.pk).exists():
            raise CaseError(_("This counter does not handle %(matter)s: transfer the visitor.")
                            % {"matter": matter.name}, "matter")  # fmt: skip
        ticket.matters.add(matter)
        if matter.city_wide and is_community(ticket.hall) and not ticket.city_wide:
            ticket.city_wide = True
            ticket.save(update_fields=["city_wide"])
        audit_move(ticket, ticket.state, "add_matter", clerk, matter=matter.code)
        return ticket


def park(ticket: Ticket, clerk) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        counter_holding(ticket, clerk)
        move(ticket, states.TICKET, "park", clerk)
        return ticket


def resume(ticket: Ticket, clerk) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        counter = counter_holding(ticket, clerk)
        if Ticket.objects.filter(counter=counter, state__in=states.HELD).exists():
            raise CaseError(_("Finish, recall or transfer the ticket you have called first."))
        move(ticket, states.TICKET, "resume", clerk)
        return ticket


def cancel(ticket: Ticket, actor=None) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        move(ticket, states.TICKET, "cancel", actor, counter=None, finished_at=timezone.now())
        return ticket
