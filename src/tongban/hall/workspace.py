"""The clerk's counter: sign in to a counter, call, serve and finish visitors.

Every action is a plain POST that redirects back to the workspace (htmx swaps the panel
when JavaScript runs); a rule the ticket does not allow comes back as a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tongban.applications.models import Application, ApplicationMatter
from tongban.catalogue.models import Matter, Region
from tongban.catalogue.queries import public_version
from tongban.core.identity import mask_resident_id
from tongban.core.moves import CaseError

from . import counters, handlings, states, tickets
from .models import Counter, Hall, MatterGroup, Ticket

SHEET = "hall_sheet"  # the session key of the sheet scanned for the ticket served

clerk_page = permission_required("accounts.work_at_counter", raise_exception=True)


def _hall(request: HttpRequest) -> Hall:
    """The hall of the staff member's centre (404 for a centre without one)."""
    return get_object_or_404(Hall, centre_id=request.user.centre_id)


def _counter(request: HttpRequest) -> Counter | None:
    return Counter.objects.filter(clerk=request.user).select_related("hall__centre").first()


def _current(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, state__in=states.HELD)
        .prefetch_related("matters")
        .first()
    )


@login_required
@clerk_page
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    hall = _hall(request)
    counter = _counter(request)
    if counter is None:
        rows = hall.counters.select_related("clerk").prefetch_related("skills")
        return render(request, "hall/sign_in.html", {"hall": hall, "counters": rows})
    ticket = _current(counter)
    context = {
        "hall": hall,
        "counter": counter,
        "ticket": ticket,
        "resident_id": mask_resident_id(ticket.resident_id) if ticket else "",
        "parked": Ticket.objects.filter(counter=counter, state=states.PARKED),
        "waiting": Ticket.objects.filter(hall=hall, state=states.WAITING).count(),
        "queues": MatterGroup.objects.filter(counters__hall=hall).distinct(),
        "others": hall.counters.exclude(pk=counter.pk),
        "outcomes": Ticket.Outcome.choices,
        "allowed": states.TICKET.allowed(ticket.state) if ticket else [],
    }
    if ticket is not None and ticket.state == states.SERVING:
        context.update(_serving(request, ticket, counter))
    return render(request, "hall/counter.html", context)


def _serving(request: HttpRequest, ticket: Ticket, counter: Counter) -> dict:
    """What the clerk works with while serving: the visit's cases, related matters, the
    sheet the visitor brought."""
    handled = handlings.handled_codes(ticket)
    cases = ticket.applications.prefetch_related("materials", "matters__matter")
    sheet = request.session.get(SHEET, {})
    plan = None
    if sheet.get("ticket") == ticket.pk:
        try:
            plan = handlings.read_scanned_sheet(sheet.get("token", ""))
        except CaseError:
            plan = None
    return {
        "open_matters": [m for m in ticket.matters.all() if m.code not in handled],
        "handled": ticket.handlings.select_related("matter", "application"),
        "cases": [(case, mask_resident_id(case.applicant.id_number or "")) for case in cases],
        "related": handlings.related(ticket, counter),
        "districts": Region.objects.filter(kind=Region.Kind.DISTRICT),
        "relations": ApplicationMatter.Relation.choices,
        "sheet_plan": plan,
    }


@login_required
@clerk_page
@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    counter = get_object_or_404(Counter, pk=request.POST.get("counter"), hall=_hall(request))
    try:
        counters.sign_in(counter, request.user)
    except CaseError as error:
        messages.error(request, error.message)
    return redirect("hall:counter")


@login_required
@clerk_page
@require_POST
def act(request: HttpRequest, action: str) -> HttpResponse:
    counter = _counter(request)
    if counter is None:
        messages.error(request, _("Sign in to a counter first."))
        return redirect("hall:counter")
    try:
        said = ACTIONS[action](request, counter)
    except KeyError:
        raise Http404("No such action.") from None
    except CaseError as error:
        messages.error(request, error.message)
    else:
        if isinstance(said, HttpResponse):
            return said
        if said:
            messages.success(request, said)
    return redirect("hall:counter")


def _ticket(request: HttpRequest, counter: Counter) -> Ticket:
    return get_object_or_404(Ticket, pk=request.POST.get("ticket"), hall=counter.hall)


def _call(request: HttpRequest, counter: Counter) -> str:
    ticket = tickets.call_next(counter, request.user)
    if ticket is None:
        return _("Nobody is waiting for this counter.")
    return _("Called %(number)s.") % {"number": ticket.number}


def _finish(request: HttpRequest, counter: Counter) -> str:
    application = None
    number = request.POST.get("application", "").strip()
    if number:
        application = Application.objects.filter(number=number).first()
        if application is None:
            raise CaseError(_("No case has this number."), "application")
    ticket = tickets.finish(_ticket(request, counter), request.user,
                            request.POST.get("outcome", ""),
                            result=request.POST.get("result", "").strip(),
                            application=application)  # fmt: skip
    return _("%(number)s is finished.") % {"number": ticket.number}


