"""Seventeen counters pressing "call next" at once, each on its own database connection as
on separate app servers: every ticket is called exactly once, and no counter holds two."""

import threading
from collections import Counter as Tally
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.audit.models import AuditEntry
from tongban.hall import counters, tickets
from tongban.hall.models import Hall, MatterGroup, Ticket

TICKETS = 2000
COUNTERS = 17


@pytest.mark.django_db(transaction=True)
def test_seventeen_counters_call_two_thousand_tickets_once_each(demo):
    from tests.conftest import DATA
    from tongban.hall.content import load_halls

    load_halls(DATA / "jingan" / "hall.yaml")
    hall = Hall.objects.get(centre__code="jingan-pengpu-xincun-community")
    queues = list(MatterGroup.objects.filter(counter_kind="community"))
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(hall=hall, day=timezone.localdate(now), queue=queues[i % len(queues)],
               sequence=i, number=f"{queues[i % len(queues)].prefix}{i:04d}",
               channel="kiosk", groups=[queues[i % len(queues)].code],
               arrived_at=now - timedelta(seconds=TICKETS - i))
        for i in range(TICKETS)
    )  # fmt: skip
    desks = []
    for number in range(1, COUNTERS + 1):  # the 15 general and 2 fast-track counters
        clerk = make_staff(User(username=f"clerk.{number}"), ["clerk"], centre=hall.centre)
        desks.append(counters.sign_in(hall.counters.get(number=number), clerk))
    served: dict[int, list[int]] = {desk.pk: [] for desk in desks}
    errors: list[BaseException] = []
    start = threading.Barrier(COUNTERS)

    def work(desk):
        try:
            start.wait()
            while (ticket := tickets.call_next(desk, desk.clerk)) is not None:
                held = Ticket.objects.filter(counter=desk, state__in=("called", "serving"))
                assert held.count() == 1, f"counter {desk.number} holds {held.count()}"
                served[desk.pk].append(ticket.pk)
                tickets.finish(tickets.start(ticket, desk.clerk), desk.clerk, "advice")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(desk,)) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    every = [pk for pks in served.values() for pk in pks]
    assert len(every) == len(set(every)) == TICKETS
    assert not Ticket.objects.exclude(state="done").exists()
    calls = Tally(
        AuditEntry.objects.filter(object_type="hall.ticket", after__action="call").values_list(
            "object_id", flat=True
        )
    )
    assert len(calls) == TICKETS and set(calls.values()) == {1}
    assert sum(1 for pks in served.values() if pks) > 1  # the counters really shared the work
