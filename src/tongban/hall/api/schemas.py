from datetime import datetime
from uuid import UUID

from ninja import Schema

from tongban.applications.api.schemas import READ, WRITE, Text

__all__ = ["READ", "WRITE", "CounterOut", "TicketOut", "Text"]


class TicketOut(Schema):
    id: int
    number: str
    token: UUID
    queue: str
    state: str
    channel: str
    priority: str
    quick: bool
    city_wide: bool
    arrived_at: datetime
    called_at: datetime | None
    counter: int | None
    recalls: int
    outcome: str
    matters: list[str]


class CounterOut(Schema):
    id: int
    number: int
    label: Text
    kind: str
    fast_track: bool
    skills: list[str]
    open: bool
    clerk: str | None


def ticket_out(ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "token": ticket.token,
        "queue": ticket.queue.code,
        "state": ticket.state,
        "channel": ticket.channel,
        "priority": ticket.priority,
        "quick": ticket.quick,
        "city_wide": ticket.city_wide,
        "arrived_at": ticket.arrived_at,
        "called_at": ticket.called_at,
        "counter": ticket.counter.number if ticket.counter_id else None,
        "recalls": ticket.recalls,
        "outcome": ticket.outcome,
        "matters": [matter.code for matter in ticket.matters.all()],
    }


def counter_out(counter) -> dict:
    return {
        "id": counter.pk,
        "number": counter.number,
        "label": {"en": counter.label_en, "zh": counter.label_zh},
        "kind": counter.kind,
        "fast_track": counter.fast_track,
        "skills": [group.code for group in counter.skills.all()],
        "open": counter.is_open,
        "clerk": counter.clerk.username if counter.clerk_id else None,
    }
