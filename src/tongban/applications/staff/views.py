"""Staff pages: acceptance at the counter, the whole case, the review inbox and task, the
centre's list with its CSV export (``exports``), and the centre's statistics.

Views stay thin: the lists come from ``selectors`` (shared with the API), who may see what
is ``access``'s answer (an invisible case is 404), who may
do what is checked by ``services``, ``issuing`` and ``delivery`` (PermissionDenied, 403), and
a rule the case does not allow now comes back as ``CaseError``: its message is shown, next to
the field when it names one. Every action is a plain POST that redirects back.
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.identity import mask_resident_id

from .. import access, issuing, selectors, services, states, stats
from .. import delivery as carriage
from ..models import Application, ApplicationMaterial, ApplicationMatter, Delivery, Note
from ..services import CaseError, clocks, supplements
from .exports import centre_csv
from .forms import CentreFilter, PeriodForm, state_label

PER_PAGE = 50
INBOX_PER_PAGE = 25


def staff_page(view: Callable) -> Callable:
    """Signed-in staff only: an applicant gets 403 on every staff page."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if access.is_applicant(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(checked)


def only(*methods: str) -> Callable:
    """Like ``require_http_methods``, inside ``staff_page`` so an applicant still gets 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = HttpResponse(status=405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return checked

    return decorate


def _page(request: HttpRequest, queryset, paginator=Paginator, per_page: int = PER_PAGE):
    return paginator(queryset, per_page).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts up to ``CAP`` rows: an inbox never needs the exact size of a huge tab."""

    CAP = 1000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- acceptance at the counter (一窗受理) -----------------------------------------------


@staff_page
@only("GET")
def acceptance(request: HttpRequest) -> HttpResponse:
    """The submitted applications of the clerk's centre (and counter), oldest first."""
    waiting = selectors.acceptance_queue(request.user)
    return render(
        request,
        "applications/staff/acceptance.html",
        {"page": _page(request, waiting), "query": _query_without_page(request)},
    )


# --- the case ---------------------------------------------------------------------------


def _timeline(application: Application) -> list[dict]:
    """The case's audited moves, labelled for staff."""
    rows = []
    for step in selectors.timeline(application):
        if step["matter"] is not None:
            what = step["matter"].name
        else:
            what = _("Delivery") if step["delivery"] else _("Application")
        rows.append(
            {
                "at": step["at"],
                "who": step["who"],
                "what": what,
                "before": state_label(step["before"]),
                "after": state_label(step["state"]),
            }
        )
    return rows


def _events(parcel: Delivery | None) -> list[dict]:
    rows = []
    for event in parcel.events if parcel else []:
        try:
            at = datetime.fromisoformat(event.get("at", ""))
        except (TypeError, ValueError):
            at = None
        rows.append(
            {"at": at, "state": state_label(event.get("state", "")), "text": event.get("text", "")}
        )
    return rows


def _shared_data(user, application: Application) -> list[tuple[str, str]]:
    """The application's shared data, the resident ID masked; the read is audited."""
    data = selectors.shared_data(user, application)
    rows = []
    for field in services.fields_for(application):
        value = str(data.get(field.key, "") or "")
        if field.key == "id_number":
            value = mask_resident_id(value)
        rows.append((str(field.label), value))
    return rows


