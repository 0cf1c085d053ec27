"""The generated demo history of a hall, written as tickets and handlings marked
``generated`` (replacing the previous ones), from ``history.generate``."""

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core.workdays import is_working_day
from tongban.ratings import grades, services
from tongban.ratings.models import FollowUp, Rating

from . import devices, history, tickets
from .models import Counter, Hall, Handling, Ticket

# Median service minutes of a queue whose matters are mostly done on the spot, and of the
# others (the reference day's mean is 5.7 minutes: ../shared/research/hall-facts.md).
QUICK_MEDIAN, OTHER_MEDIAN = 4.5, 7.5
WEEKEND_KINDS = {Counter.Kind.FAST_TRACK}
WEEKEND_GENERAL = 8  # general counters open on weekends
# Generated ratings (our shape, unconfirmed): a third of the served visits rated, grades
# best first, and the share of past follow-ups closed.
RATED_SHARE = 0.3
GRADE_WEIGHTS = (70, 20, 7, 2, 1)
SOURCES = (Rating.Source.RATER, Rating.Source.RATER, Rating.Source.QR)
CLOSED_WHEN_PAST = 0.9


def generate_history(hall: Hall, days: int = 60, seed: int = 1, last: date | None = None) -> int:
    """Replace the hall's generated history with ``days`` days ending ``last`` (yesterday by
    default); the number of visits written."""
    last = last or timezone.localdate() - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    queues = queue_mix(hall)
    stations = [
        history.Station(c.number, tickets.desk(c), _open_on_weekends(c))
        for c in hall.counters.prefetch_related("skills")
    ]
    visits = history.generate(first, days, queues, stations, working=is_working_day,
                              policy=tickets.policy(hall), seed=seed)  # fmt: skip
    with transaction.atomic():
        Ticket.objects.filter(hall=hall, generated=True).delete()
        _write(hall, visits, seed)
    return len(visits)


def _open_on_weekends(counter: Counter) -> bool:
    if counter.kind in WEEKEND_KINDS:
        return True
    return counter.kind == Counter.Kind.GENERAL and counter.number <= WEEKEND_GENERAL


def queue_mix(hall: Hall) -> list[history.Queue]:
    """The queues of the hall as the generated history draws visits from them."""
    matters = list(Matter.objects.filter(version=public_version()).select_related("department"))
    found = []
    for group in tickets.served_queues(hall):
        mine = [(m.code, m.on_the_spot) for m in matters if group.covers(m)]
        if not mine:
            continue  # a topic such as collecting results
        quick = sum(spot for _code, spot in mine) > len(mine) / 2
        found.append(history.Queue(group.code, len(mine), QUICK_MEDIAN if quick else OTHER_MEDIAN,
                                   mine))  # fmt: skip
    return found


def _write(hall: Hall, visits: list[history.Visit], seed: int) -> None:
    groups = {g.code: g for g in tickets.served_queues(hall)}
    counters = {c.number: c for c in hall.counters.all()}
    matters = {m.code: m for m in Matter.objects.filter(version=public_version())}
    sequence: dict[tuple, int] = {}
    rows = []
    for visit in visits:
        key = (visit.day, visit.queue)
        sequence[key] = sequence.get(key, 0) + 1
        rows.append(_ticket(hall, visit, groups[visit.queue], sequence[key], counters,
                            matters[visit.matter]))  # fmt: skip
    made = Ticket.objects.bulk_create(rows, batch_size=2000)
    pairs = list(zip(made, visits, strict=True))
    through = Ticket.matters.through
    links = [through(ticket_id=t.pk, matter_id=matters[v.matter].pk) for t, v in pairs]
    through.objects.bulk_create(links, batch_size=5000)
    handled = [
        Handling(ticket_id=t.pk, matter=matters[v.matter], outcome=t.outcome,
                 city_wide=t.city_wide, counter=t.counter, at=t.finished_at)
        for t, v in pairs
        if t.outcome
    ]  # fmt: skip
    Handling.objects.bulk_create(handled, batch_size=5000)
    draw = random.Random(seed)  # noqa: S311 - demo data, not secrets
    _rate(hall, [t for t in made if t.state == "done"], draw)


def _rate(hall: Hall, done: list[Ticket], draw: random.Random) -> None:
    """Grade a share of the served visits (our shape, unconfirmed: most good, a few bad),
    with the follow-ups of the bad ones: closed when long past, some left open or overdue."""
    today = timezone.localdate()
    rated = [t for t in done if draw.random() < RATED_SHARE]
    rows = [
        Rating(channel=Rating.Channel.COUNTER, source=draw.choice(SOURCES), label=t.number,
               centre_id=hall.centre_id, ticket_id=t.pk, rated_at=t.finished_at,
               grade=draw.choices(grades.CODES, GRADE_WEIGHTS)[0], generated=True,
               reasons=draw.sample(grades.REASON_CODES, draw.randint(0, 2)))
        for t in rated
    ]  # fmt: skip
    Rating.objects.bulk_create(rows, batch_size=2000)
    follow_ups = []
    for rating in (r for r in rows if r.bad):
        day = timezone.localdate(rating.rated_at)
        revisit_due, rectify_due = services.deadlines(day)
        state = "revisiting"
        if rectify_due < today:
            state = "closed" if draw.random() < CLOSED_WHEN_PAST else "rectifying"
        follow_ups.append(FollowUp(
            rating=rating, opened_on=day, revisit_due=revisit_due, rectify_due=rectify_due,
            state=state, note="生成的示例：已回访并反馈。" if state == "closed" else "",
        ))  # fmt: skip
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)


def _ticket(hall, visit, queue, sequence, counters, matter) -> Ticket:
    zone = ZoneInfo(settings.TIME_ZONE)
    called = visit.called.replace(tzinfo=zone) if visit.called else None
    served = called is not None and not visit.no_show
    if served:
        state, outcome = "done", "on_the_spot" if visit.on_the_spot else "accepted"
    else:
        state, outcome = ("no_show" if visit.no_show else "cancelled"), ""
    return Ticket(
        hall=hall,
        day=visit.day,
        queue=queue,
        sequence=sequence,
        number=f"{queue.prefix}{sequence:03d}",
        channel=Ticket.Channel.KIOSK,
        groups=[queue.code],
        quick=visit.on_the_spot,
        priority=hall.priority_groups[0]["code"] if visit.priority and hall.priority_groups else "",
        state=state,
        outcome=outcome,
        arrived_at=visit.arrived.replace(tzinfo=zone),
        called_at=called,
        started_at=called if served else None,
        finished_at=visit.finished.replace(tzinfo=zone) if visit.finished else None,
        counter=counters.get(visit.counter),
        city_wide=matter.city_wide,
        generated=True,
    )


DEMO_DEVICES = {"kiosk": "Demo kiosk", "board": "Demo board"}


def demo_devices(hall: Hall) -> list[tuple[str, str]]:
    """A kiosk and a board for the demo hall, each with a new key (the keys of an earlier
    demo are revoked: only their hashes were kept): the role and the page to open."""
    found = []
    for role, name in DEMO_DEVICES.items():
        for old in hall.devices.filter(role=role, name=name, revoked_at__isnull=True):
            devices.revoke(old)
        _device, key = devices.create(hall, role, name)
        found.append((role, f"/hall/{hall.centre.code}/{role}/?key={key}"))
    return found
