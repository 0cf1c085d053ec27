"""The manager's devices: the hall's kiosks, boards and rating tablets; create one (its key
shown once on the answer page, only its hash kept) and revoke one (at once). Creation and
revocation are audited by the registry with the manager as actor."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.moves import CaseError

from . import devices
from .manager import _hall, manager_page
from .models import Counter, Device, Hall


class DeviceForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Device.Role.choices)
    name = forms.CharField(label=gettext_lazy("Name (where it stands)"), max_length=80)
    counter = forms.ModelChoiceField(
        queryset=Counter.objects.none(), required=False, label=gettext_lazy("Counter"),
        help_text=gettext_lazy("A rating tablet only: the counter it stands at."),
    )  # fmt: skip

    def __init__(self, *args, hall: Hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counter"].queryset = Counter.objects.filter(hall=hall)


@login_required
@manager_page
@require_http_methods(["GET", "POST"])
def device_list(request: HttpRequest) -> HttpResponse:
    hall = _hall(request)
    form = DeviceForm(request.POST or None, hall=hall)
    made = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device, key = devices.create(hall, data["role"], data["name"], data["counter"])
        except CaseError as error:
            form.add_error(error.field or None, error.message)
        else:
            page = reverse(f"hall:{device.role}", args=[hall.centre.code])
            made = {"device": device, "key": key,
                    "page": request.build_absolute_uri(f"{page}?key={key}")}  # fmt: skip
            form = DeviceForm(hall=hall)
    found = Device.objects.filter(hall=hall).select_related("counter")
    response = render(request, "hall/devices.html", {
        "hall": hall, "devices": found, "form": form, "made": made,
    })  # fmt: skip
    if made:
        response["Cache-Control"] = "no-store"  # the key is shown once
    return response


@login_required
@manager_page
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device, pk=pk, hall=_hall(request))
    devices.revoke(device)
    messages.success(request, _("%(device)s is revoked: its key no longer works.")
                     % {"device": device.name})  # fmt: skip
    return redirect("hall:devices")