def _case_context(user, application: Application) -> dict:
    tasks = list(application.matters.select_related("matter", "department", "decided_by"))
    parcel = selectors.delivery_of(application)
    centre_staff = access.is_centre_staff(user, application)
    issued = list(selectors.issued_of(application))
    may_accept = states.APPLICATION.allows(application.state, "accept") and services.may_accept(
        user, application
    )
    return {
        "application": application,
        "state": state_label(application.state),
        "applicant": application.applicant,
        "data": _shared_data(user, application),
        "materials": list(application.materials.select_related("document")),
        "tasks": [
            {"task": t, "state": state_label(t.state), "clock": clocks.clock(t)} for t in tasks
        ],
        "supplements": selectors.supplements_of(application),
        "overdue_supplements": services.overdue_of(application),
        "notes": application.notes.select_related("author", "task__matter", "task__department"),
        "timeline": _timeline(application),
        "issued": issued,
        "revocable": {d.serial for d in issued if access.may_revoke(user, d)},
        "payment": selectors.payment_of(application),
        "delivery": parcel,
        "delivery_state": state_label(parcel.state) if parcel else "",
        "events": _events(parcel),
        "may_accept": may_accept,
        "instant_choices": _instant_choices(application, {}) if may_accept else [],
        "may_issue": states.APPLICATION.allows(application.state, "issue") and centre_staff,
        "may_collect": bool(
            parcel
            and states.DELIVERY.allows(parcel.state, "collect")
            and access.is_clerk(user)
            and user.centre_id == application.centre_id
        ),
        "may_track": bool(parcel and parcel.state in states.WITH_THE_POST and centre_staff),
        "may_message": access.may_see_staff_notes(user, application),
        "centre_staff": access.is_clerk(user) or access.is_manager(user),
        "reviewer_tasks": [
            t
            for t in tasks
            if access.is_reviewer(user) and t.department_id == user.department_id and t.started_on
        ],
        "errors": {},
        "failed": "",
        "posted": {},
    }


def _instant_tasks(application) -> list:
    """The instant matters the accepting clerk decides, their lead tasks in order."""
    codes = services.instant_decidable(application)
    return [t for t in application.matters.filter(lead=True).select_related("matter")
            if t.matter.code in codes]  # fmt: skip


def _instant_choices(application, posted) -> list[dict]:
    """The accept form's choice for each instant matter, as last posted (approve by default)."""
    return [
        {"task": task, "refuse": posted.get(f"decision-{task.matter.code}") == "refuse",
         "reason": posted.get(f"reason-{task.matter.code}", "")}
        for task in _instant_tasks(application)
    ]  # fmt: skip


def _render_case(request, number: str, form: str, error: CaseError) -> HttpResponse:
    """The case again, the failed form filled in as sent and its error next to the field."""
    application = access.application_for(request.user, number)
    context = _case_context(request.user, application)
    context.update(
        errors={f"{form}_{error.field}": error.message}, failed=form, posted=request.POST
    )
    if context["instant_choices"]:
        context["instant_choices"] = _instant_choices(application, request.POST)
    return render(request, "applications/staff/case.html", context, status=422)


def _act(request, number: str, form: str, action: Callable[[], str]) -> HttpResponse:
    """Run a case action; report success, or the case's reason why not."""
    try:
        done = action()
    except CaseError as error:
        messages.error(request, str(error.message))
        if error.field:
            return _render_case(request, number, form, error)
    else:
        messages.success(request, done)
    return redirect("applications:case", number=number)


@staff_page
@only("GET", "POST")
def case(request: HttpRequest, number: str) -> HttpResponse:
    """The whole case; a POST sends a message to the applicant."""
    application = access.application_for(request.user, number)
    if request.method == "POST":

        def send() -> str:
            body = request.POST.get("body", "")
            services.add_note(application, request.user, Note.Kind.MESSAGE, body)
            return _("Your message was sent to the applicant.")

        return _act(request, number, "message", send)
    context = _case_context(request.user, application)
    return render(request, "applications/staff/case.html", context)


@staff_page
@only("POST")
def accept(request: HttpRequest, number: str) -> HttpResponse:
    application = access.application_for(request.user, number)

    def run() -> str:
        choices = _instant_choices(application, request.POST)
        refusals = {c["task"].matter.code: c["reason"] for c in choices if c["refuse"]}
        services.accept(application, request.user, refusals)
        return _("Application %(number)s is accepted: the departments have it in their inbox.") % {
            "number": application.number
        }

    return _act(request, number, "accept", run)


@staff_page
@only("POST")
def reject(request: HttpRequest, number: str) -> HttpResponse:
    application = access.application_for(request.user, number)

    def run() -> str:
        services.reject(application, request.user, request.POST.get("reason", ""))
        return _("Application %(number)s is not accepted; the applicant is told why.") % {
            "number": application.number
        }

    return _act(request, number, "reject", run)


