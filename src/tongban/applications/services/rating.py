"""The applicant's rating of the service, once the case has an outcome."""

from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record

from .. import states
from ..models import Application
from .errors import CaseError


def rate(application: Application, user, stars: int, comment: str = "") -> None:
    if application.applicant_id != user.pk:
        raise CaseError(_("Only the applicant rates the service."))
    if application.state not in states.RATEABLE:
        raise CaseError(_("Rate the service once the results are issued."))
    if application.rating is not None:
        raise CaseError(_("This application has already been rated."))
    if not 1 <= int(stars) <= 5:
        raise CaseError(_("Give 1 to 5 stars."), "stars")
    application.rating, application.rating_comment = int(stars), comment.strip()[:2000]
    application.save(update_fields=["rating", "rating_comment", "updated_at"])
    record(
        "update",
        object_type="applications.application",
        object_id=application.pk,
        object_label=application.number,
        after={"rating": application.rating},
        actor=user,
    )
