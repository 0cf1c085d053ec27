"""Write a catalogue version out: CPSV-AP 3.2.0 JSON-LD, or our own YAML folder.

The JSON-LD carries its context inline, so a processor needs no network. Chinese time
limits count working days, which xsd:duration cannot say: they go in tongban
extension terms (prefix ``tb``) next to the CPSV-AP ones.
"""

from pathlib import Path
from typing import Any

import yaml
from django.db.models import Q

from tongban.core.bilingual import pair

from .models import (
    CatalogueVersion,
    Department,
    Event,
    EvidenceType,
    Region,
    ServiceCentre,
    Theme,
)
from .versions import matter_record, matters_of

CURRENCY_CNY = "http://publications.europa.eu/resource/authority/currency/CNY"

CONTEXT: dict[str, Any] = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "tb": "urn:tongban:vocab#",
    "PublicService": "cpsv:PublicService",
    "PublicOrganisation": "cv:PublicOrganisation",
    "Evidence": "cv:Evidence",
    "EvidenceType": "cv:EvidenceType",
    "Requirement": "cv:Requirement",
    "Cost": "cv:Cost",
    "Channel": "cv:Channel",
    "Output": "cv:Output",
    "Rule": "cpsv:Rule",
    "LifeEvent": "cv:LifeEvent",
    "BusinessEvent": "cv:BusinessEvent",
    "identifier": "dct:identifier",
    "title": {"@id": "dct:title", "@container": "@language"},
    "description": {"@id": "dct:description", "@container": "@language"},
    "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
    "spatial": {"@id": "dct:spatial", "@type": "@id"},
    "type": {"@id": "dct:type", "@type": "@id"},
    "conformsTo": {"@id": "dct:conformsTo", "@type": "@id"},
    "hasCompetentAuthority": {"@id": "cv:hasCompetentAuthority", "@type": "@id"},
    "hasInput": "cpsv:hasInput",
    "hasInputType": {"@id": "cv:hasInputType", "@type": "@id"},
    "holdsRequirement": "cv:holdsRequirement",
    "hasSupportingEvidence": {"@id": "cv:hasSupportingEvidence", "@type": "@id"},
    "produces": "cpsv:produces",
    "hasCost": "cv:hasCost",
    "hasValue": {"@id": "cv:hasValue", "@type": "xsd:double"},
    "currency": {"@id": "cv:currency", "@type": "@id"},
    "hasChannel": "cv:hasChannel",
    "follows": "cpsv:follows",
    "isGroupedBy": {"@id": "cv:isGroupedBy", "@type": "@id"},
    "thematicArea": {"@id": "cv:thematicArea", "@type": "@id"},
    "matterType": "tb:matterType",
    "statutoryWorkingDays": {"@id": "tb:statutoryWorkingDays", "@type": "xsd:integer"},
    "promisedWorkingDays": {"@id": "tb:promisedWorkingDays", "@type": "xsd:integer"},
    "instant": {"@id": "tb:instant", "@type": "xsd:boolean"},
    "onTheSpot": {"@id": "tb:onTheSpot", "@type": "xsd:boolean"},
    "cityWide": {"@id": "tb:cityWide", "@type": "xsd:boolean"},
    "coImplementedBy": {"@id": "tb:coImplementedBy", "@type": "@id"},
    "tolerable": {"@id": "tb:tolerableAbsence", "@type": "xsd:boolean"},
    "validityMonths": {"@id": "tb:validityMonths", "@type": "xsd:integer"},
}


def _text(en: str, zh: str) -> dict[str, str]:
    return {k: v for k, v in (("en", en), ("zh-Hans", zh)) if v}


