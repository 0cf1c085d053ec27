"""The display board of a hall: the tickets just called with their counter, and how many
wait in each queue. A board polls its panel every second; the answer is 304 until
something changed, so fifty boards cost fifty small queries a second and no writes."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import condition

from . import states, tickets
from .devices import device_page
from .models import Hall, Ticket

SHOWN = 8


def _hall(request: HttpRequest, centre: str) -> Hall:
    hall = request.device.hall
    if hall.centre.code != centre:
        raise PermissionDenied  # a board key shows its own hall only
    return hall


def version(request: HttpRequest, centre: str) -> str:
    """The panel's ETag: it changes only when what the board shows may have."""
    return tickets.day_digest(request.device.hall, timezone.localdate())


def panel_context(hall: Hall) -> dict:
    today = Ticket.objects.filter(hall=hall, day=timezone.localdate())
    called = (
        today.filter(state__in=states.HELD, called_at__isnull=False)
        .select_related("counter")
        .order_by("-called_at")[:SHOWN]
    )
    queues = (
        today.filter(state=states.WAITING)
        .values("queue__prefix", "queue__name_en", "queue__name_zh")
        .annotate(waiting=Count("id"))
        .order_by("queue__prefix")
    )
    return {"hall": hall, "called": list(called), "queues": list(queues)}


@device_page("board")
def board(request: HttpRequest, centre: str) -> HttpResponse:
    return render(request, "hall/board.html", panel_context(_hall(request, centre)))


@device_page("board")
@condition(etag_func=version)
def panel(request: HttpRequest, centre: str) -> HttpResponse:
    return render(request, "hall/_board.html", panel_context(_hall(request, centre)))
