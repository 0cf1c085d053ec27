from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.hall import history
from tongban.hall.demo import generate_history
from tongban.hall.dispatch import Desk, Policy
from tongban.hall.models import Hall, Handling, Ticket
from tongban.ratings.models import FollowUp, Rating

QUEUES = [
    history.Queue("a", 3, 4.5, [("m1", True), ("m2", False)]),
    history.Queue("b", 1, 7.5, [("m3", False)]),
]
STATIONS = [
    *(history.Station(n, Desk(frozenset("ab")), weekend=n <= 8) for n in range(1, 16)),
    *(history.Station(n, Desk(frozenset("ab"), fast_track=True), weekend=False) for n in (16, 17)),
    *(history.Station(n, Desk(frozenset("a")), weekend=False) for n in range(18, 26)),
]


def weekdays(day: date) -> bool:
    return day.weekday() < 5


@settings(max_examples=3)
@given(st.integers(0, 1000))
def test_a_generated_history_has_its_peak_day_and_keeps_to_the_rules(seed):
    first = date(2026, 3, 16)  # a Monday
    visits = history.generate(first, 7, QUEUES, STATIONS, working=weekdays, policy=Policy(),
                              seed=seed, peak=date(2026, 3, 18))  # fmt: skip
    per_day = {}
    for visit in visits:
        per_day[visit.day] = per_day.get(visit.day, 0) + 1
        opens = datetime.combine(visit.day, time(8, 30))
        closes = datetime.combine(visit.day, time(16, 30) if weekdays(visit.day) else time(11, 30))
        assert opens <= visit.arrived <= closes
        assert visit.called is not None and visit.called >= visit.arrived
        station = next(s for s in STATIONS if s.number == visit.counter)
        assert visit.groups <= station.desk.skills
        assert weekdays(visit.day) or station.weekend
    assert per_day[date(2026, 3, 18)] == history.PEAK_VISITORS
    assert per_day[date(2026, 3, 21)] < per_day[date(2026, 3, 17)]  # Saturday: half a day


@pytest.mark.django_db
def test_the_generated_history_is_written_marked_and_replaced(demo_catalogue):
    hall = Hall.objects.get(centre__code="jingan-pengpu-xincun-community")
    made = generate_history(hall, days=2, last=date(2026, 3, 17))
    assert Ticket.objects.filter(generated=True).count() == made > 0
    assert not Ticket.objects.filter(generated=False).exists()
    assert Handling.objects.filter(ticket__generated=True).count() == Ticket.objects.filter(
        state="done").count()  # fmt: skip
    rated = Rating.objects.filter(generated=True, ticket__generated=True)
    done = Ticket.objects.filter(state="done").count()
    assert 0.2 * done < rated.count() < 0.4 * done  # a share of the served visits
    best = rated.filter(grade="very_satisfied").count()
    assert best > rated.count() - best  # most are good
    assert FollowUp.objects.filter(rating__ticket__generated=True).count() == sum(
        1 for r in rated if r.bad)  # fmt: skip
    again = generate_history(hall, days=1, last=date(2026, 3, 17))
    assert Ticket.objects.count() == again < made
    assert {t.day for t in Ticket.objects.all()} == {date(2026, 3, 17)}
    assert Ticket.objects.filter(number="A001", day=date(2026, 3, 17)).exists()
    assert all(t.finished_at - t.arrived_at < timedelta(hours=13) for t in Ticket.objects.all())
