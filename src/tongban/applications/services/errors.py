"""Reading what a person typed into a case action: a bad value is a CaseError naming the field."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from tongban.core.moves import CaseError


def parse_day(value: str, field: str) -> date | None:
    """A date typed as YYYY-MM-DD, None when empty, or a CaseError naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CaseError(_("Give the date as YYYY-MM-DD."), field) from None
