from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tongban.hall.dispatch import Desk, Policy, Waiting
from tongban.hall.waits import Open, estimate

NOW = datetime(2026, 3, 16, 9, 0)
POLICY = Policy()


def waiting(n: int, group: str = "a") -> list[Waiting]:
    return [Waiting(i, frozenset(group), NOW - timedelta(minutes=n - i)) for i in range(n)]


def test_with_fixed_service_times_the_range_is_exact():
    found = estimate(waiting(3), [Open(Desk(frozenset("a")))], {"a": [5.0]}, NOW, POLICY)
    assert [(r.ahead, r.p10, r.p50, r.p90) for r in found.values()] == [
        (0, 0, 0, 0), (1, 5, 5, 5), (2, 10, 10, 10)]  # fmt: skip


def test_a_ticket_no_open_counter_serves_gets_no_range():
    found = estimate(waiting(2, "b"), [Open(Desk(frozenset("a")))], {}, NOW, POLICY)
    assert found == {}


def test_a_busy_counter_starts_when_it_is_free():
    busy = Open(Desk(frozenset("a")), serving=("a", 1.0))
    found = estimate(waiting(1), [busy], {"a": [5.0]}, NOW, POLICY)
    assert found[0].p50 == 4


def test_priority_visitors_expected_to_come_lengthen_the_wait():
    desk = [Open(Desk(frozenset("a")))]
    calm = estimate(waiting(5), desk, {"a": [5.0]}, NOW, POLICY)
    busy = estimate(waiting(5), desk, {"a": [5.0]}, NOW, POLICY, jumpers={"a": 0.1})
    assert busy[4].p90 > calm[4].p90 and busy[4].ahead == calm[4].ahead == 4


@given(st.integers(1, 25), st.integers(1, 4))
def test_ranges_are_ordered_and_grow_with_the_place_in_the_queue(n, desks):
    counters = [Open(Desk(frozenset("a"))) for _ in range(desks)]
    found = estimate(waiting(n), counters, {"a": [2.0, 5.0, 9.0]}, NOW, POLICY)
    assert len(found) == n
    for r in found.values():
        assert 0 <= r.p10 <= r.p50 <= r.p90
    medians = [found[i].p50 for i in range(n)]
    assert medians == sorted(medians)
    assert found == estimate(waiting(n), counters, {"a": [2.0, 5.0, 9.0]}, NOW, POLICY)
