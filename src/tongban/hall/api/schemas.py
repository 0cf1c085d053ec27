from datetime import datetime
from uuid import UUID

from ninja import Schema

from tongban.applications.api.schemas import READ, WRITE, Text
from tongban.core.identity import mask_resident_id

__all__ = [
    "READ",
    "WRITE",
    "AcceptedOut",
    "CaseOut",
    "CounterOut",
    "RelatedOut",
    "SheetOut",
    "Text",
    "TicketOut",
]


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


class MatterRef(Schema):
    code: str
    name: Text
    city_wide: bool


class LineOut(Schema):
    key: str
    name: Text
    principal: bool
    scanned: bool
    status: str


class CaseOut(Schema):
    number: str
    state: str
    channel: str
    centre: str
    counter_number: int | None
    applicant: str  # the resident ID number, masked
    matters: list[str]
    materials: list[LineOut]


class HandlingOut(Schema):
    matter: str
    outcome: str
    application: str | None
    city_wide: bool


class AcceptedOut(Schema):
    case: CaseOut
    handlings: list[HandlingOut]
    ticket: TicketOut


class RelatedOut(Schema):
    event: str
    name: Text
    here: list[MatterRef]
    elsewhere: list[MatterRef]


class SheetMaterial(Schema):
    name: Text
    originals: int
    copies: int
    principal: bool
    matters: list[str]


class SheetOut(Schema):
    ticket: TicketOut
    added: list[str]
    not_here: list[str]
    materials: list[SheetMaterial]


def matter_ref(matter) -> dict:
    return {"code": matter.code, "name": {"en": matter.name_en, "zh": matter.name_zh},
            "city_wide": matter.city_wide}  # fmt: skip


def case_out(application) -> dict:
    return {
        "number": application.number,
        "state": application.state,
        "channel": application.channel,
        "centre": application.centre.code,
        "counter_number": application.counter_number,
        "applicant": mask_resident_id(application.applicant.id_number or ""),
        "matters": [task.matter.code for task in
                    application.matters.filter(lead=True).select_related("matter")],
        "materials": [
            {"key": line.key, "name": {"en": line.name_en, "zh": line.name_zh},
             "principal": line.principal, "scanned": line.document_id is not None,
             "status": line.status}
            for line in application.materials.all()
        ],
    }  # fmt: skip


def handling_out(handling) -> dict:
    return {"matter": handling.matter.code, "outcome": handling.outcome,
            "application": handling.application.number if handling.application_id else None,
            "city_wide": handling.city_wide}  # fmt: skip
