"""Catalogue versions: write a version's rows from matter records, read them back.

A record is the dict content.py makes from YAML. ``records(version)`` turns the rows
back into the same dicts, so a version's digest tells whether two catalogues are the
same, and ``export`` writes files that load back into an identical version.
"""

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.audit.services import record as audit
from tongban.core.bilingual import pair

from .models import (
    CatalogueVersion,
    Department,
    Event,
    EvidenceType,
    Fee,
    Material,
    Matter,
    Region,
    Theme,
)
from .queries import current, forget_served_version
from .search import matter_search_text


class DraftPending(Exception):
    """An editor's unpublished changes would be lost."""


def digest(matters: list[dict[str, Any]]) -> str:
    """Fingerprint of the content; the order of the matters does not count."""
    ordered = sorted(matters, key=lambda m: m["code"])
    canonical = json.dumps(ordered, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def draft(district: Region) -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(district=district, published_at__isnull=True).first()


def _lines(items: list[dict[str, str]], lang: str) -> str:
    return "\n".join(item[lang] for item in items)


def _pair_fields(prefix: str, texts: dict[str, str] | None) -> dict[str, str]:
    texts = texts or {"en": "", "zh": ""}
    return {f"{prefix}_en": texts["en"], f"{prefix}_zh": texts["zh"]}


def create_version(
    district: Region, matters: list[dict[str, Any]], *, source: str, publish: bool, by: str = ""
) -> CatalogueVersion:
    """Write a new version holding ``matters`` (records in content.py's shape)."""
    number = (district.catalogue_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = CatalogueVersion.objects.create(
        district=district,
        number=number,
        source=source,
        digest=digest(matters),
        published_at=timezone.now() if publish else None,
        published_by=by if publish else "",
    )
    departments = {d.code: d for d in Department.objects.all()}
    evidence = dict(EvidenceType.objects.values_list("code", "pk"))
    themes = dict(Theme.objects.values_list("code", "pk"))
    events = dict(Event.objects.values_list("code", "pk"))
    rows = [
        _matter_row(version, position, m, departments, evidence)
        for position, m in enumerate(matters)
    ]
    Matter.objects.bulk_create(rows, batch_size=500)
    materials, fees, links = [], [], {"co": [], "themes": [], "events": []}
    for row, m in zip(rows, matters, strict=True):
        materials += [_material_row(row, i, x, evidence) for i, x in enumerate(m["materials"])]
        fees += [_fee_row(row, i, fee) for i, fee in enumerate(m["fees"])]
        links["co"] += [
            Matter.co_departments.through(matter_id=row.pk, department_id=departments[c].pk)
            for c in m["co_departments"]
        ]
        links["themes"] += [
            Matter.themes.through(matter_id=row.pk, theme_id=themes[c]) for c in m["themes"]
        ]
        links["events"] += [
            Matter.events.through(matter_id=row.pk, event_id=events[c]) for c in m["events"]
        ]
    Material.objects.bulk_create(materials, batch_size=1000)
    Fee.objects.bulk_create(fees, batch_size=1000)
    for through_rows in links.values():
        if through_rows:
            type(through_rows[0]).objects.bulk_create(through_rows, batch_size=1000)
    return version


def _matter_row(
    version: CatalogueVersion,
    position: int,
    m: dict,
    departments: dict[str, Department],
    evidence: dict[str, int],
) -> Matter:
    department = departments[m["department"]]
    result = m["result"] or {"name": None, "validity_months": None, "evidence": None}
    return Matter(
        version=version,
        position=position,
        code=m["code"],
        basic_code=m["basic_code"],
        implementation_code=f"{version.district.code}{m['basic_code']}",
        **_pair_fields("name", m["name"]),
        **_pair_fields("description", m["description"]),
        type=m["type"],
        level=m["level"],
        department=department,
        legal_basis_en=_lines(m["legal_basis"], "en"),
        legal_basis_zh=_lines(m["legal_basis"], "zh"),
        conditions_en=_lines(m["conditions"], "en"),
        conditions_zh=_lines(m["conditions"], "zh"),
        steps_en=_lines(m["steps"], "en"),
        steps_zh=_lines(m["steps"], "zh"),
        statutory_days=m["statutory_days"],
        promised_days=m["promised_days"],
        kind=m["kind"],
        audience=m["audience"],
        channels=m["channels"],
        appointment=m["appointment"],
        courier_delivery=m["courier_delivery"],
        counter=m["counter"],
        on_the_spot=m["on_the_spot"],
        city_wide=m["city_wide"],
        pre_service=m["pre_service"],
        **_pair_fields("result_name", result["name"]),
        result_validity_months=result["validity_months"],
        result_evidence_id=evidence[result["evidence"]] if result["evidence"] else None,
        unverified=m["unverified"],
        search_text=matter_search_text(
            m["name"], m["result"], f"{m['code']} {m['basic_code']}", department
        ),
    )


def _material_row(matter: Matter, position: int, x: dict, evidence: dict[str, int]) -> Material:
    return Material(
        matter=matter,
        position=position,
        evidence_id=evidence[x["evidence"]] if x["evidence"] else None,
        **_pair_fields("name", x["name"]),
        originals=x["originals"],
        copies=x["copies"],
        required=x["required"],
        principal=x["principal"],
        format=x["format"],
        **_pair_fields("issuer", x["issuer"]),
        **_pair_fields("note", x["note"]),
        unverified=x["unverified"],
    )


def _fee_row(matter: Matter, position: int, fee: dict) -> Fee:
    return Fee(
        matter=matter,
        position=position,
        **_pair_fields("name", fee["name"]),
        amount=None if fee["amount"] is None else Decimal(fee["amount"]),
        **_pair_fields("basis", fee["basis"]),
    )


def _items(obj: Any, prefix: str) -> list[dict[str, str]]:
    en = [line for line in getattr(obj, f"{prefix}_en").splitlines() if line.strip()]
    zh = [line for line in getattr(obj, f"{prefix}_zh").splitlines() if line.strip()]
    return [{"en": e.strip(), "zh": z.strip()} for e, z in zip(en, zh, strict=False)]


def matters_of(version: CatalogueVersion):
    return (
        version.matters.select_related("department", "result_evidence")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.select_related("evidence")),
            "fees",
            "co_departments",
            "themes",
            "events",
        )
        .order_by("position", "code")
    )


