"""Resident ID numbers and unified social credit codes, checked with python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)

_RIC_MESSAGES = {
    InvalidLength: _("A resident ID number has 18 characters."),
    InvalidFormat: _("A resident ID number is 17 digits followed by a digit or X."),
    InvalidComponent: _("The birth date or region in this resident ID number does not exist."),
    InvalidChecksum: _("This resident ID number's check digit is wrong: please check for typos."),
}
_USCC_MESSAGES = {
    InvalidLength: _("A unified social credit code has 18 characters."),
    InvalidFormat: _(
        "A unified social credit code has digits and capital letters only (no I, O, S, V or Z)."
    ),
    InvalidComponent: _(
        "This unified social credit code's registration authority or region is not valid."
    ),
    InvalidChecksum: _(
        "This unified social credit code's check character is wrong: please check for typos."
    ),
}


def _message(error: StdnumError, messages: dict) -> str:
    for kind, message in messages.items():
        if isinstance(error, kind):
            return message
    return next(iter(messages.values()))


def clean_resident_id(value: str) -> str:
    """The ID number in its compact form, or a ValidationError that says what is wrong."""
    try:
        return ric.validate("".join(value.split()).upper())
    except StdnumError as error:
        raise ValidationError(_message(error, _RIC_MESSAGES), code="invalid_resident_id") from None


def clean_credit_code(value: str) -> str:
    try:
        return uscc.validate(value)
    except StdnumError as error:
        raise ValidationError(_message(error, _USCC_MESSAGES), code="invalid_credit_code") from None


def mask_resident_id(value: str) -> str:
    """Keep the first three and last four characters: enough to recognise, not to reuse."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
