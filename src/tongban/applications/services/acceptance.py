"""Acceptance at the one window (一窗受理): the clerk accepts or rejects a submitted
application; accepting starts every department's clock and decides the instant matters."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move
from tongban.notifications.services import notify

from .. import access, states
from ..models import Application, ApplicationMaterial
from . import clocks, instant
from .errors import CaseError


def may_accept(user, application: Application) -> bool:
    return (
        access.is_clerk(user)
        and user.centre_id == application.centre_id
        and user.counter in ("", application.counter)
    )


@transaction.atomic
def accept(application: Application, clerk, refusals: dict[str, str] | None = None) -> None:
    """Accept; ``refusals`` are the instant matters the clerk refuses, with their reasons
    (the other instant matters are approved)."""
    access.require(may_accept(clerk, application))
    application = Application.objects.select_for_update().get(pk=application.pk)
    accept_now(application, clerk, refusals or {})


def accept_now(application: Application, clerk, refusals: dict[str, str] | None = None) -> None:
    """Accept a locked application: by a clerk, or by the system when every matter is online."""
    instant_codes = instant.decidable(application)
    instant.check_refusals(application, refusals or {})
    missing = application.materials.filter(principal=True, document__isnull=True, from_matter="")
    if missing.exists():
        raise CaseError(_("A principal material is missing: this application cannot be accepted."))
    day = clocks.today()
    move(
        application,
        states.APPLICATION,
        "accept",
        clerk,
        accepted_at=clocks.now(),
        accepted_by=clerk,
    )
    # The supplement period of the tolerated materials starts at acceptance.
    application.materials.filter(status=ApplicationMaterial.Status.TOLERATED).update(
        due_on=clocks.supplement_due(day)
    )
    for task in application.matters.select_related("matter"):
        if task.after:
            move(task, states.REVIEW, "wait", None)
        else:
            clocks.start_clock(task, day, tell=task.matter.code not in instant_codes)
    notify(application.applicant, application,
           _("Application %(number)s was accepted; the departments are reviewing it."),
           number=application.number)  # fmt: skip
    instant.decide(application, clerk, instant_codes, refusals or {})


def reject(application: Application, clerk, reason: str) -> None:
    access.require(may_accept(clerk, application))
    if not reason.strip():
        raise CaseError(_("Give the reason for rejecting, so the applicant can act on it."),
                        "reason")  # fmt: skip
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        move(application, states.APPLICATION, "reject", clerk, reason=reason.strip()[:2000])
        notify(application.applicant, application,
               _("Application %(number)s was not accepted: %(reason)s"),
               number=application.number, reason=reason.strip()[:200])  # fmt: skip
