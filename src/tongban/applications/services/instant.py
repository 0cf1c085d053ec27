"""Instant matters (即办件): decided at acceptance by whoever accepts, not by a department.

An instant matter (catalogue ``kind: instant``; a matter done on the spot, ``on_the_spot``,
is always instant) needs no substantive review once its materials are complete and in due
form, so the clerk who accepts the application decides it there: approved, unless the
clerk refuses it with a reason. An application accepted automatically (all its matters
online only) has its instant matters approved at acceptance. Two go to their department as
before: one that waits for another matter's result (it starts later, with no clerk at
hand) and one whose fee the catalogue leaves to be assessed. The rules: docs/case-rules.md.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import Matter

from ..models import Application, ApplicationMatter
from . import fees
from .errors import CaseError
from .review import record_approval, record_refusal


def decidable(application: Application) -> dict[str, Decimal | None]:
    """The instant matters the accepting clerk decides, each with the fee it costs."""
    found: dict[str, Decimal | None] = {}
    for task in application.matters.filter(lead=True).select_related("matter"):
        matter = task.matter
        if matter.kind != Matter.Kind.INSTANT or task.after:
            continue
        try:
            found[matter.code] = fees.assess(matter, None)
        except CaseError:
            continue  # a fee to be assessed: its department assesses it
    return found


def check_refusals(application: Application, refusals: dict[str, str]) -> None:
    """Refusals name instant matters the clerk decides, each with its reason."""
    codes = decidable(application)
    unknown = sorted(set(refusals) - set(codes))
    if unknown:
        raise CaseError(_("Only instant matters are decided at acceptance, not: %(matters)s.")
                        % {"matters": ", ".join(unknown)}, "refuse")  # fmt: skip
    for code, reason in refusals.items():
        if not reason.strip():
            raise CaseError(_("A refusal needs its reason and legal ground: %(matter)s.")
                            % {"matter": code}, "refuse")  # fmt: skip


def decide(application: Application, clerk, codes: dict[str, Decimal | None],
           refusals: dict[str, str]) -> None:  # fmt: skip
    """Decide the instant matters of an application just accepted (its clocks started)."""
    tasks = list(
        ApplicationMatter.objects.select_for_update()
        .filter(application=application, matter__code__in=codes)
        .select_related("application", "matter")
        .order_by("order", "-lead", "pk")
    )
    for task in tasks:
        task.refresh_from_db(fields=["state"])  # a refusal closes the matter's other tasks
        if task.state != "reviewing":
            continue
        code = task.matter.code
        if code in refusals:
            record_refusal(task, clerk, refusals[code])
        else:
            record_approval(task, clerk, codes[code] if task.lead else None)
