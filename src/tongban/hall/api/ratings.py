"""Ratings over the API: the counter's rating tablet (its device key), the visitor's rating
by ticket token, and the centre manager's follow-ups and devices."""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from tongban.core.moves import CaseError
from tongban.ratings import services as ratings
from tongban.ratings.models import FollowUp, Rating
from tongban.ratings.schemas import FollowUpOut, RatingIn, RatingOut, follow_up_out, rating_out
from tongban.schemas import Problem

from .. import devices, rating
from ..devices import DeviceKey
from ..models import Device, Hall, Ticket
from .schemas import READ, WRITE

router = Router(tags=["hall: ratings"])


class RateIn(RatingIn):
    ticket: UUID = Field(description="The token of the ticket shown to rate")


class ToRateOut(Schema):
    counter: int
    ticket: str | None = Field(description="The number of the ticket to rate, if any")
    token: UUID | None
    finished_at: datetime | None


class VisitOut(Schema):
    number: str
    open: bool = Field(description="Whether the visit may still be rated")
    open_until: datetime | None
    rating: RatingOut | None


class StepIn(Schema):
    action: str = Field(description="revisit, verify, rectify, close, or exclude the rating")
    note: str = ""


class DeviceIn(Schema):
    role: str = Field(description="kiosk, board or rater")
    name: str
    counter: int | None = Field(None, description="A rater's counter number")


class DeviceOut(Schema):
    id: int
    role: str
    name: str
    counter: int | None
    key_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewDeviceOut(DeviceOut):
    key: str = Field(description="Shown once: only its hash is kept")


def _device_out(device: Device) -> dict:
    return {
        "id": device.pk, "role": device.role, "name": device.name,
        "counter": device.counter.number if device.counter else None,
        "key_prefix": device.key_prefix[:6], "created_at": device.created_at,
        "last_used_at": device.last_used_at, "revoked_at": device.revoked_at,
    }  # fmt: skip


@router.get("/rater/ticket", response={200: ToRateOut, **READ}, auth=DeviceKey("rater"),
            summary="A rating tablet: the ticket just finished there, if unrated")  # fmt: skip
def to_rate(request: HttpRequest):
    counter = request.device.counter
    if counter is None:
        raise PermissionDenied
    ticket = rating.to_rate(counter)
    if ticket is None:
        return {"counter": counter.number, "ticket": None, "token": None, "finished_at": None}
    return {"counter": counter.number, "ticket": ticket.number, "token": ticket.token,
            "finished_at": ticket.finished_at}  # fmt: skip


@router.post("/rater/rating", response={201: RatingOut, **WRITE}, auth=DeviceKey("rater"),
             summary="A rating tablet: the grade of the ticket finished there")  # fmt: skip
def rate_at_counter(request: HttpRequest, body: RateIn):
    ticket = get_object_or_404(Ticket.objects.select_related("hall__centre"),
                               token=body.ticket, counter=request.device.counter)  # fmt: skip
    found = rating.rate(ticket, body.grade, Rating.Source.RATER, body.reasons, body.comment)
    return Status(201, rating_out(found))


def _visit(token: UUID) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("hall__centre"), token=token)


@router.get("/tickets/{token}/rating", response={200: VisitOut, **READ}, auth=None,
            summary="Whether a visit may be rated, and its rating")  # fmt: skip
def visit_rating(request: HttpRequest, token: UUID):
    ticket = _visit(token)
    found = rating.rating_of(ticket)
    return {"number": ticket.number, "open": rating.can_rate(ticket),
            "open_until": rating.open_until(ticket),
            "rating": rating_out(found) if found else None}  # fmt: skip


@router.post("/tickets/{token}/rating", response={201: RatingOut, 400: Problem, **WRITE},
             auth=None,
             summary="Rate a finished visit once, from the ticket's QR code")  # fmt: skip
def rate_visit(request: HttpRequest, token: UUID, body: RatingIn):
    found = rating.rate(_visit(token), body.grade, Rating.Source.QR, body.reasons, body.comment)
    return Status(201, rating_out(found))


def _managed(request: HttpRequest) -> Hall:
    if not request.user.has_perm("accounts.manage_centre"):
        raise PermissionDenied
    return get_object_or_404(Hall.objects.select_related("centre"),
                             centre_id=request.user.centre_id)  # fmt: skip


@router.get("/manage/follow-ups", response={200: list[FollowUpOut], **READ}, auth=django_auth,
            summary="The centre's open follow-ups of bad ratings, overdue first")  # fmt: skip
def follow_up_list(request: HttpRequest):
    today = timezone.localdate()
    rows = [follow_up_out(f, today) for f in ratings.open_follow_ups(_managed(request).centre)]
    return sorted(rows, key=lambda row: (not row["overdue"], row["due_on"]))


@router.post("/manage/follow-ups/{pk}", response={200: FollowUpOut, **WRITE}, auth=django_auth,
             summary="Move a follow-up, close it (with a note) or exclude its rating")  # fmt: skip
def follow_up_step(request: HttpRequest, pk: int, body: StepIn):
    centre = _managed(request).centre
    follow_up = get_object_or_404(FollowUp, pk=pk, rating__centre=centre)
    if body.action == "exclude":
        ratings.exclude(follow_up.rating, request.user, body.note)
    else:
        ratings.step(follow_up, body.action, request.user, body.note)
    follow_up = FollowUp.objects.select_related("rating").get(pk=pk)
    return follow_up_out(follow_up, timezone.localdate())


@router.get("/manage/devices", response={200: list[DeviceOut], **READ}, auth=django_auth,
            summary="The hall's kiosks, boards and rating tablets")  # fmt: skip
def device_list(request: HttpRequest):
    found = Device.objects.filter(hall=_managed(request)).select_related("counter")
    return [_device_out(device) for device in found]


@router.post("/manage/devices", response={201: NewDeviceOut, **WRITE}, auth=django_auth,
             summary="Create a device; its key is in this answer only")  # fmt: skip
def device_create(request: HttpRequest, body: DeviceIn):
    hall = _managed(request)
    counter = None
    if body.counter is not None:
        counter = hall.counters.filter(number=body.counter).first()
        if counter is None:
            raise CaseError(_("Choose a counter of this hall."), "counter")
    device, key = devices.create(hall, body.role, body.name, counter)
    return Status(201, _device_out(device) | {"key": key})


@router.post("/manage/devices/{pk}/revoke", response={200: DeviceOut, **WRITE},
             auth=django_auth, summary="Revoke a device: its key stops at once")  # fmt: skip
def device_revoke(request: HttpRequest, pk: int):
    device = get_object_or_404(Device, pk=pk, hall=_managed(request))
    return _device_out(devices.revoke(device))
