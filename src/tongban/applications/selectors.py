"""The reads that the pages and the API share: one query for each list a person works from.

Who may see a row at all is ``access``'s answer; these narrow it to the list asked for. The
overdue and due-soon filters are the clocks' rule (``clocks.due_filter``), in SQL.
"""

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from tongban.audit.models import AuditEntry
from tongban.audit.services import record_read
from tongban.core import deadlines

from . import access
from .models import (
    Application,
    ApplicationMaterial,
    ApplicationMatter,
    Delivery,
    IssuedDocument,
    Payment,
    SupplementRequest,
)
from .services import clocks, supplements

DUE = (deadlines.OVERDUE, deadlines.SOON)


def acceptance_queue(user) -> QuerySet[Application]:
    """The submitted applications waiting at the clerk's centre (and counter), oldest first."""
    access.require(access.is_clerk(user))
    waiting = Application.objects.filter(centre_id=user.centre_id, state="submitted")
    if user.counter:
        waiting = waiting.filter(counter=user.counter)
    return (
        waiting.select_related("applicant")
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


def review_tasks(
    user, day: date, *, state: str | None = None, due: str | None = None
) -> QuerySet[ApplicationMatter]:
    """A reviewer's tasks, soonest due first: of one state, and/or overdue or due soon."""
    access.require(access.is_reviewer(user))
    tasks = access.review_tasks(user)
    if state:
        tasks = tasks.filter(state=state)
    if due:
        tasks = tasks.filter(clocks.due_filter(due, day))
    return tasks.select_related("application", "matter", "department").order_by("due_on", "pk")


INBOX_TABS = ("open", "supplement", "decided", *DUE)


def inbox_tasks(user, tab: str, day: date) -> QuerySet[ApplicationMatter]:
    """One tab of a reviewer's inbox, by due date: one query on (department, state, due_on)."""
    tasks = access.review_tasks(user)
    if tab in DUE:
        tasks = tasks.filter(clocks.due_filter(tab, day))
    elif tab == "supplement":
        tasks = tasks.filter(state="supplement")
    elif tab == "decided":
        tasks = tasks.filter(decided_at__isnull=False)
    else:
        tasks = tasks.filter(state=deadlines.RUNNING)
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


def shared_data(user, application: Application) -> dict[str, Any]:
    """The application's shared data (name, ID, phone, address…) as ``user`` reads it: a
    read by anyone but the applicant is recorded in the audit trail."""
    if application.applicant_id != user.pk:
        record_read(user, application, sorted(application.data) or ["data"])
    return application.data


def supplements_of(application: Application) -> QuerySet[SupplementRequest]:
    return SupplementRequest.objects.filter(task__application=application).select_related(
        "task__matter", "requested_by"
    )


def issued_of(application: Application) -> QuerySet[IssuedDocument]:
    return (
        IssuedDocument.objects.filter(task__application=application)
        .select_related("task__matter", "task__department")
        .order_by("pk")
    )


def delivery_of(application: Application) -> Delivery | None:
    return Delivery.objects.filter(application=application).first()


def payment_of(application: Application) -> Payment | None:
    """The fees billed when the application was decided; None when nothing was due."""
    return Payment.objects.filter(application=application).first()


def centre_applications(centre_id: int, filters: dict, day: date) -> QuerySet[Application]:
    """The centre's applications (no drafts), filtered, each marked when a matter or a
    supplement is overdue."""
    late = ApplicationMatter.objects.filter(
        clocks.due_filter(deadlines.OVERDUE, day), application=OuterRef("pk")
    )
    found = (
        Application.objects.filter(centre_id=centre_id)
        .exclude(state="draft")
        .annotate(overdue=Exists(late), supplement_overdue=supplements.overdue_annotation(day))
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


def timeline(application: Application) -> list[dict[str, Any]]:
    """The audited moves of the application, its matters and its delivery, oldest first."""
    tasks = {str(t.pk): t for t in application.matters.select_related("matter")}
    reach = Q(object_type="applications.application", object_id=str(application.pk)) | Q(
        object_type="applications.applicationmatter", object_id__in=list(tasks)
    )
    parcel = delivery_of(application)
    if parcel is not None:
        reach |= Q(object_type="applications.delivery", object_id=str(parcel.pk))
    entries = AuditEntry.objects.filter(action="transition").filter(reach).order_by("seq")
    return [
        {
            "at": entry.at,
            "who": entry.actor_label,
            "matter": tasks[entry.object_id].matter
            if entry.object_type == "applications.applicationmatter"
            else None,
            "delivery": entry.object_type == "applications.delivery",
            "action": (entry.after or {}).get("action", ""),
            "before": (entry.before or {}).get("state", ""),
            "state": (entry.after or {}).get("state", ""),
        }
        for entry in entries
    ]
