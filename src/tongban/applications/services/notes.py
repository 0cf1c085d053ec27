"""Messages between the applicant and the staff, and the departments' notes on a case."""

from django.utils.translation import gettext_lazy as _

from tongban.notifications.services import notify

from .. import access
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
    return note
