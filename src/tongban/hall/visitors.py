"""The visitor's side of the hall: the kiosk, a remote ticket from a phone, the status
page behind a ticket's QR code. Every page works without JavaScript."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalogue.models import Matter
from tongban.catalogue.queries import MatterFilter, find_matters, public_version
from tongban.core.identity import clean_resident_id
from tongban.core.moves import CaseError
from tongban.core.qr import qr_svg
from tongban.guidance.services import GuidanceUnavailable, InvalidSheet, read_sheet

from . import rating, status, tickets
from .devices import device_page
from .models import Hall, MatterGroup, Ticket

SEARCH_RESULTS = 8


def _hall(request: HttpRequest, centre: str) -> Hall:
    hall = get_object_or_404(Hall.objects.select_related("centre"), centre__code=centre)
    device = getattr(request, "device", None)
    if device is not None and device.hall_id != hall.pk:
        raise PermissionDenied  # a kiosk key serves its own hall only
    return hall


def _priority(hall: Hall, value: str) -> str:
    return value if hall.priority_rank(value) else ""


def chinese_first(request: HttpRequest) -> None:
    """A kiosk speaks Chinese until the visitor taps English."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate("zh-hans")
        request.LANGUAGE_CODE = "zh-hans"


@device_page("kiosk")
def kiosk(request: HttpRequest, centre: str) -> HttpResponse:
    hall = _hall(request, centre)
    chinese_first(request)
    if request.method == "POST":
        return _kiosk_issue(request, hall)
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if query:
        version = public_version()
        matters = (
            find_matters(version, MatterFilter(q=query))[: SEARCH_RESULTS * 3] if version else []
        )
        found = tickets.handled_here(hall, matters)[0][:SEARCH_RESULTS]
    return render(request, "hall/kiosk.html", {
        "hall": hall, "queues": tickets.served_queues(hall), "query": query, "found": found,
        "opens": tickets.closed_until(hall, timezone.now()),
    })  # fmt: skip


def _kiosk_issue(request: HttpRequest, hall: Hall) -> HttpResponse:
    data = request.POST
    matters, queue = [], None
    try:
        tickets.refuse_when_closed(hall, timezone.now())
        if data.get("sheet"):
            matters = _sheet_matters(request, hall, data["sheet"])
        elif data.get("matter"):
            matters = [get_object_or_404(Matter, version=public_version(), code=data["matter"])]
        else:
            queue = MatterGroup.objects.filter(code=data.get("queue", "")).first()
            if queue not in tickets.served_queues(hall):
                raise CaseError(_("Choose what you came for."))
        ticket = tickets.issue(hall, channel=Ticket.Channel.KIOSK, matters=matters, queue=queue,
                               priority=_priority(hall, data.get("priority", "")),
                               phone=_mobile(data.get("phone", "")))  # fmt: skip
    except CaseError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    return redirect("hall:kiosk_ticket", centre=hall.centre.code, token=ticket.token)


def _sheet_matters(request: HttpRequest, hall: Hall, scanned: str) -> list[Matter]:
    """The matters of a scanned guidance sheet (its link or token) that this hall handles."""
    token = scanned.strip().rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    try:
        plan = read_sheet(token).plan
    except (InvalidSheet, GuidanceUnavailable):
        raise CaseError(_("This code is not a guidance sheet of this site.")) from None
    codes = [planned.code for planned in plan.matters]
    matters = list(Matter.objects.filter(version=public_version(), code__in=codes))
    here, elsewhere = tickets.handled_here(hall, matters)
    if elsewhere:
        names = "、".join(matter.name for matter in elsewhere)
        messages.warning(request, _("Not handled at this centre: %(names)s.") % {"names": names})
    if not here:
        raise CaseError(_("Nothing on this sheet is handled at this centre."))
    return here


def _mobile(value: str) -> str:
    digits = "".join(value.split())
    if digits and not (digits.isdigit() and len(digits) == 11 and digits.startswith("1")):
        raise CaseError(_("Give an 11-digit mobile number, or leave it empty."), "phone")
    return digits


@device_page("kiosk")
def kiosk_ticket(request: HttpRequest, centre: str, token) -> HttpResponse:
    hall = _hall(request, centre)
    ticket = get_object_or_404(Ticket, hall=hall, token=token)
    chinese_first(request)
    url = request.build_absolute_uri(reverse("hall:status", args=[ticket.token]))
    qr = mark_safe(qr_svg(url, scale=4, title=_("Your ticket's status page")))  # noqa: S308 - segno's own SVG
    return render(request, "hall/kiosk_ticket.html",
                  _status_context(ticket) | {"qr": qr, "status_url": url})  # fmt: skip


def _status_context(ticket: Ticket) -> dict:
    return {"ticket": ticket, "hall": ticket.hall, "seen": status.of(ticket),
            "can_rate": rating.can_rate(ticket)}  # fmt: skip


def ticket_status(request: HttpRequest, token) -> HttpResponse:
    """The page behind a ticket's QR code: no sign-in, today's tickets only."""
    ticket = Ticket.objects.select_related("hall__centre", "queue", "counter").filter(token=token)
    ticket = ticket.filter(day=timezone.localdate()).first()
    if ticket is None:
        raise Http404("No such ticket today.")
    template = "hall/_status.html" if request.headers.get("HX-Request") else "hall/status.html"
    return render(request, template, _status_context(ticket))


class RemoteForm(forms.Form):
    queue = forms.ModelChoiceField(
        queryset=MatterGroup.objects.none(),
        label=gettext_lazy("What you come for"),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    resident_id = forms.CharField(
        label=gettext_lazy("Resident ID number"), required=False, max_length=20
    )
    phone = forms.CharField(label=gettext_lazy("Mobile number (for a text when your turn is near)"),
                            required=False, max_length=20)  # fmt: skip

    def __init__(self, *args, hall: Hall, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = MatterGroup.objects.filter(
            pk__in=[queue.pk for queue in tickets.served_queues(hall)]
        )
        if signed_in:
            del self.fields["resident_id"]

    def clean_resident_id(self) -> str:
        value = self.cleaned_data["resident_id"]
        if not value:
            raise ValidationError(_("Give your resident ID number, or log in."))
        return clean_resident_id(value)

    def clean_phone(self) -> str:
        try:
            return _mobile(self.cleaned_data["phone"])
        except CaseError as error:
            raise ValidationError(str(error.message)) from None


def remote(request: HttpRequest, centre: str) -> HttpResponse:
    """A ticket for today taken from a phone, signed in or with an ID number."""
    hall = _hall(request, centre)
    person = (
        request.user if request.user.is_authenticated and request.user.kind != "staff" else None
    )
    form = RemoteForm(request.POST or None, hall=hall, signed_in=person is not None)
    if request.method == "POST" and form.is_valid():
        given = person.id_number if person else form.cleaned_data["resident_id"]
        try:
            ticket = tickets.take_remote(
                hall,
                queue=form.cleaned_data["queue"],
                applicant=person,
                resident_id=given,
                phone=form.cleaned_data["phone"],
            )
        except CaseError as error:
            form.add_error(None, error.message)
        else:
            return redirect("hall:status", token=ticket.token)
    return render(request, "hall/remote.html", {
        "hall": hall, "form": form, "person": person,
        "opens": tickets.closed_until(hall, timezone.now()),
    })  # fmt: skip