def cpsv_ap(version: CatalogueVersion, *, base: str = "") -> dict[str, Any]:
    district = version.district
    base = base or f"urn:tongban:{district.code}/"

    def iri(kind: str, code: str) -> str:
        return f"{base}{kind}/{code}"

    matters = list(matters_of(version))
    graph: list[dict[str, Any]] = [
        {
            "@id": iri("department", d.code),
            "@type": "PublicOrganisation",
            "identifier": d.credit_code or d.code,
            "prefLabel": _text(d.name_en, d.name_zh),
            "spatial": iri("region", d.region.code),
        }
        for d in Department.objects.filter(region=district).select_related("region")
    ]
    graph += [
        {"@id": iri("evidence-type", e.code), "@type": "EvidenceType", "identifier": e.code,
         "title": _text(e.name_en, e.name_zh)}
        for e in EvidenceType.objects.all()
    ]  # fmt: skip
    graph += [
        {
            "@id": iri("event", e.code),
            "@type": "LifeEvent" if e.kind == Event.Kind.LIFE else "BusinessEvent",
            "identifier": e.code,
            "title": _text(e.name_en, e.name_zh),
        }
        for e in Event.objects.all()
    ]
    graph += [_service(m, iri) for m in matters]
    return {"@context": CONTEXT, "@graph": graph}


def _service(m, iri) -> dict[str, Any]:
    own = iri("matter", m.code)
    materials = list(m.materials.all())
    node: dict[str, Any] = {
        "@id": own,
        "@type": "PublicService",
        "identifier": m.implementation_code,
        "title": _text(m.name_en, m.name_zh),
        "description": _text(m.description_en, m.description_zh),
        "hasCompetentAuthority": [iri("department", m.department.code)],
        "spatial": iri("region", m.version.district.code),
        "matterType": m.type,
        "promisedWorkingDays": m.promised_days,
        "instant": m.kind == "instant",
        "onTheSpot": m.on_the_spot,
        "cityWide": m.city_wide,
        "hasInput": [
            {
                "@id": f"{own}/material/{i + 1}",
                "@type": "Evidence",
                "identifier": f"{m.code}-material-{i + 1}",
                "title": _text(x.name_en, x.name_zh),
                "tolerable": not x.principal,
                **({"conformsTo": iri("evidence-type", x.evidence.code)} if x.evidence else {}),
            }
            for i, x in enumerate(materials)
        ],
        "hasInputType": sorted({iri("evidence-type", x.evidence.code)
                                for x in materials if x.evidence}),
        "holdsRequirement": [
            {"@id": f"{own}/requirement/{i + 1}", "@type": "Requirement",
             "identifier": f"{m.code}-requirement-{i + 1}", "title": _text(en, zh)}
            for i, (en, zh) in enumerate(_pairs(m.conditions_en, m.conditions_zh))
        ],
        "follows": [
            {"@id": f"{own}/rule/{i + 1}", "@type": "Rule", "identifier": f"{m.code}-rule-{i + 1}",
             "title": _text(en, zh), "description": _text(en, zh)}
            for i, (en, zh) in enumerate(_pairs(m.legal_basis_en, m.legal_basis_zh))
        ],
        "hasChannel": [
            {"@id": f"{own}/channel/{c}", "@type": "Channel", "identifier": f"{m.code}-{c}",
             "type": f"urn:tongban:vocab:channel/{c}"}
            for c in m.channels
        ],
        "hasCost": [
            {"@id": f"{own}/cost/{i + 1}", "@type": "Cost", "identifier": f"{m.code}-cost-{i + 1}",
             "description": _text(f.name_en, f.name_zh), "currency": CURRENCY_CNY,
             **({"hasValue": float(f.amount)} if f.amount is not None else {})}
            for i, f in enumerate(m.fees.all())
        ],
        "isGroupedBy": [iri("event", e.code) for e in m.events.all()],
        "thematicArea": [iri("theme", t.code) for t in m.themes.all()],
        "coImplementedBy": [iri("department", d.code) for d in m.co_departments.all()],
    }  # fmt: skip
    if m.statutory_days is not None:
        node["statutoryWorkingDays"] = m.statutory_days
    if m.result_name_en:
        node["produces"] = [
            {
                "@id": f"{own}/output",
                "@type": "Output",
                "identifier": f"{m.code}-output",
                "title": _text(m.result_name_en, m.result_name_zh),
                **(
                    {"validityMonths": m.result_validity_months} if m.result_validity_months else {}
                ),
            }
        ]
    return node


