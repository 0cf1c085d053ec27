"""Paying the fees of a decided application through a payment adapter.

A backend has one call: ``charge`` takes the amount of a payment and returns the payment
provider's reference. ``DemoPayments`` stands in for the provider (a unified public payment
platform in production): it accepts every payment and numbers it itself.
"""

import secrets
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move
from tongban.notifications.services import notify

from . import access, states
from .models import Application, Payment
from .services import CaseError, clocks


class PaymentBackend(Protocol):
    name: str

    def charge(self, payment: Payment) -> str: ...


class DemoPayments:
    """Accepts every payment at once; references shaped like a provider's."""

    name = "demo-pay"

    def charge(self, payment: Payment) -> str:
        return f"DP{clocks.today():%Y%m%d}{secrets.randbelow(10**8):08d}"


BACKENDS: dict[str, PaymentBackend] = {DemoPayments.name: DemoPayments()}
DEFAULT_BACKEND = DemoPayments.name


def pay(application: Application, user) -> Payment:
    """The applicant pays the fees due; a receipt is numbered and the centre told."""
    access.require(application.applicant_id == user.pk)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(application=application).first()
        if payment is None or payment.state != states.PAYMENT.initial:
            raise CaseError(_("Nothing is due on this application."))
        backend = BACKENDS[DEFAULT_BACKEND]
        reference = backend.charge(payment)
        receipt = f"F{clocks.today():%Y%m%d}{secrets.randbelow(10**6):06d}"
        move(payment, states.PAYMENT, "pay", user, paid_at=clocks.now(), backend=backend.name,
             reference=reference, receipt=receipt)  # fmt: skip
        notify(application.applicant, application,
               _("You paid %(amount)s yuan for %(number)s; receipt %(receipt)s."),
               amount=payment.amount, number=application.number, receipt=receipt)  # fmt: skip
        for clerk in access.clerks(application.centre_id):
            notify(clerk, application,
                   _("%(number)s: the fees are paid; the results can be issued."),
                   number=application.number)  # fmt: skip
    return payment
