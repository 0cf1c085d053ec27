"""The pre-check, submission, withdrawal and expiry of an application."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move
from tongban.notifications.services import notify

from .. import states
from ..models import Application, ApplicationMaterial
from . import clocks
from .acceptance import accept_now
from .citywide import route
from .data import clean_data, fields_for
from .drafting import require_editable
from .errors import CaseError
from .review import withdraw_task


@dataclass(frozen=True)
class Finding:
    level: str  # "error" blocks submission; "tolerable" needs the commitment
    message: str
    field: str = ""
    material: str = ""
    matters: tuple[str, ...] = ()


def precheck(application: Application) -> list[Finding]:
    """Everything that would stop this application at the counter, explained."""
    findings: list[Finding] = []
    data, errors = clean_data(application, application.data)
    for field in fields_for(application):
        if field.key in errors:
            findings.append(Finding("error", errors[field.key], field=field.key))
        elif field.required and not data.get(field.key):
            findings.append(
                Finding("error", str(_("%(field)s is missing.") % {"field": field.label}),
                        field=field.key)
            )  # fmt: skip
    day = clocks.today()
    for line in application.materials.select_related("document").filter(from_matter=""):
        matters = tuple(line.matter_codes)
        if line.document is None and line.optional:
            continue  # "if it applies": asked for by a reviewer, never by the pre-check
        if line.document is None:
            if line.principal:
                message = _("%(name)s is a principal material: it cannot be missing.")
                findings.append(Finding("error", str(message % {"name": line.name}),
                                        material=line.key, matters=matters))  # fmt: skip
            else:
                message = _(
                    "%(name)s is missing. It may be supplied later (容缺) if you sign the "
                    "commitment."
                )
                findings.append(Finding("tolerable", str(message % {"name": line.name}),
                                        material=line.key, matters=matters))  # fmt: skip
        elif line.document.valid_until and line.document.valid_until < day:
            message = _("%(name)s expired on %(day)s: upload a valid one.")
            findings.append(Finding(
                "error", str(message % {"name": line.name, "day": line.document.valid_until}),
                material=line.key, matters=matters,
            ))  # fmt: skip
    return findings


@transaction.atomic
def submit(application: Application, user, *, commitment: bool = False, by=None) -> list[Finding]:
    """Submit if the pre-check passes; return the findings either way. ``by``: the clerk
    who submits at the counter on the applicant's behalf (the applicant is told)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    require_editable(application)
    findings = precheck(application)
    if any(f.level == "error" for f in findings):
        return findings
    tolerated = [f.material for f in findings if f.level == "tolerable"]
    if tolerated and not commitment:
        raise CaseError(
            _("Some materials are missing: sign the commitment to supply them later, or upload "
              "them now."),
            "commitment",
        )  # fmt: skip
    route(application)
    # Their due date is set at acceptance: the supplement period starts there.
    application.materials.filter(key__in=tolerated).update(
        status=ApplicationMaterial.Status.TOLERATED, due_on=None
    )
    move(application, states.APPLICATION, "submit", by or user, submitted_at=clocks.now(),
          commitment_at=clocks.now() if tolerated else None, expires_at=None)  # fmt: skip
    notify(application.applicant, application, _("Application %(number)s was submitted."),
           number=application.number)  # fmt: skip
    if all(t.matter.channels == ["online"] for t in application.matters.select_related("matter")):
        accept_now(application, None)
    return findings


def withdraw(application: Application, user, reason: str = "") -> None:
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        move(application, states.APPLICATION, "withdraw", user, reason=reason[:2000])
        for task in application.matters.exclude(state__in=states.DECIDED):
            withdraw_task(task, user, "withdrawn")


def expire_drafts(moment=None) -> tuple[int, int]:
    """Warn the owners of drafts about to expire and expire the overdue ones."""
    moment = moment or clocks.now()
    warn_before = timedelta(days=settings.TONGBAN_DRAFT_WARNING_DAYS)
    warned = expired = 0
    for application in Application.objects.filter(
        state="draft", warned_at__isnull=True, expires_at__lte=moment + warn_before,
        expires_at__gt=moment,
    ):  # fmt: skip
        notify(application.applicant, application,
               _("Your draft %(number)s will be removed on %(day)s unless you continue it."),
               number=application.number,
               day=timezone.localtime(application.expires_at).date())  # fmt: skip
        application.warned_at = moment
        application.save(update_fields=["warned_at"])
        warned += 1
    for application in Application.objects.filter(state="draft", expires_at__lte=moment):
        move(application, states.APPLICATION, "expire", None)
        expired += 1
    return warned, expired
