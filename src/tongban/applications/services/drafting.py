"""The applicant's draft: started from a guidance sheet or a matter, filled once, its
materials uploaded or reused from the vault."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record
from tongban.catalogue.models import (
    CatalogueVersion,
    Channel,
    CounterKind,
    Material,
    Matter,
    ServiceCentre,
    serves,
)
from tongban.core.bilingual import prefers_chinese
from tongban.guidance.services import InvalidSheet, read_sheet
from tongban.notifications.services import notify

from .. import access, states
from ..models import (
    Application,
    ApplicationMaterial,
    ApplicationMatter,
    Document,
    IssuedDocument,
    SupplementRequest,
)
from ..uploads import StoredFile, UploadRejected, store_upload
from . import clocks, joint
from .data import clean_data, prefill
from .errors import CaseError


def _new_number(version: CatalogueVersion) -> str:
    return f"{version.district.code}{clocks.today():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _centre(version: CatalogueVersion) -> ServiceCentre:
    centre = (
        ServiceCentre.objects.filter(region__code=version.district.code, kind="administrative")
        .order_by("pk")
        .first()
    )
    if centre is None:
        raise CaseError(_("This district has no administrative service centre to apply to."))
    return centre


def accepting_counter(counters: Iterable[str]) -> str:
    """The counter kind that accepts matters of these kinds: their own when they share one,
    else the comprehensive (one-window) counter, which accepts for every sector."""
    kinds = set(counters)
    return kinds.pop() if len(kinds) == 1 else CounterKind.COMPREHENSIVE


def _create(user, version: CatalogueVersion, title: dict, counter: str, **fields) -> Application:
    access.require(access.is_applicant(user))
    centre = fields.pop("centre", None) or _centre(version)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Application.objects.create(
                    number=_new_number(version),
                    applicant=user,
                    centre=centre,
                    version=version,
                    counter=counter,
                    title_en=title["en"][:200],
                    title_zh=title["zh"][:200],
                    expires_at=clocks.now() + timedelta(days=settings.TONGBAN_DRAFT_DAYS),
                    **fields,
                )
        except IntegrityError:
            continue
    raise CaseError(_("Could not give the application a number; please try again."))


def start_from_sheet(user, version: CatalogueVersion, token: str) -> Application:
    """One application for the matters of a guidance sheet link, once every question of the
    sheet has a valid answer (``guidance.services.GuidanceUnavailable`` passes through)."""
    try:
        sheet = read_sheet(token)
    except InvalidSheet:
        raise CaseError(_("This sheet link has expired: please answer the questions again."),
                        "sheet") from None  # fmt: skip
    if not sheet.plan.complete:
        raise CaseError(_("Answer every question of the sheet before applying."), "sheet")
    return start_from_plan(user, version, sheet.guide, sheet.plan)


def require_served(user, names: list[str], field: str) -> None:
    if not names:
        return
    if user.kind == "person":
        message = _("Only organisations may apply for: %(matters)s. Sign in with an enterprise "
                    "account.")  # fmt: skip
    else:
        message = _("Only natural persons may apply for: %(matters)s.")
    raise CaseError(message % {"matters": "; ".join(names)}, field)


def _online(plan) -> list:
    """The matters of a plan that can be applied for online; the others stay at the counter."""
    return [m for m in plan.matters if Channel.ONLINE in m.record["channels"]]


@transaction.atomic
def start_from_plan(user, version: CatalogueVersion, guide, plan) -> Application:
    """One application for every matter of a guidance sheet that can be applied for online,
    its documents merged; counter-only matters are left out (the sheet marks them)."""
    access.require(access.is_applicant(user))
    if not plan.matters:
        raise CaseError(_("This sheet has no matters to apply for."))
    planned_matters = _online(plan)
    if not planned_matters:
        raise CaseError(_("None of these matters can be applied for online: apply at the "
                          "counter."), "sheet")  # fmt: skip
    language = "zh" if prefers_chinese() else "en"
    require_served(user, [m.record["name"][language] for m in planned_matters
                           if not serves(m.record["audience"], user.kind)], "sheet")  # fmt: skip
    codes = {m.code for m in planned_matters}
    scenario = guide.scenarios[plan.scenario]
    application = _create(
        user,
        version,
        scenario.name,
        accepting_counter(m.record["counter"] for m in planned_matters),
        scenario=plan.scenario,
        answers=plan.answers,
        data=prefill(user, {**plan.answers, **scenario.preset}),
    )
    matters = Matter.objects.filter(version=version).prefetch_related("co_departments")
    by_code = {m.code: m for m in matters}
    for planned in planned_matters:
        add_tasks(application, by_code[planned.code], planned.order)
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            key=item.key[:200],
            evidence=item.evidence or "",
            name_en=item.name["en"][:200],
            name_zh=item.name["zh"][:200],
            principal=item.principal,
            matter_codes=[code for code in item.matters if code in codes],
            originals=item.originals,
            copies=item.copies,
        )
        for item in plan.materials
        if codes.intersection(item.matters)
    )
    joint.chain(application, {m.code: m.after for m in plan.matters})
    _audit_created(application, user)
    return application


@transaction.atomic
def start_from_matter(user, matter: Matter) -> Application:
    access.require(access.is_applicant(user))
    if not matter.online:
        raise CaseError(_("%(matter)s cannot be applied for online: apply at the counter.")
                        % {"matter": matter.name}, "matter")  # fmt: skip
    require_served(user, [] if serves(matter.audience, user.kind) else [matter.name], "matter")
    application = _create(
        user,
        matter.version,
        {"en": matter.name_en, "zh": matter.name_zh},
        matter.counter,
        data=prefill(user, {}),
    )
    add_tasks(application, matter)
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            key=material_key(matter.code, x),
            evidence=x.evidence.code if x.evidence else "",
            name_en=x.name_en[:200],
            name_zh=x.name_zh[:200],
            principal=x.principal,
            matter_codes=[matter.code],
            originals=x.originals,
            copies=x.copies,
        )
        for x in matter.materials.select_related("evidence").filter(required=True)
    )
    _audit_created(application, user)
    return application


@transaction.atomic
def start_at_counter(
    clerk, person, matters: list[Matter], *, counter_number: int | None = None,
    data: dict | None = None,
) -> Application:  # fmt: skip
    """An application a clerk starts at the counter on a person's behalf, accepted at the
    clerk's centre: counter-only matters too, their materials merged as online."""
    access.require(access.is_clerk(clerk))
    if not matters:
        raise CaseError(_("Choose the matters of the case."), "matters")
    require_served(person, [m.name for m in matters
                            if not serves(m.audience, person.kind)], "matters")  # fmt: skip
    names = [(m.name_en, m.name_zh) for m in matters]
    application = _create(
        person,
        matters[0].version,
        {"en": "; ".join(en for en, _zh in names), "zh": "；".join(zh for _en, zh in names)},
        accepting_counter(m.counter for m in matters),
        centre=clerk.centre,
        channel="counter",
        counter_number=counter_number,
        data={**prefill(person, {}), **(data or {})},
    )
    for order, matter in enumerate(matters):
        add_tasks(application, matter, order)
        add_materials(application, matter)
    _audit_created(application, clerk)
    return application