@staff_page
@only("POST")
def issue(request: HttpRequest, number: str) -> HttpResponse:
    application = access.application_for(request.user, number)

    def run() -> str:
        issued = issuing.issue(application, request.user)
        if not issued:
            return _("Its matters issue no document: the application is completed.")
        return _("Issued %(count)s document(s); the delivery has started.") % {"count": len(issued)}

    return _act(request, number, "issue", run)


@staff_page
@only("POST")
def revoke(request: HttpRequest, serial: str) -> HttpResponse:
    document = access.issued_for(request.user, serial)
    number = document.task.application.number

    def run() -> str:
        issuing.revoke(document, request.user, request.POST.get("reason", ""))
        return _("Certificate %(serial)s is revoked; the holder is told.") % {"serial": serial}

    return _act(request, number, "revoke", run)


@staff_page
@only("POST")
def collect(request: HttpRequest, number: str) -> HttpResponse:
    application = access.application_for(request.user, number)

    def run() -> str:
        code = request.POST.get("code", "").strip()
        if not code.isascii():
            # secrets.compare_digest (in delivery.collect) raises TypeError on such text.
            access.require(access.is_clerk(request.user))
            raise CaseError(_("That pickup code is wrong."), "code")
        carriage.collect(application, request.user, code)
        return _("Collected: the application is completed.")

    return _act(request, number, "collect", run)


@staff_page
@only("POST")
def track(request: HttpRequest, number: str) -> HttpResponse:
    application = access.application_for(request.user, number)

    def run() -> str:
        parcel = carriage.refresh(application, request.user)
        return _("Tracking refreshed: %(state)s.") % {"state": state_label(parcel.state)}

    return _act(request, number, "track", run)


# --- the review inbox and task (分类审批) -----------------------------------------------


INBOX_TABS = {
    "open": gettext_lazy("To review"),
    "supplement": gettext_lazy("Waiting for a supplement"),
    "decided": gettext_lazy("Decided"),
    "overdue": gettext_lazy("Overdue"),
    "soon": gettext_lazy("Due soon"),
}


@staff_page
@only("GET")
def inbox(request: HttpRequest) -> HttpResponse:
    access.require(access.is_reviewer(request.user))
    tab = request.GET.get("tab", "open")
    if tab not in INBOX_TABS:
        tab = "open"
    day = clocks.today()
    tasks = selectors.inbox_tasks(request.user, tab, day)
    page = _page(request, tasks, CappedPaginator, INBOX_PER_PAGE)
    late = supplements.overdue_tasks(page, day)
    rows = [
        {"task": t, "state": state_label(t.state), "clock": clocks.clock(t, day),
         "supplement_overdue": t.pk in late}
        for t in page
    ]  # fmt: skip
    return render(
        request,
        "applications/staff/inbox.html",
        {"page": page, "rows": rows, "tab": tab, "tabs": list(INBOX_TABS.items())},
    )


def _task_context(user, task: ApplicationMatter) -> dict:
    application = task.application
    code = task.matter.code
    materials = list(application.materials.select_related("document"))
    allowed = states.REVIEW.allowed(task.state)
    return {
        "task": task,
        "application": application,
        "state": state_label(task.state),
        "clock": clocks.clock(task),
        "materials": [m for m in materials if code in m.matter_codes],
        "all_materials": materials,
        "optional": [o for o in services.optional_materials(application) if code in o.matters],
        "tolerated": [
            m
            for m in materials
            if code in m.matter_codes and m.status == ApplicationMaterial.Status.TOLERATED
        ],
        "blocked": services.overdue_tolerated(task),
        "overdue_supplements": [
            owed for owed in services.overdue_of(application) if code in owed.matters
        ],
        "others": [
            {"task": t, "state": state_label(t.state)}
            for t in application.matters.exclude(pk=task.pk).select_related("matter", "department")
        ],
        "notes": application.notes.filter(
            kind__in=[Note.Kind.COMMENT, Note.Kind.INSPECTION]
        ).select_related("author", "task__matter", "task__department"),
        "supplements": task.supplements.select_related("requested_by"),
        "may_approve": "approve" in allowed,
        "fees": list(task.matter.fees.all()) if task.lead else [],
        "may_refuse": "refuse" in allowed,
        "may_supplement": "request_supplement" in allowed,
        "today": clocks.today(),
        "errors": {},
        "failed": "",
        "posted": {},
        "keys": [],
    }


