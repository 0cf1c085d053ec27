"""The one error a case action raises when the case does not allow it now."""

from datetime import date

from django.utils.translation import gettext_lazy as _


class CaseError(Exception):
    """An action the case does not allow now, with a message for the person who tried."""

    def __init__(self, message, field: str = ""):
        self.message, self.field = message, field
        super().__init__(str(message))


def parse_day(value: str, field: str) -> date | None:
    """A date typed as YYYY-MM-DD, None when empty, or a CaseError naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CaseError(_("Give the date as YYYY-MM-DD."), field) from None