def add_materials(application: Application, matter: Matter) -> None:
    """The matter's required materials on the application, a line another matter already
    asks for (same evidence type) shared."""
    lines = {line.key: line for line in application.materials.all()}
    for material in matter.materials.select_related("evidence").filter(required=True):
        key = material_key(matter.code, material)
        line = lines.get(key)
        if line is not None:
            line.matter_codes = [*line.matter_codes, matter.code]
            line.principal = line.principal or material.principal
            line.save(update_fields=["matter_codes", "principal"])
            continue
        lines[key] = ApplicationMaterial.objects.create(
            application=application, key=key, evidence=material.evidence.code
            if material.evidence else "", name_en=material.name_en[:200],
            name_zh=material.name_zh[:200], principal=material.principal,
            matter_codes=[matter.code], originals=material.originals, copies=material.copies,
        )  # fmt: skip


def add_tasks(application: Application, matter: Matter, order: int = 0) -> None:
    """The matter's review tasks: its lead department's and one for each co-implementing
    department, reviewed in parallel."""
    ApplicationMatter.objects.bulk_create(
        [ApplicationMatter(application=application, matter=matter,
                           department_id=matter.department_id, order=order)]
        + [ApplicationMatter(application=application, matter=matter, department=department,
                             order=order, lead=False)
           for department in matter.co_departments.all()]
    )  # fmt: skip


def _audit_created(application: Application, user) -> None:
    record(
        "create",
        object_type="applications.application",
        object_id=application.pk,
        object_label=application.number,
        after={
            "matters": [
                t.matter.code
                for t in application.matters.filter(lead=True).select_related("matter")
            ]
        },  # fmt: skip
        actor=user,
    )


# --- the draft ------------------------------------------------------------------


def require_editable(application: Application) -> None:
    if application.state not in states.EDITABLE:
        raise CaseError(_("This application has been submitted and can no longer be changed."))


def save_data(application: Application, user, raw: dict[str, Any]) -> dict:
    """Keep what was typed, even with errors, so nothing is lost; return the errors."""
    require_editable(application)
    data, errors = clean_data(application, raw)
    application.data = data
    application.expires_at = clocks.now() + timedelta(days=settings.TONGBAN_DRAFT_DAYS)
    application.warned_at = None
    application.save(update_fields=["data", "expires_at", "warned_at", "updated_at"])
    return errors