@staff_page
@only("GET")
def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.task_for(request.user, pk)
    return render(request, "applications/staff/task.html", _task_context(request.user, found))


def _days(value: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        raise CaseError(_("Give between 1 and 60 working days."), "days") from None


def _approve(task: ApplicationMatter, user, post) -> str:
    valid_until = services.parse_day(post.get("valid_until", ""), "valid_until")
    fee = services.parse_fee(post.get("fee", ""))
    services.approve(task, user, valid_until=valid_until, scope=post.get("scope", ""), fee=fee)
    return _("Approved. The result is issued with the others once every matter is decided.")


def _refuse(task: ApplicationMatter, user, post) -> str:
    services.refuse(task, user, post.get("reason", ""))
    return _("Refused. The decision letter is issued with the other results.")


def _supplement(task: ApplicationMatter, user, post) -> str:
    request = services.request_supplement(
        task,
        user,
        material_keys=post.getlist("material_keys"),
        reason=post.get("reason", ""),
        days=_days(post.get("days", "")),
    )
    return _("Supplement requested by %(day)s; the clock is paused meanwhile.") % {
        "day": request.due_on.isoformat()
    }


def _note(kind: str) -> Callable:
    def add(task: ApplicationMatter, user, post) -> str:
        services.add_note(task.application, user, kind, post.get("body", ""), task=task)
        if kind == Note.Kind.INSPECTION:
            return _("The inspection record is added.")
        return _("Your comment is shared with the other departments.")

    return add


TASK_ACTIONS: dict[str, Callable] = {
    "approve": _approve,
    "refuse": _refuse,
    "supplement": _supplement,
    "comment": _note(Note.Kind.COMMENT),
    "inspection": _note(Note.Kind.INSPECTION),
}


@staff_page
@only("POST")
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TASK_ACTIONS:
        raise Http404("no such action")
    found = access.task_for(request.user, pk)
    try:
        done = TASK_ACTIONS[action](found, request.user, request.POST)
    except CaseError as error:
        messages.error(request, str(error.message))
        if error.field:
            context = _task_context(request.user, access.task_for(request.user, pk))
            context.update(
                errors={f"{action}_{error.field}": error.message},
                failed=action,
                posted=request.POST,
                keys=request.POST.getlist("material_keys"),
            )
            return render(request, "applications/staff/task.html", context, status=422)
    else:
        messages.success(request, done)
    return redirect(f"{reverse('applications:task', args=[pk])}#actions")


# --- the centre's applications and their export ------------------------------------------


@staff_page
@only("GET")
def centre_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.is_manager(user) or access.is_clerk(user))
    form = CentreFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else getattr(form, "cleaned_data", {})
    day = clocks.today()
    found = selectors.centre_applications(user.centre_id, filters, day)
    if request.GET.get("format") == "csv":
        return centre_csv(found, user.centre.code, day)
    page = _page(request, found)
    rows = [{"application": a, "state": state_label(a.state)} for a in page]
    query = _query_without_page(request)
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    csv_query["format"] = "csv"
    return render(
        request,
        "applications/staff/centre.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "csv_query": csv_query.urlencode(),
        },
    )


# --- statistics ------------------------------------------------------------------------


@staff_page
@only("GET")
def statistics(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.is_manager(user))
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else getattr(form, "cleaned_data", {})
    start, end = period.get("start"), period.get("end")
    figures = stats.summary(user.centre, start, end)
    by_state = figures["by_state"]
    return render(
        request,
        "applications/staff/statistics.html",
        {
            "form": form,
            "centre": user.centre,
            "start": start,
            "end": end,
            **figures,
            "states": [(state_label(s), by_state[s]) for s in sorted(by_state)],
            "total": sum(by_state.values()),
            "by_matter": [
                {**row, "name": {"en": row["name_en"], "zh": row["name_zh"]}}
                for row in figures["by_matter"]
            ],
            "by_department": [
                {**row, "name": {"en": row["name_en"], "zh": row["name_zh"]}}
                for row in figures["by_department"]
            ],
        },
    )
