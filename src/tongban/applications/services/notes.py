"""Messages between the applicant and the staff, and the departments' notes on a case.

Whoever a note is for is told: the applicant of a staff message; the accepting centre's
clerks and the reviewers of every department with an open task of an applicant's message;
the reviewers of the other departments on the case of a comment between departments.
"""

from django.utils.translation import gettext_lazy as _

from tongban.notifications.services import notify

from .. import access, states
from ..models import Application, ApplicationMatter, Note
from .errors import CaseError


def add_note(application: Application, user, kind: str, body: str,
             task: ApplicationMatter | None = None) -> Note:  # fmt: skip
    body = body.strip()
    if not body:
        raise CaseError(_("Write something first."), "body")
    if kind == Note.Kind.MESSAGE:
        access.require(application.applicant_id == user.pk or access.may_see_staff_notes(
            user, application))  # fmt: skip
    else:
        access.require(
            task is not None and access.is_reviewer(user) and user.department_id ==
            task.department_id
        )  # fmt: skip
    note = Note.objects.create(application=application, task=task, kind=kind, author=user,
                               body=body[:4000])  # fmt: skip
    if kind == Note.Kind.MESSAGE and application.applicant_id != user.pk:
        notify(application.applicant, application, _("New message on %(number)s."),
               number=application.number)  # fmt: skip
    elif kind == Note.Kind.MESSAGE:
        for person in _staff_on(application):
            notify(person, application, _("%(number)s: a message from the applicant."),
                   number=application.number)  # fmt: skip
    elif kind == Note.Kind.COMMENT:
        for person in _reviewers_on(application, besides=user.department_id):
            notify(person, application, _("%(number)s: another department commented on "
                                          "%(matter)s."),
                   number=application.number, matter=task.matter.name_en)  # fmt: skip
    return note


def _staff_on(application: Application) -> list:
    """Who answers the applicant: the centre's clerks once the case is submitted, and the
    reviewers of the departments still deciding a matter of it."""
    if application.state in states.EDITABLE:
        return []
    open_tasks = application.matters.filter(started_on__isnull=False).exclude(
        state__in=states.DECIDED
    )
    departments = set(open_tasks.values_list("department_id", flat=True))
    people = {p.pk: p for p in access.clerks(application.centre_id)}
    people.update((p.pk, p) for p in access.reviewers(*departments))
    return list(people.values())


def _reviewers_on(application: Application, *, besides: int) -> list:
    """The reviewers of the other departments with a task on the case."""
    departments = set(
        application.matters.filter(started_on__isnull=False)
        .exclude(department_id=besides)
        .values_list("department_id", flat=True)
    )
    return list(access.reviewers(*departments))
