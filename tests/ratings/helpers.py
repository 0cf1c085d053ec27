"""A served hall visit to rate, with its times pinned."""

from datetime import datetime, timedelta

from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.hall import counters, tickets
from tongban.hall.models import Hall, Ticket


def serve(hall: Hall, clerk, at: datetime, number: int = 1) -> Ticket:
    """A ticket issued at ``at``, served at counter ``number`` and finished 10 minutes on."""
    matter = Matter.objects.filter(version=public_version(), counter="community",
                                   department__function="public-security").first()  # fmt: skip
    desk = hall.counters.get(number=number)
    if desk.clerk_id != clerk.pk:
        desk = counters.sign_in(desk, clerk)
    ticket = tickets.issue(hall, channel="kiosk", matters=[matter], now=at)
    assert tickets.call_next(desk, clerk, now=at + timedelta(minutes=1)) == ticket
    tickets.start(ticket, clerk, now=at + timedelta(minutes=1))
    return tickets.finish(ticket, clerk, "on_the_spot", now=at + timedelta(minutes=10))
