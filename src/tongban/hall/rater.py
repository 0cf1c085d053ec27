"""Rating a visit: the counter's rating tablet (a "rater" device bound to one counter) and
the visitor's rating page behind the ticket's QR code. Both work without JavaScript."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tongban.core.moves import CaseError
from tongban.ratings.models import Rating
from tongban.ratings.services import AlreadyRated

from . import rating
from .devices import device_page
from .models import Ticket
from .visitors import chinese_first


@device_page("rater")
def tablet(request: HttpRequest, centre: str) -> HttpResponse:
    device = request.device
    if device.hall.centre.code != centre or device.counter is None:
        raise PermissionDenied  # a tablet rates its own counter only
    chinese_first(request)
    if request.method == "POST":
        ticket = Ticket.objects.filter(counter=device.counter, token=_uuid(request.POST))
        _rate(request, ticket.first(), Rating.Source.RATER)
        return redirect(request.path)
    return render(request, "hall/rater.html", {
        "device": device, "counter": device.counter, "hall": device.hall,
        "ticket": rating.to_rate(device.counter),
    })  # fmt: skip


def _uuid(post) -> uuid.UUID | None:
    try:
        return uuid.UUID(post.get("ticket", ""))
    except ValueError:
        return None


def visit(request: HttpRequest, token) -> HttpResponse:
    """The visitor's rating page, open for some days after the visit (no sign-in: the
    token is its key)."""
    ticket = get_object_or_404(Ticket.objects.select_related("hall__centre", "counter"),
                               token=token)  # fmt: skip
    found = rating.rating_of(ticket)
    if found is None and rating.open_until(ticket) is None:
        raise Http404("This ticket was not served.")
    if request.method == "POST":
        _rate(request, ticket, Rating.Source.QR)
        return redirect("hall:rate", token=ticket.token)
    return render(request, "hall/rate.html", {
        "ticket": ticket, "hall": ticket.hall, "rating": found,
        "open": rating.can_rate(ticket), "until": rating.open_until(ticket),
    })  # fmt: skip


def _rate(request: HttpRequest, ticket: Ticket | None, source: str) -> None:
    if ticket is None:
        messages.warning(request, _("This visit can no longer be rated here."))
        return
    post = request.POST
    try:
        rating.rate(ticket, post.get("grade", ""), source, post.getlist("reasons"),
                    post.get("comment", ""))  # fmt: skip
    except AlreadyRated as error:
        messages.info(request, error.message)
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for rating the service."))
