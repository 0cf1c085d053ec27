"""The joint opening of a business (证照联办): in one application, a matter that needs the
result of another waits for it.

A matter waits for the earlier matters of the application whose result (the catalogue's
``result.evidence``) it asks for as a material, and for those its guidance names in
``after:`` (unless ``TONGBAN_WAIT_FOR_AFTER`` is off).
The pre-check does not ask the applicant for such a material. While a matter waits its
task is "waiting" and its clock has not started. When every matter it waits for is
approved, their certificates are issued at once and become its material, and its clock
starts; when one of them is not approved, the matters waiting for it are withdrawn with the
reason. The rules: docs/case-rules.md.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import move
from tongban.notifications.services import notify

from .. import issuing, states
from ..models import Application, ApplicationMaterial, ApplicationMatter
from . import clocks


def chain(application: Application, after: dict[str, list[str]]) -> None:
    """Record what each matter of a new application waits for, and which material lines
    its other matters' results will serve."""
    tasks = list(application.matters.select_related("matter__result_evidence"))
    order = {t.matter.code: t.order for t in tasks}
    issuers = {t.matter.result_evidence.code: t.matter.code
               for t in tasks if t.lead and t.matter.result_evidence_id}  # fmt: skip
    if not settings.TONGBAN_WAIT_FOR_AFTER:
        after = {}
    waits = {code: {c for c in after.get(code, ()) if c in order} for code in order}
    for line in application.materials.filter(evidence__in=issuers):
        source = issuers[line.evidence]
        # Only an earlier matter's result, so no two matters wait for each other.
        if any(order.get(code, -1) <= order[source] for code in line.matter_codes):
            continue
        line.from_matter, line.status = source, ApplicationMaterial.Status.AWAITED
        line.save(update_fields=["from_matter", "status"])
        for code in line.matter_codes:
            waits[code].add(source)
    for task in tasks:
        task.after = sorted(c for c in waits[task.matter.code] if order[c] < task.order)
        if task.after:
            task.save(update_fields=["after"])


def settle(application: Application, matter_id: int) -> None:
    """After a decision: once every department of the matter has decided, issue its result
    early and start the matters no longer waiting, or withdraw those waiting for it."""
    tasks = list(application.matters.select_related("matter"))
    decided = [t for t in tasks if t.matter_id == matter_id]
    if any(t.state not in states.DECIDED for t in decided):
        return
    code = decided[0].matter.code
    waiting = [t for t in tasks if t.state == "waiting" and code in t.after]
    if not waiting:
        return
    if states.outcome(t.state for t in decided) != "approved":
        _give_up(application, tasks, decided[0])
        return
    issuing.issue_early(application, next(t for t in decided if t.lead))
    # An approved matter's result was issued at its approval (if it has one).
    codes = {t.matter.code for t in tasks}
    granted = {c for c in codes if _outcome(tasks, c) == "approved"}
    day = clocks.today()
    for task in waiting:
        if set(task.after) <= granted:
            move(task, states.REVIEW, "start", None)
            clocks.start_clock(task, day)


def _outcome(tasks: list[ApplicationMatter], code: str) -> str:
    return states.outcome(t.state for t in tasks if t.matter.code == code)


def _give_up(application: Application, tasks: list[ApplicationMatter], failed) -> None:
    """Withdraw the matters waiting, directly or through others, for a matter not approved."""
    matter = failed.matter
    reason = (f"需要本申请中“{matter.name_zh}”的结果，该事项未获批准。"
              f" Needs the result of {matter.name_en}, which was not granted.")  # fmt: skip
    lost = {matter.code}
    for task in tasks:  # in order: a matter waits only for earlier ones
        if task.state == "waiting" and lost & set(task.after):
            move(task, states.REVIEW, "withdraw", None, decided_at=clocks.now(), reason=reason)
            lost.add(task.matter.code)
            notify(application.applicant, application,
                   _("%(matter)s is withdrawn: it needs the result of %(needed)s, which was not "
                     "granted."),
                   matter=task.matter.name_en, needed=matter.name_en)  # fmt: skip
