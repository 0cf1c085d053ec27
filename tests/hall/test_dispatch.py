"""Properties of the dispatch policy over random queues and counters."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.hall.dispatch import Desk, Policy, Room, Waiting, candidates, choose, overdue

GROUPS = ["a", "b", "c", "d"]
START = datetime(2026, 3, 16, 8, 30)
NOW = START + timedelta(hours=3)


@st.composite
def tickets(draw, key: int) -> Waiting:
    arrived = START + timedelta(minutes=draw(st.integers(0, 180)))
    booked = None
    if draw(st.booleans()):
        start = START + timedelta(minutes=draw(st.integers(0, 200)))
        booked = (start, start + timedelta(minutes=30))
    return Waiting(
        key=key,
        groups=frozenset(draw(st.sets(st.sampled_from(GROUPS), min_size=1, max_size=2))),
        arrived=arrived,
        quick=draw(st.booleans()),
        priority=draw(st.sampled_from([0, 0, 0, 1, 2, 3])),
        booked=booked,
        counter=draw(st.sampled_from([None, None, None, 1, 2])),
    )


queues = st.integers(0, 30).flatmap(
    lambda n: st.tuples(*[tickets(key) for key in range(1, n + 1)]).map(list)
)
desks = st.builds(
    Desk,
    skills=st.frozensets(st.sampled_from(GROUPS), min_size=1),
    fast_track=st.booleans(),
    key=st.sampled_from([1, 2, 3]),
)
policies = st.builds(
    Policy,
    age_cap=st.sampled_from([timedelta(minutes=m) for m in (20, 45, 90)]),
    appointments_first=st.booleans(),
    priorities=st.booleans(),
    fast_track_helps=st.booleans(),
)


@given(desks, queues, policies)
def test_a_counter_is_never_given_a_ticket_it_cannot_serve(desk, waiting, policy):
    chosen = choose(desk, waiting, NOW, policy)
    if chosen is None:
        assert candidates(desk, waiting, policy) == []
        return
    assert chosen.groups <= desk.skills
    assert chosen.counter in (None, desk.key)
    if desk.fast_track and any(t.quick for t in candidates(desk, waiting, policy)):
        assert chosen.quick


@given(desks, queues, policies)
def test_no_servable_ticket_waits_past_the_cap_while_the_counter_calls_another(
    desk, waiting, policy
):
    chosen = choose(desk, waiting, NOW, policy)
    late = [t for t in candidates(desk, waiting, policy) if overdue(t, NOW, policy)]
    if late:
        assert chosen == min(late, key=lambda t: (t.arrived, t.key))


@given(desks, queues, policies, st.randoms())
def test_the_same_queue_in_any_order_gives_the_same_choice(desk, waiting, policy, random):
    shuffled = list(waiting)
    random.shuffle(shuffled)
    assert choose(desk, shuffled, NOW, policy) == choose(desk, waiting, NOW, policy)


@settings(max_examples=50)
@given(queues, st.lists(desks, min_size=1, max_size=4), policies)
def test_over_a_day_every_servable_ticket_is_called_and_the_overdue_in_arrival_order(
    waiting, counters, policy
):
    """Counters serving 5 minutes each, calling by the policy: every ticket some counter
    can serve is called, and whenever a counter calls, no overdue ticket it could serve
    that arrived earlier than the one it calls is left waiting."""
    service = timedelta(minutes=5)
    free = [START] * len(counters)
    left = {t.key: t for t in waiting}
    clock = START
    while left and clock < START + timedelta(hours=12):
        for i, desk in enumerate(counters):
            arrived = [t for t in left.values() if t.arrived <= clock]
            if free[i] > clock or not (chosen := choose(desk, arrived, clock, policy)):
                continue
            skipped = [t for t in candidates(desk, arrived, policy) if overdue(t, clock, policy)]
            assert all(t.arrived >= chosen.arrived for t in skipped if t != chosen)
            del left[chosen.key]
            free[i] = clock + service
        clock += timedelta(minutes=1)
    assert not [t for t in left.values() if any(candidates(d, [t], policy) for d in counters)]


def test_examples_of_each_rule():
    walk_in = Waiting(1, frozenset("a"), START)
    elderly = Waiting(2, frozenset("a"), START + timedelta(minutes=5), priority=1)
    window = (START + timedelta(minutes=15), START + timedelta(minutes=45))
    booked = Waiting(3, frozenset("a"), START + timedelta(minutes=10), booked=window)
    desk = Desk(frozenset("a"))
    soon = START + timedelta(minutes=20)
    assert choose(desk, [walk_in, elderly, booked], soon) == booked
    assert choose(desk, [walk_in, elderly], soon) == elderly
    assert choose(desk, [walk_in, elderly], START + timedelta(minutes=50)) == walk_in
    assert choose(Desk(frozenset("b")), [walk_in], soon) is None
    too_early = Waiting(4, frozenset("a"), START, booked=(soon + timedelta(hours=1),) * 2)
    assert choose(desk, [too_early, elderly], soon) == elderly


@given(st.lists(desks, min_size=1, max_size=4), queues, policies,
       st.lists(st.integers(0, 240), min_size=1, max_size=40))  # fmt: skip
def test_a_room_chooses_as_the_policy_does_call_after_call(desk_list, waiting, policy, minutes):
    """The simulations' ``Room`` gives, at every call of a day, the ticket ``choose`` gives
    over the tickets still waiting."""
    room, left = Room(policy, waiting), list(waiting)
    for i, offset in enumerate(sorted(minutes)):
        desk, now = desk_list[i % len(desk_list)], START + timedelta(minutes=offset)
        expected = choose(desk, left, now, policy)
        assert room.choose(desk, now) == expected
        if expected is not None:
            room.remove(expected)
            left.remove(expected)
        assert len(room) == len(left)