def post_offered(application: Application) -> bool:
    """Whether the results may be sent by post: only when every matter's result may."""
    return not application.matters.filter(matter__courier_delivery=False).exists()


def set_delivery(application: Application, user, method: str, address: str) -> None:
    if not states.APPLICATION.ahead(application.state, "issue"):
        raise CaseError(_("The results are already on their way; delivery cannot change now."))
    address = address.strip()[:300]
    if method not in ("pickup", "post"):
        raise CaseError(_("Choose pickup or post."), "method")
    if method == "post" and len(address) < 6:
        raise CaseError(_("Give the full postal address for EMS."), "address")
    if method == "post" and not post_offered(application):
        raise CaseError(_("Some results of this application cannot be sent by post: pick them "
                          "up at the centre."), "method")  # fmt: skip
    application.delivery_method = method
    application.delivery_address = address if method == "post" else ""
    application.save(update_fields=["delivery_method", "delivery_address", "updated_at"])


# --- materials "if it applies" ------------------------------------------------------

# Application states until the decision: a tolerated material may be supplied and a material
# "if it applies" added (from submission on, while the case waits for acceptance too).
UNTIL_DECIDED = states.UNDER_REVIEW | {"submitted"}


@dataclass(frozen=True)
class OptionalMaterial:
    """A material the catalogue asks for only "if it applies" (not required) for some matters
    of an application, and not on it yet."""

    key: str
    material: Material  # the first such matter's catalogue line: name, note, counts
    matters: tuple[str, ...]


def material_key(matter_code: str, material: Material) -> str:
    """A material's line in the merged list: its evidence type, or the matter's own form."""
    key = material.evidence.code if material.evidence else f"{matter_code}:{material.name_en}"
    return key[:200]


def optional_materials(application: Application) -> list[OptionalMaterial]:
    """The "if it applies" materials of the application's matters that are not on it yet,
    one per line key, for every matter listing it, in the order of the matters."""
    order = {t.matter_id: (t.order, t.pk) for t in application.matters.all()}
    rows = Material.objects.filter(matter_id__in=list(order), required=False)
    rows = sorted(rows.select_related("evidence", "matter"),
                  key=lambda m: (order[m.matter_id], m.position, m.pk))  # fmt: skip
    present = set(application.materials.values_list("key", flat=True))
    found: dict[str, OptionalMaterial] = {}
    for row in rows:
        key = material_key(row.matter.code, row)
        if key in present:
            continue
        offer = found.get(key)
        found[key] = (OptionalMaterial(key, row, (row.matter.code,)) if offer is None
                      else replace(offer, matters=(*offer.matters, row.matter.code)))  # fmt: skip
    return list(found.values())


def addable_materials(application: Application) -> list[OptionalMaterial]:
    """What the applicant may add now: the materials "if it applies", until the decision."""
    if application.state not in states.EDITABLE | UNTIL_DECIDED:
        return []
    return optional_materials(application)


def optional_line(application: Application, offer: OptionalMaterial) -> ApplicationMaterial:
    """The (unsaved) line a material "if it applies" takes once added or asked for."""
    material = offer.material
    return ApplicationMaterial(
        application=application,
        key=offer.key,
        evidence=material.evidence.code if material.evidence else "",
        name_en=material.name_en[:200],
        name_zh=material.name_zh[:200],
        principal=False,
        optional=True,
        matter_codes=list(offer.matters),
        originals=material.originals,
        copies=material.copies,
    )


# --- the documents --------------------------------------------------------------------


def _material(application: Application, key: str) -> ApplicationMaterial:
    found = application.materials.filter(key=key).first()
    if found is None:
        raise CaseError(_("This application does not ask for that material."), "material")
    return found


def _material_or_optional(application: Application, key: str) -> ApplicationMaterial:
    """A line of the application, or a new one for a material "if it applies" of its
    matters (saved with its document)."""
    found = application.materials.filter(key=key).first()
    if found is not None:
        return found
    offer = next((o for o in optional_materials(application) if o.key == key), None)
    if offer is None:
        raise CaseError(_("This application does not ask for that material."), "material")
    return optional_line(application, offer)


def _may_upload(application: Application, line: ApplicationMaterial) -> bool:
    """Drafts take any material but a result of the application itself; until the decision
    the applicant may supply a tolerated one (from submission, while the case waits for
    acceptance too) and add one "if it applies"; during review, what a reviewer asked for."""
    if line.from_matter:
        return False
    if application.state in states.EDITABLE:
        return True
    if application.state in UNTIL_DECIDED and (
        line.status == ApplicationMaterial.Status.TOLERATED
        or (line.optional and line.document_id is None)
    ):
        return True
    if application.state not in states.UNDER_REVIEW:
        return False
    return _asked_for(application, line.key)


