"""Staff pages: acceptance at the counter, the whole case, the review inbox and task, the
centre's list with its CSV export, and the centre's statistics.

Views stay thin: who may see what is ``access``'s answer (an invisible case is 404), who may
do what is checked by ``services``, ``issuing`` and ``delivery`` (PermissionDenied, 403), and
a rule the case does not allow now comes back as ``CaseError``: its message is shown, next to
the field when it names one. Every action is a plain POST that redirects back.
"""

import csv
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalogue.models import Department
from tongban.core import workdays
from tongban.core.identity import mask_resident_id
from tongban.core.moves import CaseError

from . import access, issuing, services, states, stats
from . import delivery as carriage
from .models import (
    Application,
    ApplicationMaterial,
    ApplicationMatter,
    Delivery,
    IssuedDocument,
    Note,
    SupplementRequest,
)

PER_PAGE = 50
INBOX_PER_PAGE = 25

STATE_LABELS = {
    # applications
    "draft": gettext_lazy("draft"),
    "submitted": gettext_lazy("submitted, waiting for acceptance"),
    "in_review": gettext_lazy("in review"),
    "rejected": gettext_lazy("not accepted"),
    "withdrawn": gettext_lazy("withdrawn"),
    "expired": gettext_lazy("expired"),
    "decided": gettext_lazy("decided, to be issued"),
    "issued": gettext_lazy("issued"),
    "completed": gettext_lazy("completed"),
    # review tasks
    "reviewing": gettext_lazy("reviewing"),
    "supplement": gettext_lazy("waiting for a supplement"),
    "approved": gettext_lazy("approved"),
    "refused": gettext_lazy("refused"),
    # deliveries
    "preparing": gettext_lazy("being prepared"),
    "ready": gettext_lazy("ready for pickup"),
    "collected": gettext_lazy("collected"),
    "dispatched": gettext_lazy("handed to the post"),
    "in_transit": gettext_lazy("in transit"),
    "delivered": gettext_lazy("delivered"),
    "returned": gettext_lazy("returned to the centre"),
}


def state_label(code: str) -> str:
    return str(STATE_LABELS.get(code, code))


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
    user = request.user
    access.require(access.is_clerk(user))
    waiting = (
        Application.objects.filter(centre_id=user.centre_id, state="submitted")
        .select_related("applicant")
        .annotate(
            tolerated=Count(
                "materials", filter=Q(materials__status=ApplicationMaterial.Status.TOLERATED)
            )
        )
        .prefetch_related(
            Prefetch("matters", queryset=ApplicationMatter.objects.select_related("matter"))
        )
        .order_by("submitted_at", "pk")
    )
    if user.counter:
        waiting = waiting.filter(counter=user.counter)
    return render(
        request,
        "applications/staff/acceptance.html",
        {"page": _page(request, waiting), "query": _query_without_page(request)},
    )


# --- the case ---------------------------------------------------------------------------


def _timeline(application: Application) -> list[dict]:
    """The case's audited moves, labelled for staff."""
    rows = []
    for step in services.timeline(application):
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


def _shared_data(application: Application) -> list[tuple[str, str]]:
    """The application's shared data, the resident ID masked."""
    rows = []
    for field in services.fields_for(application):
        value = str(application.data.get(field.key, "") or "")
        if field.key == "id_number":
            value = mask_resident_id(value)
        rows.append((str(field.label), value))
    return rows