def records(version: CatalogueVersion) -> list[dict[str, Any]]:
    """The version's matters as records, in content.py's shape."""
    return [matter_record(m) for m in matters_of(version)]


def matter_record(m: Matter) -> dict[str, Any]:
    result = None
    if m.result_name_en or m.result_name_zh:
        result = {
            "name": pair(m, "result_name"),
            "validity_months": m.result_validity_months,
            "evidence": m.result_evidence.code if m.result_evidence else None,
        }
    return {
        "code": m.code,
        "basic_code": m.basic_code,
        "name": pair(m, "name"),
        "description": pair(m, "description"),
        "type": m.type,
        "level": m.level,
        "department": m.department.code,
        "co_departments": sorted(d.code for d in m.co_departments.all()),
        "legal_basis": _items(m, "legal_basis"),
        "conditions": _items(m, "conditions"),
        "steps": _items(m, "steps"),
        "statutory_days": m.statutory_days,
        "promised_days": m.promised_days,
        "kind": m.kind,
        "fees": [
            {
                "name": pair(f, "name"),
                "amount": None if f.amount is None else str(f.amount.quantize(Decimal("0.01"))),
                "basis": pair(f, "basis"),
            }
            for f in m.fees.all()
        ],
        "audience": list(m.audience),
        "channels": list(m.channels),
        "counter": m.counter,
        "appointment": m.appointment,
        "courier_delivery": m.courier_delivery,
        "on_the_spot": m.on_the_spot,
        "city_wide": m.city_wide,
        "pre_service": m.pre_service,
        "result": result,
        "themes": sorted(t.code for t in m.themes.all()),
        "events": sorted(e.code for e in m.events.all()),
        "materials": [
            {
                "evidence": x.evidence.code if x.evidence else None,
                "name": pair(x, "name"),
                "originals": x.originals,
                "copies": x.copies,
                "required": x.required,
                "principal": x.principal,
                "format": x.format,
                "issuer": pair(x, "issuer"),
                "note": pair(x, "note"),
                "unverified": x.unverified,
            }
            for x in m.materials.all()
        ],
        "unverified": list(m.unverified),
    }


