from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.audit.models import AuditEntry
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core.moves import CaseError
from tongban.hall import counters, tickets
from tongban.hall.models import Counter, Hall, MatterGroup

PENGPU = "jingan-pengpu-xincun-community"


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


def clerk(hall: Hall, name: str) -> User:
    return make_staff(User(username=name), ["clerk"], centre=hall.centre)


def counter(hall: Hall, number: int, name: str) -> Counter:
    return counters.sign_in(hall.counters.get(number=number), clerk(hall, name))


def matter(code: str) -> Matter:
    return Matter.objects.get(version=public_version(), code=code)


def community(function: str, *, on_the_spot: bool | None = None) -> Matter:
    found = Matter.objects.filter(
        version=public_version(), counter="community", department__function=function
    )
    if on_the_spot is not None:
        found = found.filter(on_the_spot=on_the_spot)
    return found.first()


def test_each_queue_numbers_its_tickets_from_one_each_day(hall):
    first = tickets.issue(hall, channel="kiosk", matters=[community("human-resources")])
    second = tickets.issue(hall, channel="kiosk", matters=[community("human-resources")])
    other = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    assert [first.number, second.number, other.number] == ["A001", "A002", "C001"]
    assert AuditEntry.objects.filter(object_type="hall.ticket", action="create").count() == 3


def test_a_counter_calls_only_what_it_has_the_skill_for(hall):
    household = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    insurance_desk = counter(hall, 18, "clerk.a")  # social insurance only
    assert tickets.call_next(insurance_desk, insurance_desk.clerk) is None
    general = counter(hall, 1, "clerk.b")
    assert tickets.call_next(general, general.clerk) == household


def test_a_visit_for_two_lines_of_business_needs_a_counter_with_both(hall):
    both = [community("human-resources"), community("healthcare-security")]
    ticket = tickets.issue(hall, channel="kiosk", matters=both)
    assert ticket.groups == ["medical-insurance", "social-insurance"]
    specialised = counter(hall, 18, "clerk.a")
    assert tickets.call_next(specialised, specialised.clerk) is None
    general = counter(hall, 2, "clerk.b")
    assert tickets.call_next(general, general.clerk) == ticket


def test_priority_goes_first_until_the_age_cap(hall):
    now = timezone.now()
    old = tickets.issue(hall, channel="kiosk", queue=MatterGroup.objects.get(code="household"),
                        now=now - timedelta(minutes=20))  # fmt: skip
    elderly = tickets.issue(hall, channel="kiosk", priority="elderly",
                            queue=MatterGroup.objects.get(code="household"), now=now)  # fmt: skip
    desk = counter(hall, 1, "clerk.a")
    assert tickets.call_next(desk, desk.clerk, now=now) == elderly
    tickets.start(elderly, desk.clerk)
    tickets.finish(elderly, desk.clerk, "advice")
    assert tickets.call_next(desk, desk.clerk, now=now) == old


def test_a_second_clerk_cannot_take_a_signed_in_counter(hall):
    counter(hall, 3, "clerk.a")
    with pytest.raises(CaseError, match="Another clerk"):
        counters.sign_in(hall.counters.get(number=3), clerk(hall, "clerk.b"))


def test_a_clerk_holds_one_counter(hall):
    desk = counter(hall, 3, "clerk.a")
    with pytest.raises(CaseError, match="another counter"):
        counters.sign_in(hall.counters.get(number=4), desk.clerk)


def test_closing_a_counter_puts_its_called_ticket_back_with_its_arrival(hall):
    ticket = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    desk = counter(hall, 1, "clerk.a")
    tickets.call_next(desk, desk.clerk)
    counters.close(desk, desk.clerk)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.counter, ticket.arrived_at) == ("waiting", None,
                                                               ticket.arrived_at)  # fmt: skip
    desk.refresh_from_db()
    assert (desk.is_open, desk.clerk) == (False, None)


def test_finishing_twice_gives_the_same_result(hall):
    ticket = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    desk = counter(hall, 1, "clerk.a")
    tickets.start(tickets.call_next(desk, desk.clerk), desk.clerk)
    tickets.finish(ticket, desk.clerk, "on_the_spot")
    moves = AuditEntry.objects.filter(object_type="hall.ticket").count()
    ticket.refresh_from_db()
    tickets.finish(ticket, desk.clerk, "on_the_spot")
    assert AuditEntry.objects.filter(object_type="hall.ticket").count() == moves
    assert ticket.state == "done"


def test_a_called_visitor_who_does_not_come_is_a_no_show_after_the_recalls(hall):
    tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    desk = counter(hall, 1, "clerk.a")
    ticket = tickets.call_next(desk, desk.clerk)
    for _ in range(hall.recall_limit):
        ticket = tickets.recall(ticket, desk.clerk)
    assert ticket.state == "called" and ticket.recalls == hall.recall_limit
    assert tickets.recall(ticket, desk.clerk).state == "no_show"


def test_a_transferred_ticket_waits_for_its_counter_keeping_its_arrival(hall):
    ticket = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    desk = counter(hall, 1, "clerk.a")
    tickets.call_next(desk, desk.clerk)
    target = hall.counters.get(number=23)
    tickets.transfer(ticket, desk.clerk, counter=target)
    other = counter(hall, 24, "clerk.b")  # household too, but not the one transferred to
    assert tickets.call_next(other, other.clerk) is None
    target = counters.sign_in(target, clerk(hall, "clerk.c"))
    called = tickets.call_next(target, target.clerk)
    assert called == ticket and called.arrived_at == ticket.arrived_at


