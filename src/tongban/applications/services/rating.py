"""The applicant's rating of the service once the case has an outcome: one of the five
national grades (好差评), one per application ("一事一评": the application is the service
however many matters it holds), through ``tongban.ratings``."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from tongban.ratings import services as ratings
from tongban.ratings.models import Rating

from .. import states
from ..models import Application
from .errors import CaseError


def rating_of(application: Application) -> Rating | None:
    return Rating.objects.filter(application=application).first()


def rate(
    application: Application, user, grade: str, reasons: Iterable[str] = (), comment: str = ""
) -> Rating:
    if application.applicant_id != user.pk:
        raise CaseError(_("Only the applicant rates the service."))
    if application.state not in states.RATEABLE:
        raise CaseError(_("Rate the service once the results are issued."))
    return ratings.rate(
        grade=grade, channel=Rating.Channel.ONLINE, source=Rating.Source.ONLINE,
        label=application.number, centre=application.centre, application=application,
        reasons=reasons, comment=comment, rated_by=user,
    )  # fmt: skip
