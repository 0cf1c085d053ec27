"""Who may see and do what on an application. Pages and API ask here, never decide themselves.

An object someone may not see is reported as not found (404), so case numbers of other
people cannot be probed; an action on a visible object that the role does not allow is
refused (403).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Application, ApplicationMatter, Document, IssuedDocument


def is_clerk(user) -> bool:
    return bool(
        user.is_authenticated and user.centre_id and user.has_perm("accounts.work_at_counter")
    )


def is_reviewer(user) -> bool:
    return bool(
        user.is_authenticated and user.department_id and user.has_perm("accounts.review_matters")
    )


def is_manager(user) -> bool:
    return bool(
        user.is_authenticated and user.centre_id and user.has_perm("accounts.manage_centre")
    )


def is_centre_staff(user, application) -> bool:
    """A clerk or manager of the application's centre: issues results, hands them over."""
    return (is_clerk(user) or is_manager(user)) and user.centre_id == application.centre_id


def is_applicant(user) -> bool:
    return bool(user.is_authenticated and user.kind != "staff")


def visible_applications(user) -> QuerySet[Application]:
    """The applications a user may open: their own, or those their role reaches."""
    if not user.is_authenticated:
        return Application.objects.none()
    if is_applicant(user):
        return Application.objects.filter(applicant=user)
    reach = Q(pk__in=[])
    if is_clerk(user) or is_manager(user):
        reach |= Q(centre_id=user.centre_id) & ~Q(state="draft")
    if is_reviewer(user):
        reach |= Q(
            pk__in=ApplicationMatter.objects.filter(
                department_id=user.department_id, started_on__isnull=False
            ).values("application_id")
        )
    return Application.objects.filter(reach)


def application_for(user, number: str) -> Application:
    found = visible_applications(user).filter(number=number).first()
    if found is None:
        raise Http404("no such application")
    return found


def own_application(user, number: str) -> Application:
    """An application its applicant acts on."""
    found = Application.objects.filter(number=number, applicant_id=user.pk).first()
    if found is None or not is_applicant(user):
        raise Http404("no such application")
    return found


def review_tasks(user) -> QuerySet[ApplicationMatter]:
    """A reviewer's inbox: the accepted matters of their department."""
    if not is_reviewer(user):
        return ApplicationMatter.objects.none()
    return ApplicationMatter.objects.filter(
        department_id=user.department_id, started_on__isnull=False
    )


def task_for(user, pk: int) -> ApplicationMatter:
    found = review_tasks(user).select_related("application", "matter").filter(pk=pk).first()
    if found is None:
        raise Http404("no such review task")
    return found


def issued_for(user, serial: str) -> IssuedDocument:
    """An issued document of an application the user may open."""
    found = (
        IssuedDocument.objects.select_related("task__department", "task__matter")
        .filter(serial=serial, task__application__in=visible_applications(user))
        .first()
    )
    if found is None:
        raise Http404("no such issued document")
    return found


def may_revoke(user, document: IssuedDocument) -> bool:
    """The issuing department's reviewers revoke its certificates."""
    return (
        document.kind == IssuedDocument.Kind.CERTIFICATE
        and document.revoked_at is None
        and is_reviewer(user)
        and user.department_id == document.task.department_id
    )


def may_see_staff_notes(user, application: Application) -> bool:
    return not is_applicant(user) and visible_applications(user).filter(pk=application.pk).exists()


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def document_for(user, pk: int) -> Document:
    """A stored file: its owner, or staff who can open an application that uses it."""
    document = Document.objects.filter(pk=pk).first()
    if document is None:
        raise Http404("no such document")
    if document.owner_id == user.pk:
        return document
    if not is_applicant(user):
        uses = visible_applications(user).filter(materials__document=document)
        if uses.exists():
            return document
    raise Http404("no such document")


def reviewers(*department_ids: int) -> QuerySet:
    """The people who review the matters of these departments."""
    from tongban.accounts.models import User

    return User.objects.filter(
        department_id__in=department_ids, groups__permissions__codename="review_matters"
    ).distinct()


def clerks(centre_id: int) -> QuerySet:
    """The people who work at the counters of a centre."""
    from tongban.accounts.models import User

    return User.objects.filter(
        centre_id=centre_id, groups__permissions__codename="work_at_counter"
    ).distinct()


def managers(centre_id: int) -> QuerySet:
    """The people who manage a service centre."""
    from tongban.accounts.models import User

    return User.objects.filter(
        centre_id=centre_id, groups__permissions__codename="manage_centre"
    ).distinct()
