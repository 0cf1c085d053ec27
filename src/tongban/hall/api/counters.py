"""The clerk's counter over the API: sign in, call next, serve, finish, transfer, close; cases
taken for the visitor, related matters, what the visitor brings."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from tongban.applications.api.schemas import FILE_REQUIRED, CaseProblem
from tongban.applications.models import Application
from tongban.core.moves import CaseError
from tongban.problems import problem

from .. import counters, handlings, tickets
from ..models import Counter, Hall, MatterGroup, Ticket
from .schemas import (
    READ,
    WRITE,
    AcceptedOut,
    CaseOut,
    CounterOut,
    RelatedOut,
    SheetOut,
    TicketOut,
    case_out,
    counter_out,
    handling_out,
    matter_ref,
    ticket_out,
)

router = Router(tags=["hall: counters"], auth=django_auth)


class Called(Schema):
    ticket: TicketOut | None
    message: str


class FinishIn(Schema):
    outcome: str
    result: str = ""
    application: str = ""


class TransferIn(Schema):
    queue: str = ""
    counter: int | None = None


def _hall(request: HttpRequest) -> Hall:
    if not request.user.has_perm("accounts.work_at_counter"):
        raise PermissionDenied
    return get_object_or_404(Hall, centre_id=request.user.centre_id)


def _counter(request: HttpRequest, pk: int) -> Counter:
    return get_object_or_404(Counter, pk=pk, hall=_hall(request))


def _ticket(request: HttpRequest, pk: int) -> Ticket:
    return get_object_or_404(Ticket, pk=pk, hall=_hall(request))


@router.get("/counters", response={200: list[CounterOut], **READ},
            summary="The counters of the clerk's hall")  # fmt: skip
def counter_list(request: HttpRequest):
    rows = _hall(request).counters.select_related("clerk").prefetch_related("skills")
    return [counter_out(counter) for counter in rows]


@router.post("/counters/{pk}/sign-in", response={200: CounterOut, **WRITE},
             summary="Sign in to a counter and open it (one clerk per counter)")  # fmt: skip
def sign_in(request: HttpRequest, pk: int):
    return counter_out(counters.sign_in(_counter(request, pk), request.user))


@router.post("/counters/{pk}/close", response={200: CounterOut, **WRITE},
             summary="Close the counter; a called ticket waits again as it was")  # fmt: skip
def close(request: HttpRequest, pk: int):
    return counter_out(counters.close(_counter(request, pk), request.user))


@router.post("/counters/{pk}/call-next", response={200: Called, **WRITE},
             summary="Call the next ticket the dispatch policy gives this counter")  # fmt: skip
def call_next(request: HttpRequest, pk: int):
    ticket = tickets.call_next(_counter(request, pk), request.user)
    if ticket is None:
        return {"ticket": None, "message": str(_("Nobody is waiting for this counter."))}
    message = _("Called %(number)s.") % {"number": ticket.number}
    return {"ticket": ticket_out(ticket), "message": str(message)}


def _moved(move):
    def view(request: HttpRequest, pk: int):
        return ticket_out(move(_ticket(request, pk), request.user))

    view.__name__ = move.__name__
    return view


for _action, _summary in (
    ("recall", "Call the visitor again; past the centre's limit the ticket is a no-show"),
    ("start", "The visitor is at the counter: start serving"),
    ("park", "Park the ticket (the visitor fetches a document)"),
    ("resume", "Resume a parked ticket at its counter"),
):
    router.post(f"/tickets/{{pk}}/{_action}", response={200: TicketOut, **WRITE},
                summary=_summary)(_moved(getattr(tickets, _action)))  # fmt: skip


@router.post("/tickets/{pk}/finish", response={200: TicketOut, **WRITE},
             summary="Finish with an outcome; finishing again returns the same ticket")  # fmt: skip
def finish(request: HttpRequest, pk: int, body: FinishIn):
    application = None
    if body.application:
        application = Application.objects.filter(number=body.application).first()
        if application is None:
            raise CaseError(_("No case has this number."), "application")
    ticket = tickets.finish(_ticket(request, pk), request.user, body.outcome,
                            result=body.result, application=application)  # fmt: skip
    return ticket_out(ticket)


@router.post("/tickets/{pk}/transfer", response={200: TicketOut, **WRITE},
             summary="Transfer to another queue or counter, keeping the arrival time")  # fmt: skip
def transfer(request: HttpRequest, pk: int, body: TransferIn):
    ticket = _ticket(request, pk)
    queue = get_object_or_404(MatterGroup, code=body.queue) if body.queue else None
    counter = _counter(request, body.counter) if body.counter is not None else None
    return ticket_out(tickets.transfer(ticket, request.user, queue=queue, counter=counter))


class BeneficiaryIn(Schema):
    relation: str
    name: str = ""
    id_number: str = ""
    district: str = ""


class CaseIn(Schema):
    resident_id: str
    matters: list[str]
    name: str = ""
    district: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    beneficiaries: dict[str, BeneficiaryIn] = {}


class AcceptIn(Schema):
    commitment: bool = False
    refusals: dict[str, str] = {}


class ScanIn(Schema):
    scan: str


@router.post("/tickets/{pk}/cases", response={201: CaseOut, **WRITE},
             summary="Take an application for the visitor by resident ID number, for "
                     "matters of the visit (a family member's with its beneficiary)")  # fmt: skip
def start_case(request: HttpRequest, pk: int, body: CaseIn):
    beneficiaries = {
        code: handlings.Beneficiary(**b.dict()) for code, b in body.beneficiaries.items()
    }
    case = handlings.start_case(
        _ticket(request, pk), request.user, body.resident_id, body.matters, name=body.name,
        district=body.district, phone=body.phone, address=body.address, email=body.email,
        beneficiaries=beneficiaries,
    )  # fmt: skip
    return Status(201, case_out(case))


@router.post("/tickets/{pk}/cases/{number}/materials",
             response={201: CaseOut, **WRITE, 413: CaseProblem}, openapi_extra=FILE_REQUIRED,
             summary="Scan a material the visitor shows into the case")  # fmt: skip
def scan_material(request: HttpRequest, pk: int, number: str, material: Form[str],
                  file: File[UploadedFile] = None):  # type: ignore[assignment]  # fmt: skip
    too_large = getattr(request, "upload_errors", {}).get("file")
    if too_large:
        return problem(request, 413, str(too_large), field="file")
    if file is None:
        raise CaseError(_("Choose a file to upload."), "file")
    ticket = _ticket(request, pk)
    handlings.scan_material(ticket, request.user, number, material, file, file.name)
    return Status(201, case_out(handlings.open_case(ticket, number)))


@router.post("/tickets/{pk}/cases/{number}/accept", response={200: AcceptedOut, **WRITE},
             summary="Submit and accept the case on the spot; its matters are handled")  # fmt: skip
def accept_case(request: HttpRequest, pk: int, number: str, body: AcceptIn):
    ticket = _ticket(request, pk)
    made = handlings.accept_case(ticket, request.user, number, commitment=body.commitment,
                                 refusals=body.refusals or None)  # fmt: skip
    ticket.refresh_from_db()
    return {"case": case_out(handlings.open_case(ticket, number)),
            "handlings": [handling_out(h) for h in made], "ticket": ticket_out(ticket)}  # fmt: skip


@router.get("/tickets/{pk}/related", response={200: list[RelatedOut], **READ},
            summary="Other matters of the life events of the visit's matters")  # fmt: skip
def related(request: HttpRequest, pk: int):
    ticket = _ticket(request, pk)
    if ticket.counter is None or ticket.counter.clerk_id != request.user.pk:
        raise CaseError(_("This ticket is not at your counter."))
    return [
        {"event": group.event.code, "name": {"en": group.event.name_en, "zh": group.event.name_zh},
         "here": [matter_ref(m) for m in group.here],
         "elsewhere": [matter_ref(m) for m in group.elsewhere]}
        for group in handlings.related(ticket, ticket.counter)
    ]  # fmt: skip


@router.post("/tickets/{pk}/sheet", response={200: SheetOut, **WRITE},
             summary="Add the matters of the guidance sheet the visitor brings (its QR link "
                     "or token)")  # fmt: skip
def add_sheet(request: HttpRequest, pk: int, body: ScanIn):
    sheet = handlings.add_sheet(_ticket(request, pk), request.user, body.scan)
    ticket = _ticket(request, pk)
    return {
        "ticket": ticket_out(ticket),
        "added": [m.code for m in sheet.added],
        "not_here": [m.code for m in sheet.not_here],
        "materials": [{"name": item.name, "originals": item.originals, "copies": item.copies,
                       "principal": item.principal, "matters": item.matters}
                      for item in sheet.plan.materials],
    }  # fmt: skip


@router.get("/cases/{number}", response={200: CaseOut, **READ},
            summary="A case the visitor brings, by its number (staff access rules)")  # fmt: skip
def case(request: HttpRequest, number: str):
    _hall(request)
    return case_out(handlings.find_case(request.user, number))
