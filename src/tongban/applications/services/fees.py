"""Fees (收费): what an approved matter costs, assessed by its reviewer; billed when the
application is decided and paid before the results are issued (``payments``)."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import Matter
from tongban.notifications.services import notify

from .. import states
from ..models import Application, Payment
from .errors import CaseError

MOST = Decimal("10000000")


def parse_fee(value: str) -> Decimal | None:
    """A fee typed in yuan, None when empty, or a CaseError naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CaseError(_("Give the fee in yuan, for example 80 or 80.00."), "fee") from None


def assess(matter: Matter, fee: Decimal | None) -> Decimal | None:
    """The fee due for an approved matter: None when the catalogue lists no fee for it; the
    reviewer's amount, or the catalogue's when it lists exactly one fixed amount."""
    listed = list(matter.fees.all())
    if not listed:
        return None
    if fee is None:
        if len(listed) == 1 and listed[0].amount is not None:
            return listed[0].amount
        raise CaseError(_("Assess the fee due: the catalogue lists several fees or an amount "
                          "that varies for this matter."), "fee")  # fmt: skip
    if not fee.is_finite() or not 0 <= fee < MOST:
        raise CaseError(_("Give the fee in yuan, 0 or more."), "fee")
    return fee.quantize(Decimal("0.01"))


def bill(application: Application) -> Payment | None:
    """Called when the application is decided: the fees of its approved matters, due before
    the issue; None when nothing is due (zero-fee matters skip paying)."""
    lines = [
        {"matter": t.matter.code, "name": {"en": t.matter.name_en, "zh": t.matter.name_zh},
         "amount": t.result["fee"]}
        for t in application.matters.filter(state="approved", lead=True).select_related("matter")
        if Decimal(t.result.get("fee") or 0) > 0
    ]  # fmt: skip
    if not lines:
        return None
    total = sum(Decimal(line["amount"]) for line in lines)
    payment = Payment.objects.create(application=application, lines=lines, amount=total)
    notify(application.applicant, application,
           _("%(number)s is decided: %(amount)s yuan of fees are due before the results are "
             "issued."), number=application.number, amount=total)  # fmt: skip
    return payment


def require_paid(application: Application) -> None:
    """Results are issued only once the fees due are paid."""
    if Payment.objects.filter(application=application, state=states.PAYMENT.initial).exists():
        raise CaseError(_("The fees due must be paid before the results are issued."))