def _transfer(request: HttpRequest, counter: Counter) -> str:
    target = request.POST.get("to", "")
    kind, _sep, key = target.partition(":")
    queue = MatterGroup.objects.filter(code=key).first() if kind == "queue" else None
    to_counter = (
        Counter.objects.filter(pk=key, hall=counter.hall).first()
        if kind == "counter" and key.isdigit()
        else None
    )
    ticket = tickets.transfer(_ticket(request, counter), request.user, queue=queue,
                              counter=to_counter)  # fmt: skip
    return _("%(number)s is transferred.") % {"number": ticket.number}


def _add_matter(request: HttpRequest, counter: Counter) -> str:
    code = request.POST.get("matter", "").strip()
    matter = Matter.objects.filter(version=public_version(), code=code).first()
    if matter is None:
        raise CaseError(_("No matter has this code."), "matter")
    tickets.add_matter(_ticket(request, counter), request.user, matter)
    return ""


def _beneficiaries(data, codes: list[str]) -> dict[str, handlings.Beneficiary]:
    """The family members named per matter (``for-<code>`` other than "self")."""
    found = {}
    for code in codes:
        relation = data.get(f"for-{code}", "self")
        if relation != "self":
            found[code] = handlings.Beneficiary(
                relation, data.get(f"name-{code}", ""), data.get(f"id-{code}", ""),
                data.get(f"district-{code}", ""),
            )  # fmt: skip
    return found


def _start_case(request: HttpRequest, counter: Counter) -> str:
    data = request.POST
    codes = data.getlist("matters")
    case = handlings.start_case(
        _ticket(request, counter), request.user, data.get("resident_id", ""), codes,
        name=data.get("name", ""), district=data.get("district", ""),
        email=data.get("email", ""), phone=data.get("phone", ""),
        address=data.get("address", ""), beneficiaries=_beneficiaries(data, codes),
    )  # fmt: skip
    return _("Case %(number)s started: scan the materials, then accept it.") % {
        "number": case.number
    }


def _scan(request: HttpRequest, counter: Counter) -> str:
    too_large = getattr(request, "upload_errors", {}).get("file")
    source = request.FILES.get("file")
    if too_large or source is None:
        raise CaseError(str(too_large or _("Choose a file to upload.")), "file")
    line = handlings.scan_material(_ticket(request, counter), request.user,
                                   request.POST.get("case", ""), request.POST.get("material", ""),
                                   source, source.name)  # fmt: skip
    return _("%(material)s is scanned.") % {"material": line.name}


def _accept_case(request: HttpRequest, counter: Counter) -> str:
    number = request.POST.get("case", "")
    made = handlings.accept_case(_ticket(request, counter), request.user, number,
                                 commitment=request.POST.get("commitment") == "on")  # fmt: skip
    said = ngettext(
        "Case %(number)s is accepted: %(count)s matter handled.",
        "Case %(number)s is accepted: %(count)s matters handled.",
        len(made),
    )
    return said % {"number": number, "count": len(made)}  # fmt: skip


def _bring(request: HttpRequest, counter: Counter) -> str | HttpResponse:
    """A scanned guidance sheet adds its matters; a case number opens the case."""
    scanned = request.POST.get("scan", "")
    if handlings.is_case_number(scanned):
        try:
            case = handlings.find_case(request.user, scanned)
        except Http404:
            raise CaseError(_("No case has this number."), "scan") from None
        return redirect("applications:case", number=case.number)
    ticket = _ticket(request, counter)
    sheet = handlings.add_sheet(ticket, request.user, scanned)
    request.session[SHEET] = {"ticket": ticket.pk, "token": handlings.sheet_token(scanned)}
    if sheet.not_here:
        names = "、".join(str(matter.name) for matter in sheet.not_here)
        messages.warning(request, _("Not handled at this counter: %(names)s.") % {"names": names})
    said = ngettext(
        "Added from the sheet: %(count)s matter.",
        "Added from the sheet: %(count)s matters.",
        len(sheet.added),
    )
    return said % {"count": len(sheet.added)}  # fmt: skip


def _close(request: HttpRequest, counter: Counter) -> str:
    counters.close(counter, request.user)
    return _("You are signed out and the counter is closed.")


def _moving(move):
    def act(request: HttpRequest, counter: Counter) -> str:
        move(_ticket(request, counter), request.user)
        return ""

    return act


ACTIONS = {
    "call": _call,
    "recall": _moving(tickets.recall),
    "start": _moving(tickets.start),
    "finish": _finish,
    "transfer": _transfer,
    "park": _moving(tickets.park),
    "resume": _moving(tickets.resume),
    "add-matter": _add_matter,
    "case": _start_case,
    "scan": _scan,
    "accept-case": _accept_case,
    "bring": _bring,
    "close": _close,
}