def normalise(matters: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as they come back from the database (sorted link lists)."""
    out = []
    for m in matters:
        m = dict(m)
        for key in ("co_departments", "themes", "events"):
            m[key] = sorted(m[key])
        out.append(m)
    return out


@transaction.atomic
def load_version(
    district: Region, matters: list[dict[str, Any]], *, discard_draft: bool = False
) -> tuple[CatalogueVersion, bool]:
    """Publish loaded content as a new version; (version, created). Same content: no new one."""
    matters = normalise(matters)
    pending = draft(district)
    edited = pending is not None and pending.digest != digest(records(pending))
    if edited and not discard_draft:
        raise DraftPending(
            f"an editor's draft v{pending.number} of {district.code} has unpublished changes"
        )
    if pending is not None:
        pending.delete()
    latest = current(district)
    if latest is not None and latest.digest == digest(matters):
        return latest, False
    version = create_version(district, matters, source=CatalogueVersion.Source.LOAD, publish=True)
    _audit(AuditEntry.Action.LOAD, version, matters=len(matters))
    forget_served_version()
    return version, True


@transaction.atomic
def start_draft(district: Region) -> CatalogueVersion:
    """The district's draft, made from the current version if there is none yet."""
    existing = draft(district)
    if existing is not None:
        return existing
    latest = current(district)
    matters = records(latest) if latest else []
    version = create_version(district, matters, source=CatalogueVersion.Source.DRAFT, publish=False)
    _audit(AuditEntry.Action.CREATE, version, based_on=latest.number if latest else None)
    return version


@transaction.atomic
def publish_draft(district: Region, by: str) -> CatalogueVersion:
    """Publish the draft as the new current version."""
    pending = draft(district)
    if pending is None:
        raise CatalogueVersion.DoesNotExist(f"{district.code} has no draft to publish")
    version = CatalogueVersion.objects.select_for_update().get(pk=pending.pk)
    version.digest = digest(records(version))
    version.published_at = timezone.now()
    version.published_by = by
    version.save(update_fields=["digest", "published_at", "published_by"])
    _audit(AuditEntry.Action.PUBLISH, version)
    forget_served_version()
    return version


def _audit(action: str, version: CatalogueVersion, **facts: Any) -> None:
    audit(
        action,
        object_type=version._meta.label_lower,
        object_id=version.pk,
        object_label=str(version),
        after={"number": version.number, **facts},
    )


def record_matter_edit(before: dict | None, matter: Matter | None, *, label: str = "") -> None:
    """Audit an editor's change to a draft matter: the whole record before and after."""
    after = matter_record(matter) if matter is not None else None
    if before == after:
        return
    if before is None:
        action, changed = AuditEntry.Action.CREATE, None
    elif after is None:
        action, changed = AuditEntry.Action.DELETE, None
    else:
        action = AuditEntry.Action.UPDATE
        changed = sorted(k for k in after if before.get(k) != after[k])
    audit(
        action,
        object_type=Matter._meta.label_lower,
        object_id=matter.pk if matter else "",
        object_label=label or str(matter),
        before={k: before[k] for k in changed} if changed and before else before,
        after={k: after[k] for k in changed} if changed and after else after,
    )
