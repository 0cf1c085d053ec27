"""Visitors and kiosks over the API: a hall's queues, a kiosk ticket, where a ticket stands."""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core.moves import CaseError

from .. import status, tickets
from ..board import panel_context
from ..devices import DeviceKey
from ..models import Hall, MatterGroup, Ticket
from .schemas import READ, WRITE, Text, TicketOut, ticket_out

router = Router(tags=["hall: visitors"])


class QueueOut(Schema):
    code: str
    prefix: str
    name: Text


class KioskIn(Schema):
    queue: str = ""
    matters: list[str] = []
    priority: str = ""
    phone: str = ""


class WaitOut(Schema):
    ahead: int
    p10_minutes: float
    p50_minutes: float
    p90_minutes: float


class StatusOut(Schema):
    number: str
    queue: str
    state: str
    counter: int | None
    arrived_at: datetime
    near_turn_told: bool
    wait: WaitOut | None


def _hall(centre: str) -> Hall:
    return get_object_or_404(Hall, centre__code=centre)


@router.get("/{centre}/queues", response={200: list[QueueOut], **READ}, auth=None,
            summary="The queues a hall's counters serve")  # fmt: skip
def queues(request: HttpRequest, centre: str):
    return [
        {"code": q.code, "prefix": q.prefix, "name": {"en": q.name_en, "zh": q.name_zh}}
        for q in tickets.served_queues(_hall(centre))
    ]


@router.post("/{centre}/tickets", response={201: TicketOut, **WRITE}, auth=DeviceKey("kiosk"),
             summary="Issue a ticket at a kiosk of this hall (a kiosk's device key)")  # fmt: skip
def issue(request: HttpRequest, centre: str, body: KioskIn):
    hall = _hall(centre)
    if request.device.hall_id != hall.pk:
        raise CaseError(_("This kiosk belongs to another hall."))
    tickets.refuse_when_closed(hall, timezone.now())
    matters = list(Matter.objects.filter(version=public_version(), code__in=body.matters))
    if len(matters) != len(set(body.matters)):
        raise CaseError(_("No matter has this code."), "matters")
    queue = MatterGroup.objects.filter(code=body.queue).first() if body.queue else None
    if body.queue and queue not in tickets.served_queues(hall):
        raise CaseError(_("Choose what you came for."), "queue")
    ticket = tickets.issue(hall, channel=Ticket.Channel.KIOSK, matters=matters, queue=queue,
                           priority=body.priority, phone=body.phone[:20])  # fmt: skip
    return Status(201, ticket_out(ticket))


@router.get("/tickets/{token}", response={200: StatusOut, **READ}, auth=None,
            summary="Where a ticket of today stands: no sign-in, the token is its key")  # fmt: skip
def ticket_status(request: HttpRequest, token: UUID):
    ticket = get_object_or_404(Ticket.objects.select_related("hall", "queue", "counter"),
                               token=token, day=timezone.localdate())  # fmt: skip
    seen = status.of(ticket)
    wait = seen["range"]
    return {
        "number": ticket.number,
        "queue": ticket.queue.code,
        "state": ticket.state,
        "counter": ticket.counter.number if ticket.counter else None,
        "arrived_at": ticket.arrived_at,
        "near_turn_told": ticket.near_turn_told,
        "wait": wait
        and {
            "ahead": wait.ahead,
            "p10_minutes": wait.p10,
            "p50_minutes": wait.p50,
            "p90_minutes": wait.p90,
        },  # fmt: skip
    }


class CallOut(Schema):
    number: str
    counter: int
    called_at: datetime


class QueueWaiting(Schema):
    prefix: str
    name: Text
    waiting: int


class BoardOut(Schema):
    called: list[CallOut]
    waiting: list[QueueWaiting]


@router.get("/{centre}/board", response={200: BoardOut, **READ}, auth=DeviceKey("board"),
            summary="A display board: the latest calls, the waiting per queue")  # fmt: skip
def board(request: HttpRequest, centre: str):
    if request.device.hall.centre.code != centre:
        raise PermissionDenied
    shown = panel_context(request.device.hall)
    return {
        "called": [
            {"number": t.number, "counter": t.counter.number, "called_at": t.called_at}
            for t in shown["called"]
        ],
        "waiting": [
            {
                "prefix": q["queue__prefix"],
                "waiting": q["waiting"],
                "name": {"en": q["queue__name_en"], "zh": q["queue__name_zh"]},
            }
            for q in shown["queues"]
        ],  # fmt: skip
    }
