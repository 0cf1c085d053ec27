"""The clerk's counter over the API: sign in, call next, serve, finish, transfer, close."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.security import django_auth

from tongban.applications.models import Application
from tongban.core.moves import CaseError

from .. import counters, tickets
from ..models import Counter, Hall, MatterGroup, Ticket
from .schemas import READ, WRITE, CounterOut, TicketOut, counter_out, ticket_out

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
