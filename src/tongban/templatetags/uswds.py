"""Render Django form fields with the design system's classes and ARIA links."""

from django import template
from django.forms import BoundField

register = template.Library()

_WIDGET_CLASS = {
    "select": "usa-select",
    "selectmultiple": "usa-select",
    "textarea": "usa-textarea",
    "checkbox": "usa-checkbox__input",
    "radioselect": "usa-radio__input",
    "clearablefile": "usa-file-input",
    "file": "usa-file-input",
}


@register.filter
def uswds(field: BoundField) -> str:
    css = _WIDGET_CLASS.get(field.widget_type, "usa-input")
    if field.errors and css == "usa-input":
        css += " usa-input--error"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    described += [f"{field.auto_id}_error_{i}" for i in range(1, len(field.errors) + 1)]
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
