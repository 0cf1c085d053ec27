"""The peak day (1,788 visitors) replayed through the service layer: tickets issued at
their arrival, 17 counters calling, starting and finishing at the times the pure history
gives. The hall must run the day exactly as the dispatch policy simulates it (the planner
relies on this), and every ticket is called once, by a counter with its skill."""

import heapq
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.hall import counters, history, tickets
from tongban.hall.demo import queue_mix
from tongban.hall.models import Hall, Ticket

PENGPU = "jingan-pengpu-xincun-community"
CALLING = 17  # 15 general + 2 fast-track counters


@pytest.fixture
def hall(demo_catalogue, settings) -> Hall:
    # The pure history knows no observed service times: a visit is quick when its matter is
    # done on the spot, so the replay must not learn otherwise from its own handlings.
    settings.TONGBAN_HALL_MIN_SAMPLES = 10**6
    return Hall.objects.get(centre__code=PENGPU)


def _sign_in(hall: Hall) -> dict:
    desks = {}
    for counter in hall.counters.order_by("number")[:CALLING]:
        clerk = make_staff(User(username=f"replay.{counter.number}"), ["clerk"],
                           centre=hall.centre)  # fmt: skip
        desks[counter.number] = counters.sign_in(counter, clerk)
    return desks


def test_the_peak_day_through_the_service_layer_is_the_day_the_policy_simulates(hall):
    desks = _sign_in(hall)
    day = timezone.localdate()
    stations = [history.Station(n, tickets.desk(c), True) for n, c in desks.items()]
    visits = history.generate(day, 1, queue_mix(hall), stations, working=lambda _day: True,
                              policy=tickets.policy(hall), seed=7, peak=day)  # fmt: skip
    assert abs(len(visits) - history.PEAK_VISITORS) <= 5  # whole visitors per hour
    zone = ZoneInfo(settings.TIME_ZONE)
    matters = {m.code: m for m in Matter.objects.filter(version=public_version())}
    priority = hall.priority_groups[0]["code"]

    replayed: dict[int, tuple[int, object]] = {}
    visit_of: dict[int, history.Visit] = {}
    free = [(visits[0].arrived, number) for number in desks]
    heapq.heapify(free)
    arrived = 0
    while free and (arrived < len(visits) or len(replayed) < len(visit_of)):
        clock, number = heapq.heappop(free)
        while arrived < len(visits) and visits[arrived].arrived <= clock:
            visit = visits[arrived]
            ticket = tickets.issue(hall, channel="kiosk", matters=[matters[visit.matter]],
                                   priority=priority if visit.priority else "",
                                   now=visit.arrived.replace(tzinfo=zone))  # fmt: skip
            visit_of[ticket.pk] = visit
            arrived += 1
        desk = desks[number]
        ticket = tickets.call_next(desk, desk.clerk, now=clock.replace(tzinfo=zone))
        if ticket is None:
            if arrived < len(visits):
                heapq.heappush(free, (visits[arrived].arrived, number))
            continue
        visit = visit_of[ticket.pk]
        replayed[visit.key] = (number, clock)
        done = clock + (visit.finished - visit.called)
        tickets.start(ticket, desk.clerk, now=clock.replace(tzinfo=zone))
        tickets.finish(ticket, desk.clerk, "on_the_spot" if visit.on_the_spot else "advice",
                       now=done.replace(tzinfo=zone))  # fmt: skip
        heapq.heappush(free, (done, number))

    simulated = {v.key: (v.counter, v.called) for v in visits if v.called}
    assert len(simulated) == len(visits)  # the pure day serves everyone
    assert replayed == simulated
    today = Ticket.objects.filter(hall=hall, day=day)
    assert today.count() == len(visits)
    assert not today.exclude(state="done").exists()
    skills = {n: {g.code for g in c.skills.all()} for n, c in desks.items()}
    for groups, number in today.values_list("groups", "counter__number"):
        assert set(groups) <= skills[number]