def test_quick_tickets_go_to_fast_track_which_helps_others_when_none_wait(hall):
    slow = tickets.issue(
        hall, channel="kiosk", matters=[community("human-resources", on_the_spot=False)]
    )
    quick = tickets.issue(
        hall, channel="kiosk", matters=[community("human-resources", on_the_spot=True)]
    )
    assert (slow.quick, quick.quick) == (False, True)
    fast = counter(hall, 16, "clerk.a")
    assert tickets.call_next(fast, fast.clerk) == quick
    tickets.finish(tickets.start(quick, fast.clerk), fast.clerk, "on_the_spot")
    Hall.objects.filter(pk=hall.pk).update(fast_track_helps=False)
    assert tickets.call_next(fast, fast.clerk) is None
    Hall.objects.filter(pk=hall.pk).update(fast_track_helps=True)
    assert tickets.call_next(fast, fast.clerk) == slow


def _served(hall: Hall, matter: Matter, minutes: float, visits: int) -> None:
    """``visits`` past visits for the matter alone, each served in ``minutes``."""
    from tongban.hall.models import Handling

    started = timezone.now() - timedelta(days=2)
    for _ in range(visits):
        ticket = tickets.issue(hall, channel="staff", matters=[matter], now=started)
        ticket.state, ticket.started_at = "done", started
        ticket.finished_at = started + timedelta(minutes=minutes)
        ticket.save()
        Handling.objects.create(ticket=ticket, matter=matter, outcome="on_the_spot",
                                at=ticket.finished_at)  # fmt: skip


def test_a_matter_done_on_the_spot_is_quick_unless_its_service_is_seen_to_take_long(hall, settings):
    from django.core.cache import cache

    cache.clear()
    settings.TONGBAN_HALL_MIN_SAMPLES = 3
    long, short = Matter.objects.filter(version=public_version(), counter="community",
                                        department__function="human-resources",
                                        on_the_spot=True)[:2]  # fmt: skip
    _served(hall, long, minutes=hall.fast_track_minutes + 4, visits=3)
    _served(hall, short, minutes=hall.fast_track_minutes - 3, visits=3)
    others = Matter.objects.filter(version=public_version(), counter="community", on_the_spot=True)
    seen_once = others.exclude(pk__in=[long.pk, short.pk])[0]
    _served(hall, seen_once, minutes=hall.fast_track_minutes + 10, visits=2)
    assert not tickets.issue(hall, channel="kiosk", matters=[long]).quick
    assert tickets.issue(hall, channel="kiosk", matters=[short]).quick
    assert tickets.issue(hall, channel="kiosk", matters=[seen_once]).quick  # too few to know
    assert not tickets.issue(hall, channel="kiosk", matters=[short, long]).quick


@pytest.mark.parametrize("nearest", [3, 50])
def test_a_counter_looks_at_few_tickets_but_chooses_as_over_all_of_them(hall, monkeypatch, nearest):
    import random

    from tongban.hall import dispatch

    monkeypatch.setattr(tickets, "NEAREST", nearest)
    draw = random.Random(nearest)
    queues = tickets.served_queues(hall)
    groups = [g["code"] for g in hall.priority_groups]
    start = timezone.now() - timedelta(minutes=90)
    matters = list(Matter.objects.filter(version=public_version(), counter="community"))
    desks = [tickets.desk(c) for c in hall.counters.prefetch_related("skills")]
    for i in range(120):
        at = start + timedelta(minutes=i * 0.7)
        booked = (at, at + timedelta(minutes=30)) if draw.random() < 0.05 else None
        ticket = tickets.issue(
            hall, channel="kiosk", now=at, booked=booked,
            priority=draw.choice(groups) if draw.random() < 0.1 else "",
            **({"queue": draw.choice(queues)} if draw.random() < 0.5
               else {"matters": draw.sample(matters, draw.choice([1, 1, 2]))}),
        )  # fmt: skip
        if draw.random() < 0.05:
            desk = draw.choice(desks)
            ticket.directed_to_id = desk.key
            ticket.save(update_fields=["directed_to"])
    day, rules = timezone.localdate(start), tickets.policy(hall)
    everyone = tickets.waiting(hall, day)
    for now in (start + timedelta(minutes=40), start + timedelta(minutes=140)):
        for desk in desks:
            few = tickets.waiting_for(hall, desk, day)
            assert dispatch.choose(desk, few, now, rules) == dispatch.choose(
                desk, everyone, now, rules
            )


def test_a_specialised_counter_looks_further_when_the_oldest_need_another_line_too(
    hall, monkeypatch
):
    monkeypatch.setattr(tickets, "NEAREST", 3)
    insurance = MatterGroup.objects.get(code="social-insurance")
    household = MatterGroup.objects.get(code="household")
    start = timezone.now() - timedelta(minutes=30)
    for _ in range(3):  # insurance and household in one visit: not for counter 18
        ticket = tickets.issue(hall, channel="staff", queue=insurance, now=start)
        ticket.groups = ["household", "social-insurance"]
        ticket.save(update_fields=["groups"])
    alone = tickets.issue(hall, channel="kiosk", queue=insurance,
                          now=start + timedelta(minutes=5))  # fmt: skip
    desk = counter(hall, 18, "clerk.a")
    assert tickets.call_next(desk, desk.clerk) == alone
    assert household.code not in {g.code for g in desk.skills.all()}
