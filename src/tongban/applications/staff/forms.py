"""The staff pages' filter forms, and the names of the states they show."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalogue.models import Department

from .. import states


def state_label(code: str) -> str:
    """A state's name on the pages, in the current language."""
    return _(states.LABELS[code]) if code in states.LABELS else code


class CentreFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)
    matter = forms.CharField(label=gettext_lazy("Matter code"), max_length=80, required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    submitted_from = forms.DateField(
        label=gettext_lazy("Submitted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = forms.DateField(
        label=gettext_lazy("Submitted until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Only with an overdue matter"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["state"].choices = any_ + [
            (s, state_label(s)) for s in sorted(states.APPLICATION.states - {"draft"})
        ]
        self.fields["department"].choices = any_ + [
            (d.code, d.name) for d in Department.objects.order_by("code")
        ]


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Submitted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("Submitted until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
