"""Getting issued results to the applicant: pickup with a code, or post through a carrier.

A carrier is an adapter with two calls: ``dispatch`` hands a parcel over and returns its
tracking number, ``track`` returns the events known so far. ``DemoCarrier`` stands in for
EMS: it numbers parcels itself and moves each one a step on every ``track`` call.
"""

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move
from tongban.notifications.services import notify

from . import access, states
from .models import Application, Delivery
from .services import clocks
from .services.errors import CaseError


@dataclass(frozen=True)
class CarrierEvent:
    state: str  # a delivery state: in_transit, delivered or returned
    text: str


class Carrier(Protocol):
    name: str

    def dispatch(self, delivery: Delivery) -> str: ...

    def track(self, delivery: Delivery) -> list[CarrierEvent]: ...


class DemoCarrier:
    """Assigns EMS-shaped tracking numbers; parcels arrive after two look-ups."""

    name = "ems-demo"
    route = (
        CarrierEvent("in_transit", "Collected by EMS at the service centre"),
        CarrierEvent("delivered", "Delivered and signed for"),
    )

    def dispatch(self, delivery: Delivery) -> str:
        return f"EM{secrets.randbelow(10**9):09d}CN"

    def track(self, delivery: Delivery) -> list[CarrierEvent]:
        seen = sum(1 for event in delivery.events if event.get("carrier"))
        return list(self.route[: seen + 1])


CARRIERS: dict[str, Carrier] = {DemoCarrier.name: DemoCarrier()}
DEFAULT_CARRIER = DemoCarrier.name


def _event(delivery: Delivery, text: str, carrier: bool = False) -> None:
    delivery.events = [
        *delivery.events,
        {"at": clocks.now().isoformat(timespec="seconds"), "state": delivery.state,
         "text": text, "carrier": carrier},
    ]  # fmt: skip


def start(application: Application, user) -> Delivery:
    """Called at issue: pickup gets a code and is ready; post is dispatched to the carrier."""
    delivery = Delivery.objects.create(
        application=application,
        method=application.delivery_method,
        address=application.delivery_address,
    )
    if delivery.method == Delivery.Method.PICKUP:
        _make_ready(delivery, user)
    else:
        carrier = CARRIERS[DEFAULT_CARRIER]
        delivery.carrier = carrier.name
        delivery.tracking_number = carrier.dispatch(delivery)
        move(delivery, states.DELIVERY, "dispatch", user)
        _event(delivery, f"Handed to {carrier.name}: {delivery.tracking_number}")
        delivery.save(update_fields=["events", "carrier", "tracking_number"])
        notify(application.applicant, application,
               _("Your results are on their way by EMS, tracking number %(tracking)s."),
               tracking=delivery.tracking_number)  # fmt: skip
    return delivery


def _make_ready(delivery: Delivery, user) -> None:
    delivery.pickup_code = f"{secrets.randbelow(10**6):06d}"
    move(delivery, states.DELIVERY, "make_ready", user)
    _event(delivery, "Ready at the delivery counter")
    delivery.save(update_fields=["events", "pickup_code"])
    notify(delivery.application.applicant, delivery.application,
           _("Your results are ready at the delivery counter. Pickup code: %(code)s."),
           code=delivery.pickup_code)  # fmt: skip


def collect(application: Application, clerk, code: str) -> None:
    """The applicant collects at the delivery counter, showing the pickup code."""
    access.require(access.is_clerk(clerk) and clerk.centre_id == application.centre_id)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(application=application).first()
        if delivery is None or not states.DELIVERY.allows(delivery.state, "collect"):
            raise CaseError(_("Nothing is waiting for pickup on this application."))
        if not secrets.compare_digest(delivery.pickup_code.encode(), code.strip().encode()):
            raise CaseError(_("That pickup code is wrong."), "code")
        move(delivery, states.DELIVERY, "collect", clerk)
        _event(delivery, "Collected")
        delivery.save(update_fields=["events"])
        move(application, states.APPLICATION, "complete", clerk)


def refresh(application: Application, user) -> Delivery:
    """Centre staff ask the carrier for news of an application's parcel."""
    access.require(access.is_centre_staff(user, application))
    parcel = Delivery.objects.filter(application=application).first()
    if parcel is None or parcel.state not in states.WITH_THE_POST:
        raise CaseError(_("Nothing of this application is on its way by post."))
    return track(parcel)


def track(delivery: Delivery) -> Delivery:
    """Ask the carrier what happened since we last asked, and move the delivery along."""
    carrier = CARRIERS.get(delivery.carrier)
    if carrier is None or delivery.state not in states.WITH_THE_POST:
        return delivery
    known = sum(1 for event in delivery.events if event.get("carrier"))
    with transaction.atomic():
        for event in carrier.track(delivery)[known:]:
            action = {"in_transit": "carry", "delivered": "deliver", "returned": "return"}
            move(delivery, states.DELIVERY, action[event.state], None)
            _event(delivery, event.text, carrier=True)
            delivery.save(update_fields=["events"])
            if delivery.state == "delivered":
                application = Application.objects.select_for_update().get(
                    pk=delivery.application_id
                )
                move(application, states.APPLICATION, "complete", None)
            if delivery.state == "returned":
                notify(delivery.application.applicant, delivery.application,
                       _("The post could not deliver your results; collect them at the "
                         "delivery counter."))  # fmt: skip
                _make_ready(delivery, None)
    return delivery


def track_all() -> int:
    moved = 0
    for delivery in Delivery.objects.filter(state__in=sorted(states.WITH_THE_POST)):
        before = delivery.state
        moved += track(delivery).state != before
    return moved
