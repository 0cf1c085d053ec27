"""The shared data of an application: its fields, who fills which, and their checks."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.accounts.profile import applicant_profile
from tongban.core.identity import clean_credit_code, clean_resident_id

from ..models import Application


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    required: bool
    who: str  # "person", "enterprise" or "any"
    autocomplete: str = ""


FIELDS = (
    Field("enterprise_name", _("Enterprise name"), True, "enterprise", "organization"),
    Field("credit_code", _("Unified social credit code"), True, "enterprise"),
    Field("full_name", _("Name of the applicant or legal representative"), True, "any", "name"),
    Field("id_number", _("Resident ID number"), True, "person"),
    Field("phone", _("Contact phone"), True, "any", "tel"),
    Field("address", _("Address of the premises or residence"), True, "any", "street-address"),
    Field("floor_area", _("Floor area (m²)"), False, "enterprise"),
)


def fields_for(application: Application) -> list[Field]:
    kind = application.applicant.kind
    return [f for f in FIELDS if f.who in ("any", kind)]


def prefill(user, answers: dict) -> dict[str, str]:
    """The shared data a new application starts with: the applicant's profile, and the
    floor area when the guidance asked for it."""
    data = applicant_profile(user)
    for question in ("floor_area", "area"):
        value = answers.get(question)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            data["floor_area"] = str(value)
    return data


def clean_data(application: Application, raw: dict[str, Any]) -> tuple[dict, dict]:
    """The shared fields, cleaned: (data, errors by field). Empty fields are kept empty."""
    data, errors = {}, {}
    for field in fields_for(application):
        value = str(raw.get(field.key, "") or "").strip()[:300]
        if value and field.key == "credit_code":
            try:
                value = clean_credit_code(value)
            except ValidationError as error:
                errors[field.key] = error.messages[0]
        elif value and field.key == "id_number":
            try:
                value = clean_resident_id(value)
            except ValidationError as error:
                errors[field.key] = error.messages[0]
        elif value and field.key == "floor_area":
            try:
                area = float(value)
                if not 0 < area < 1_000_000:
                    raise ValueError
            except ValueError:
                errors[field.key] = str(_("Give the floor area in square metres, e.g. 120."))
        data[field.key] = value
    return data, errors