def _asked_for(application: Application, key: str) -> bool:
    # JSON containment is not available on every SQLite build: check in Python.
    return any(
        key in request.material_keys
        for request in SupplementRequest.objects.filter(
            task__application=application, answered_at__isnull=True
        )
    )


def upload(
    application: Application, user, key: str, source, name: str, valid_until: date | None = None
) -> ApplicationMaterial:
    """Store a file in the applicant's vault and let it serve this material line."""
    line = _material_or_optional(application, key)
    if not _may_upload(application, line):
        raise CaseError(_("This material cannot be changed now."), "file")
    try:
        stored = store_upload(source, name)
    except UploadRejected as error:
        raise CaseError(error.message, "file") from error
    document = _vault_document(user, line, stored, valid_until)
    return _use(application, user, line, document, reused=False)


def _vault_document(user, line, stored: StoredFile, valid_until: date | None) -> Document:
    return Document.objects.create(
        owner=user,
        evidence=line.evidence,
        title_en=line.name_en,
        title_zh=line.name_zh,
        name=stored.name,
        path=stored.path,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        pages=stored.pages,
        valid_until=valid_until,
    )


def reuse(application: Application, user, key: str, document_id: int) -> ApplicationMaterial:
    """The applicant consents to reuse a document of their vault for this material."""
    line = _material_or_optional(application, key)
    if not _may_upload(application, line):
        raise CaseError(_("This material cannot be changed now."), "document")
    document = Document.objects.filter(pk=document_id, owner=user).first()
    if document is None:
        raise CaseError(_("That document is not in your vault."), "document")
    if line.evidence and document.evidence and document.evidence != line.evidence:
        raise CaseError(_("That document is of another kind than this material."), "document")
    if document.valid_until and document.valid_until < clocks.today():
        raise CaseError(_("That document expired on %(day)s.") % {"day": document.valid_until})
    return _use(application, user, line, document, reused=True)


def _use(application, user, line, document: Document, *, reused: bool) -> ApplicationMaterial:
    was_owed = line.status == ApplicationMaterial.Status.TOLERATED
    added = line.pk is None
    line.document, line.reused = document, reused
    line.status = ApplicationMaterial.Status.PROVIDED
    if application.state not in states.EDITABLE:
        line.supplied_at = clocks.now()
    _save(line)
    record(
        "update",
        object_type="applications.applicationmaterial",
        object_id=line.pk,
        object_label=f"{application.number} {line.key}",
        after={"document": document.pk, "sha256": document.sha256, "reused": reused,
               "consent": reused, "supplied_after_acceptance": was_owed, "added": added},
        actor=user,
    )  # fmt: skip
    if added and application.state in states.UNDER_REVIEW:
        _tell_reviewers(application, line)
    return line


def _save(line: ApplicationMaterial) -> None:
    if line.pk is not None:
        line.save()
        return
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:  # added twice at once
        raise CaseError(_("This material was just added: reload the page."), "material") from None


def _tell_reviewers(application: Application, line: ApplicationMaterial) -> None:
    """A material "if it applies" added during review: the departments still deciding its
    matters hear of it."""
    tasks = application.matters.filter(matter__code__in=line.matter_codes)
    departments = tasks.exclude(state__in=states.DECIDED).values_list("department_id", flat=True)
    for department in set(departments):
        for reviewer in access.reviewers(department):
            notify(reviewer, application, _("%(number)s: the applicant added %(material)s."),
                   number=application.number, material=line.name_en)  # fmt: skip


def remove_document(application: Application, user, key: str) -> None:
    """Take the document off a line of a draft; a material "if it applies" leaves the list."""
    require_editable(application)
    line = _material(application, key)
    if line.optional:
        line.delete()
        return
    line.document, line.reused = None, False
    line.status = ApplicationMaterial.Status.MISSING
    line.save()


def vault_offers(application: Application) -> dict[str, list[Document]]:
    """For each material line still open, the applicant's valid documents of the same kind
    (not a certificate since revoked)."""
    open_lines = [
        m
        for m in application.materials.all()
        if m.evidence and m.document_id is None and not m.from_matter
    ]
    if not open_lines:
        return {}
    kinds = {m.evidence for m in open_lines}
    revoked = IssuedDocument.objects.filter(revoked_at__isnull=False).values("sha256")
    documents = Document.objects.filter(
        owner_id=application.applicant_id, evidence__in=kinds
    ).exclude(origin=Document.Origin.ISSUED, sha256__in=revoked)
    day = clocks.today()
    offers: dict[str, list[Document]] = {}
    for document in documents:
        if document.valid_until and document.valid_until < day:
            continue
        for line in open_lines:
            if line.evidence == document.evidence:
                offers.setdefault(line.key, []).append(document)
    return offers
