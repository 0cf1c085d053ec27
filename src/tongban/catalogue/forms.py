from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Audience, CatalogueVersion, Department, Event, Matter, Theme
from .queries import MatterFilter


class MatterSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    event = forms.ChoiceField(label=_("Life or business event"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any"))] + Matter.Type.choices
    )
    audience = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Anyone"))] + Audience.choices
    )
    city_wide = forms.BooleanField(label=_("Handled at any centre in the city"), required=False)
    on_the_spot = forms.BooleanField(label=_("Done on the spot"), required=False)
    online = forms.BooleanField(label=_("Can be applied for online"), required=False)

    def __init__(self, *args, version: CatalogueVersion, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        departments = Department.objects.filter(region=version.district)
        self.fields["department"].choices = any_ + [(d.code, d.name) for d in departments]
        self.fields["theme"].choices = any_ + [(t.code, t.name) for t in Theme.objects.all()]
        self.fields["event"].choices = any_ + [(e.code, e.name) for e in Event.objects.all()]

    def wanted(self) -> MatterFilter:
        data = self.cleaned_data
        return MatterFilter(
            q=data["q"].strip(),
            department=data["department"],
            theme=data["theme"],
            event=data["event"],
            type=data["type"],
            audience=data["audience"],
            city_wide=True if data["city_wide"] else None,
            on_the_spot=True if data["on_the_spot"] else None,
            online=True if data["online"] else None,
        )

    def query_string(self) -> str:
        """The filters as a query string, for the pages of the results."""
        return urlencode({k: v for k, v in self.data.items() if k != "page" and v})

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, for the summary above the results."""
        active = []
        for name in ("department", "theme", "event", "type", "audience"):
            value = self.cleaned_data[name]
            if value:
                active.append((self.fields[name].label, dict(self.fields[name].choices)[value]))
        for name in ("city_wide", "on_the_spot", "online"):
            if self.cleaned_data[name]:
                active.append((self.fields[name].label, _("yes")))
        return active