def _case_context(user, application: Application) -> dict:
    tasks = list(application.matters.select_related("matter", "department", "decided_by"))
    parcel = Delivery.objects.filter(application=application).first()
    centre_staff = access.is_centre_staff(user, application)
    return {
        "application": application,
        "state": state_label(application.state),
        "applicant": application.applicant,
        "data": _shared_data(application),
        "materials": list(application.materials.select_related("document")),
        "tasks": [
            {"task": t, "state": state_label(t.state), "clock": services.clock(t)} for t in tasks
        ],
        "supplements": SupplementRequest.objects.filter(task__application=application)
        .select_related("task__matter", "requested_by")
        .order_by("requested_at"),
        "notes": application.notes.select_related("author", "task__matter", "task__department"),
        "timeline": _timeline(application),
        "issued": IssuedDocument.objects.filter(task__application=application)
        .select_related("task__matter")
        .order_by("pk"),
        "delivery": parcel,
        "delivery_state": state_label(parcel.state) if parcel else "",
        "events": _events(parcel),
        "may_accept": application.state == "submitted" and services.may_accept(user, application),
        "may_issue": application.state == "decided" and centre_staff,
        "may_collect": bool(
            parcel
            and parcel.state == "ready"
            and access.is_clerk(user)
            and user.centre_id == application.centre_id
        ),
        "may_track": bool(parcel and parcel.state in ("dispatched", "in_transit") and centre_staff),
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


def _render_case(request, number: str, form: str, error: CaseError) -> HttpResponse:
    """The case again, the failed form filled in as sent and its error next to the field."""
    application = access.application_for(request.user, number)
    context = _case_context(request.user, application)
    context.update(
        errors={f"{form}_{error.field}": error.message}, failed=form, posted=request.POST
    )
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
        services.accept(application, request.user)
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
        return _("Issued %(count)s document(s); the delivery has started.") % {"count": len(issued)}

    return _act(request, number, "issue", run)


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


def _soon_limit(day: date) -> date:
    """Tasks due before this date have at most two working days left (the clock's "soon")."""
    return workdays.add_working_days(day, 3)


INBOX_TABS = {
    "open": gettext_lazy("To review"),
    "supplement": gettext_lazy("Waiting for a supplement"),
    "decided": gettext_lazy("Decided"),
    "overdue": gettext_lazy("Overdue"),
    "soon": gettext_lazy("Due soon"),
}


def inbox_tasks(user, tab: str, day: date) -> QuerySet[ApplicationMatter]:
    """One tab of a reviewer's inbox, by due date: one query on (department, state, due_on)."""
    tasks = access.review_tasks(user)
    # A paused task is in "supplement", so "reviewing" alone means the clock runs; the
    # count then reads the partial index only.
    running = Q(state="reviewing")
    if tab == "supplement":
        tasks = tasks.filter(state="supplement")
    elif tab == "decided":
        tasks = tasks.filter(decided_at__isnull=False)
    elif tab == "overdue":
        tasks = tasks.filter(running, due_on__lt=day)
    elif tab == "soon":
        tasks = tasks.filter(running, due_on__gte=day, due_on__lt=_soon_limit(day))
    else:
        tasks = tasks.filter(state="reviewing")
    return (
        tasks.select_related("application", "matter")
        .only(
            "pk",
            "state",
            "department",
            "started_on",
            "due_on",
            "due_confirmed",
            "paused_on",
            "paused_days",
            "decided_at",
            "application",
            "application__number",
            "application__title_en",
            "application__title_zh",
            "application__submitted_at",
            "matter",
            "matter__code",
            "matter__name_en",
            "matter__name_zh",
        )
        .order_by(*(("-decided_at", "-pk") if tab == "decided" else ("due_on", "pk")))
    )


@staff_page
@only("GET")
def inbox(request: HttpRequest) -> HttpResponse:
    access.require(access.is_reviewer(request.user))
    tab = request.GET.get("tab", "open")
    if tab not in INBOX_TABS:
        tab = "open"
    day = services.today()
    page = _page(request, inbox_tasks(request.user, tab, day), CappedPaginator, INBOX_PER_PAGE)
    rows = [
        {"task": t, "state": state_label(t.state), "clock": services.clock(t, day)} for t in page
    ]
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
        "clock": services.clock(task),
        "materials": [m for m in materials if code in m.matter_codes],
        "all_materials": materials,
        "tolerated": [
            m
            for m in materials
            if code in m.matter_codes and m.status == ApplicationMaterial.Status.TOLERATED
        ],
        "blocked": services.overdue_tolerated(task),
        "others": [
            {"task": t, "state": state_label(t.state)}
            for t in application.matters.exclude(pk=task.pk).select_related("matter", "department")
        ],
        "notes": application.notes.filter(
            kind__in=[Note.Kind.COMMENT, Note.Kind.INSPECTION]
        ).select_related("author", "task__matter", "task__department"),
        "supplements": task.supplements.select_related("requested_by"),
        "may_approve": "approve" in allowed,
        "may_refuse": "refuse" in allowed,
        "may_supplement": "request_supplement" in allowed,
        "today": services.today(),
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
    services.approve(task, user, valid_until=valid_until, scope=post.get("scope", ""))
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


def _late_tasks(day: date) -> QuerySet[ApplicationMatter]:
    return ApplicationMatter.objects.filter(
        application=OuterRef("pk"),
        state="reviewing",
        paused_on__isnull=True,
        started_on__isnull=False,
        due_on__lt=day,
    )


def centre_applications(centre_id: int, filters: dict, day: date) -> QuerySet[Application]:
    """The centre's applications (no drafts), filtered, each marked when a matter is overdue."""
    found = (
        Application.objects.filter(centre_id=centre_id)
        .exclude(state="draft")
        .annotate(overdue=Exists(_late_tasks(day)))
    )
    if filters.get("state"):
        found = found.filter(state=filters["state"])
    if filters.get("matter"):
        found = found.filter(
            Exists(
                ApplicationMatter.objects.filter(
                    application=OuterRef("pk"), matter__code=filters["matter"].strip()
                )
            )
        )
    if filters.get("department"):
        found = found.filter(
            Exists(
                ApplicationMatter.objects.filter(
                    application=OuterRef("pk"), department__code=filters["department"]
                )
            )
        )
    if filters.get("submitted_from"):
        found = found.filter(submitted_at__date__gte=filters["submitted_from"])
    if filters.get("submitted_to"):
        found = found.filter(submitted_at__date__lte=filters["submitted_to"])
    if filters.get("overdue"):
        found = found.filter(overdue=True)
    return (
        found.select_related("applicant")
        .prefetch_related(
            Prefetch(
                "matters",
                queryset=ApplicationMatter.objects.select_related("matter").only(
                    "pk",
                    "application",
                    "order",
                    "matter",
                    "matter__code",
                    "matter__name_en",
                    "matter__name_zh",
                ),
            )
        )
        .order_by("-submitted_at", "-pk")
    )


@staff_page
@only("GET")
def centre_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.is_manager(user) or access.is_clerk(user))
    form = CentreFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else getattr(form, "cleaned_data", {})
    day = services.today()
    found = centre_applications(user.centre_id, filters, day)
    if request.GET.get("format") == "csv":
        return _csv(found, user.centre.code, day)
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """Text a spreadsheet shows as text: no formula may be smuggled in through a name."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _csv(found: QuerySet[Application], centre_code: str, day: date) -> StreamingHttpResponse:
    """The list as CSV for Excel: UTF-8 with a BOM, no resident ID numbers."""
    header = [
        _("Case number"),
        _("Title (English)"),
        _("Title (Chinese)"),
        _("State"),
        _("Applicant"),
        _("Submitted"),
        _("Accepted"),
        _("Decided"),
        _("Issued"),
        _("Matters"),
        _("Overdue"),
    ]
    yes, no = _("yes"), _("no")
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for a in found.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    _cell(v)
                    for v in (
                        a.number,
                        a.title_en,
                        a.title_zh,
                        a.state,
                        a.applicant.display_name,
                        _when(a.submitted_at),
                        _when(a.accepted_at),
                        _when(a.decided_at),
                        _when(a.issued_at),
                        " ".join(t.matter.code for t in a.matters.all()),
                        yes if a.overdue else no,
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"applications-{centre_code}-{day.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- statistics ------------------------------------------------------------------------


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