def _pairs(en: str, zh: str) -> list[tuple[str, str]]:
    lines_en = [line.strip() for line in en.splitlines() if line.strip()]
    lines_zh = [line.strip() for line in zh.splitlines() if line.strip()]
    return list(zip(lines_en, lines_zh, strict=False))


# Our own YAML format (docs/catalogue-format.md): what `catalogue load` reads back.

MATTER_DEFAULTS: dict[str, Any] = {
    "level": "county", "co_departments": [], "statutory_days": None, "fees": [],
    "appointment": False, "courier_delivery": False, "on_the_spot": False, "city_wide": False,
    "pre_service": False, "result": None, "themes": [], "events": [], "unverified": [],
}  # fmt: skip
MATERIAL_DEFAULTS: dict[str, Any] = {
    "evidence": None, "originals": 1, "copies": 0, "required": True, "principal": True,
    "format": "either", "issuer": None, "note": None, "unverified": False,
}  # fmt: skip


def _compact(record: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in defaults or defaults[k] != v}


def _yaml_matter(record: dict[str, Any]) -> dict[str, Any]:
    record = _compact(record, MATTER_DEFAULTS)
    record["materials"] = [_compact(x, MATERIAL_DEFAULTS) for x in record["materials"]]
    for fee in record.get("fees", []):
        if fee["amount"] is not None:
            fee["amount"] = float(fee["amount"])
    return record


def _organisations(district: Region) -> dict[str, Any]:
    city = district.parent
    tree = {
        "city": {"code": city.code, "name": pair(city, "name")},
        "district": {"code": district.code, "name": pair(district, "name")},
        "subdistricts": [
            {"code": r.code, "kind": r.kind, "name": pair(r, "name")}
            for r in district.children.order_by("code")
        ],
    }
    departments = [
        _drop_empty(
            {
                "code": d.code,
                "name": pair(d, "name"),
                "short_name_zh": d.short_name_zh,
                "credit_code": d.credit_code,
                "phone": d.phone,
                "address": pair(d, "address"),
                "unverified": d.unverified,
            }
        )
        for d in district.departments.order_by("pk")
    ]
    centres = ServiceCentre.objects.filter(
        Q(region=district) | Q(region__parent=district)
    ).select_related("region")
    centre_records = [
        _drop_empty(
            {
                "code": c.code,
                "kind": c.kind,
                "region": c.region.code if c.region_id != district.pk else None,
                "name": pair(c, "name"),
                "address": pair(c, "address"),
                "hours": c.opening_hours and c.opening_hours.texts(),
                "phone": c.phone,
                "unverified": c.unverified,
            }
        )
        for c in centres.order_by("pk")
    ]
    return {"district.yaml": tree, "departments.yaml": departments, "centres.yaml": centre_records}


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def yaml_folder(version: CatalogueVersion, folder: Path) -> list[Path]:
    """Write the version as a district folder that `catalogue load` reads back."""
    documents: dict[str, Any] = _organisations(version.district)
    documents["evidence-types/all.yaml"] = [
        _drop_empty(
            {
                "code": e.code,
                "name": pair(e, "name"),
                "issuer": pair(e, "issuer"),
                "personal": e.personal or None,
                "unverified": e.unverified,
            }
        )
        for e in EvidenceType.objects.all()
    ]
    documents["themes.yaml"] = [
        {"code": t.code, "audience": t.audience, "name": pair(t, "name")}
        for t in Theme.objects.all()
    ]
    documents["events.yaml"] = [
        {"code": e.code, "kind": e.kind, "name": pair(e, "name")} for e in Event.objects.all()
    ]
    by_department: dict[str, list] = {}
    for matter in matters_of(version):
        record = _yaml_matter(matter_record(matter))
        by_department.setdefault(f"matters/{matter.department.code}.yaml", []).append(record)
    documents.update(by_department)
    written = []
    for name, document in documents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
        written.append(path)
    return written
