"""Read the catalogue files of a district folder into checked, normalised records.

A matter record is a plain dict in the shape of docs/catalogue-format.md with every
default filled in. The same shape comes back out of the database (versions.py), so
loading, exporting and comparing versions all work on one representation.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tongban.core.yamlfile import ContentError, Mapping, Reader, read

from .models import Audience, Channel, CounterKind, Event, Material, Matter

BASIC_CODE_RE = re.compile(r"^\d{7}$")

MATTER_REQUIRED = {
    "code", "basic_code", "name", "description", "type", "department", "legal_basis",
    "conditions", "steps", "promised_days", "kind", "audience", "channels", "counter",
    "materials",
}  # fmt: skip
MATTER_OPTIONAL = {
    "level", "co_departments", "statutory_days", "fees", "appointment", "courier_delivery",
    "on_the_spot", "city_wide", "pre_service", "result", "themes", "events", "unverified",
}  # fmt: skip
MATERIAL_FIELDS = {
    "evidence", "name", "originals", "copies", "required", "principal", "format", "issuer",
    "note", "unverified",
}  # fmt: skip
FLAGS = ("appointment", "courier_delivery", "on_the_spot", "city_wide", "pre_service")

__all__ = ["CatalogueFiles", "Known", "read_catalogue"]


class CatalogueFiles:
    """What one district folder's catalogue files hold, once checked."""

    def __init__(self) -> None:
        self.evidence_types: list[dict[str, Any]] = []
        self.themes: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.matters: list[dict[str, Any]] = []

    @property
    def has_matters(self) -> bool:
        return bool(self.matters)


class _MatterReader(Reader):
    def integer(self, node: Mapping, field: str, *, default: int | None = None) -> int | None:
        value = node.get(field, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(node, field, "must be a whole number")
            return default
        if value < 0:
            self.error(node, field, "must not be negative")
            return default
        return value

    def flag(self, node: Mapping, field: str, default: bool) -> bool:
        value = node.get(field, default)
        if not isinstance(value, bool):
            self.error(node, field, "must be true or false")
            return default
        return value

    def choice(self, node: Mapping, field: str, choices: list[str], default: str = "") -> str:
        value = node.get(field, default)
        if value not in choices:
            self.error(node, field, f"{value!r} is not one of {', '.join(choices)}")
        return value if isinstance(value, str) else default

    def choices(self, node: Mapping, field: str, choices: list[str]) -> list[str]:
        value = node.get(field, [])
        if not isinstance(value, list) or not value:
            self.error(node, field, "must be a non-empty list")
            return []
        for item in value:
            if item not in choices:
                self.error(node, field, f"{item!r} is not one of {', '.join(choices)}")
        return [v for v in value if v in choices]

    def references(self, node: Mapping, field: str, known: set[str], what: str) -> list[str]:
        value = node.get(field, [])
        if not isinstance(value, list):
            self.error(node, field, "must be a list")
            return []
        for code in value:
            if code not in known:
                self.error(node, field, f"no {what} {code!r}")
        return [c for c in value if c in known]

    def bilingual_list(self, node: Mapping, field: str) -> list[dict[str, str]]:
        value = node.get(field)
        if not isinstance(value, list) or not value:
            self.error(node, field, "must be a non-empty list of {en, zh} texts")
            return []
        items = []
        for item in value:
            holder = Mapping({field: item})
            holder.line = item.line if isinstance(item, Mapping) else node.line_of(field)
            holder.key_lines = {}
            en, zh = self.bilingual(holder, field, required=True, max_length=1000)
            if "\n" in en or "\n" in zh:
                self.error(holder, field, "one line per item")
            items.append({"en": en, "zh": zh})
        return items

    def pair(
        self, node: Mapping, field: str, *, required: bool, max_length: int = 200
    ) -> dict[str, str] | None:
        en, zh = self.bilingual(node, field, required=required, max_length=max_length)
        return {"en": en, "zh": zh} if (en or zh) else None


def _simple_list(path: Path, errors: list[ContentError], what: str, read_one) -> list[dict]:
    if not path.exists():
        return []
    doc = read(path)
    reader = _MatterReader(str(path))
    if not isinstance(doc, list):
        errors.append(ContentError(str(path), 1, "", f"must be a list of {what}"))
        return []
    seen: dict[str, int] = {}
    records = []
    for position, node in enumerate(doc):
        record = read_one(reader, node, seen, position)
        if record is not None:
            records.append(record)
    errors.extend(reader.errors)
    return records


def _evidence_type(reader: _MatterReader, node: Any, seen: dict, position: int):
    fields = {"code", "name", "issuer", "personal", "unverified"}
    if not reader.record(node, "evidence type", {"code", "name"}, fields - {"code", "name"}):
        return None
    return {
        "code": reader.code(node, "code", seen),
        "name": reader.pair(node, "name", required=True),
        "issuer": reader.pair(node, "issuer", required=False),
        "personal": reader.flag(node, "personal", False),
        "unverified": reader.unverified(node, fields),
    }


def _theme(reader: _MatterReader, node: Any, seen: dict, position: int):
    if not reader.record(node, "theme", {"code", "audience", "name"}, set()):
        return None
    audiences = [Audience.PERSON.value, Audience.ENTERPRISE.value]
    return {
        "code": reader.code(node, "code", seen),
        "audience": reader.choice(node, "audience", audiences),
        "name": reader.pair(node, "name", required=True),
        "order": position,
    }


def _event(reader: _MatterReader, node: Any, seen: dict, position: int):
    if not reader.record(node, "event", {"code", "kind", "name"}, set()):
        return None
    return {
        "code": reader.code(node, "code", seen),
        "kind": reader.choice(node, "kind", Event.Kind.values),
        "name": reader.pair(node, "name", required=True),
        "order": position,
    }


@dataclass(frozen=True)
class Known:
    """Codes a matter may refer to, and the evidence types' default names.

    The caller passes in what the database already holds; the folder's own evidence types,
    themes and events are added to it while reading, so reading files reads no database.
    """

    departments: set[str]
    evidence: dict[str, dict] = field(default_factory=dict)
    themes: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)


def named_evidence(result_name_zh: str, evidence: dict[str, dict]) -> str | None:
    """The evidence type a result is when its file names none: the one named like the
    result, less a trailing qualifier (营业执照（换发） is a 营业执照)."""
    name = re.sub(r"（[^（）]*）$", "", result_name_zh or "").strip()
    return next((code for code, e in evidence.items() if name and e["name"]["zh"] == name), None)


def _fees(reader: _MatterReader, node: Mapping) -> list[dict]:
    value = node.get("fees", [])
    if not isinstance(value, list):
        reader.error(node, "fees", "must be a list")
        return []
    fees = []
    for fee in value:
        if not reader.record(fee, "fee", {"name", "amount", "basis"}, set()):
            continue
        amount = fee.get("amount")
        if amount is not None:
            try:
                if isinstance(amount, bool):
                    raise InvalidOperation
                amount = Decimal(str(amount)).quantize(Decimal("0.01"))
                if amount < 0:
                    raise InvalidOperation
            except InvalidOperation:
                reader.error(fee, "amount", "must be an amount in yuan, at least 0, or null")
                amount = None
        fees.append(
            {
                "name": reader.pair(fee, "name", required=True),
                "amount": None if amount is None else str(amount),
                "basis": reader.pair(fee, "basis", required=True, max_length=300),
            }
        )
    return fees


def _material(reader: _MatterReader, node: Any, known: Known) -> dict | None:
    if not reader.record(node, "material", set(), MATERIAL_FIELDS):
        return None
    evidence = node.get("evidence")
    kind = None
    if evidence is not None:
        kind = known.evidence.get(evidence)
        if kind is None:
            reader.error(node, "evidence", f"no evidence type {evidence!r}")
    name = reader.pair(node, "name", required=False) or (kind and kind["name"])
    if not name:
        reader.error(node, "name", "missing (required when no evidence type is given)")
    unverified = node.get("unverified", False)
    if not isinstance(unverified, bool):
        reader.error(node, "unverified", "must be true or false")
    return {
        "evidence": evidence if kind else None,
        "name": name,
        "originals": reader.integer(node, "originals", default=1),
        "copies": reader.integer(node, "copies", default=0),
        "required": reader.flag(node, "required", True),
        "principal": reader.flag(node, "principal", True),
        "format": reader.choice(node, "format", Material.Format.values, "either"),
        "issuer": reader.pair(node, "issuer", required=False) or (kind and kind["issuer"]),
        "note": reader.pair(node, "note", required=False, max_length=1000),
        "unverified": unverified is True,
    }


def _matter(reader: _MatterReader, node: Any, seen: dict, known: Known) -> dict | None:
    if not reader.record(node, "matter", MATTER_REQUIRED, MATTER_OPTIONAL):
        return None
    matter_type = reader.choice(node, "type", Matter.Type.values)
    basic_code = reader.text(node, "basic_code", max_length=10)
    if not BASIC_CODE_RE.match(basic_code):
        reader.error(node, "basic_code", "must be 7 digits: type, department, sequence")
    elif matter_type and basic_code[:2] != Matter.GB_TYPE_CODES.get(matter_type):
        reader.error(node, "basic_code", f"must start with the GB type code of {matter_type!r}")
    elif basic_code in seen["basic_code"]:
        first = seen["basic_code"][basic_code]
        reader.error(node, "basic_code", f"duplicate basic code (first at {first})")
    else:
        seen["basic_code"][basic_code] = f"{reader.file}:{node.line_of('basic_code')}"
    department = node.get("department")
    if department not in known.departments:
        reader.error(node, "department", f"no department {department!r} in this district")
    statutory = reader.integer(node, "statutory_days")
    promised = reader.integer(node, "promised_days")
    if statutory is not None and promised is not None and promised > statutory:
        reader.error(node, "promised_days", "longer than the statutory time limit")
    kind = reader.choice(node, "kind", Matter.Kind.values)
    on_the_spot = reader.flag(node, "on_the_spot", False)
    if on_the_spot and kind != Matter.Kind.INSTANT:
        reader.error(node, "on_the_spot", "a matter done on the spot is an instant matter")
    result = node.get("result")
    if result is not None and reader.record(
        result, "result", {"name"}, {"validity_months", "evidence"}
    ):
        evidence = result.get("evidence")
        if evidence is not None and evidence not in known.evidence:
            reader.error(result, "evidence", f"no evidence type {evidence!r}")
        name = reader.pair(result, "name", required=True)
        if evidence is None:
            evidence = named_evidence(name["zh"], known.evidence)
        result = {
            "name": name,
            "validity_months": reader.integer(result, "validity_months"),
            "evidence": evidence if evidence in known.evidence else None,
        }
    elif result is not None:
        result = None
    materials_node = node.get("materials")
    if not isinstance(materials_node, list):
        reader.error(node, "materials", "must be a list (empty when none)")
        materials_node = []
    materials = [_material(reader, m, known) for m in materials_node]
    fields = MATTER_REQUIRED | MATTER_OPTIONAL | {"materials", "fees"}
    return {
        "code": reader.code(node, "code", seen["code"]),
        "basic_code": basic_code,
        "name": reader.pair(node, "name", required=True),
        "description": reader.pair(node, "description", required=True, max_length=2000),
        "type": matter_type,
        "level": reader.choice(node, "level", Matter.Level.values, Matter.Level.COUNTY),
        "department": department,
        "co_departments": reader.references(
            node, "co_departments", known.departments, "department"
        ),
        "legal_basis": reader.bilingual_list(node, "legal_basis"),
        "conditions": reader.bilingual_list(node, "conditions"),
        "steps": reader.bilingual_list(node, "steps"),
        "statutory_days": statutory,
        "promised_days": promised,
        "kind": kind,
        "fees": _fees(reader, node),
        "audience": reader.choices(node, "audience", Audience.values),
        "channels": reader.choices(node, "channels", Channel.values),
        "counter": reader.choice(node, "counter", CounterKind.values),
        **{flag: reader.flag(node, flag, False) for flag in FLAGS},
        "result": result,
        "themes": reader.references(node, "themes", known.themes, "theme"),
        "events": reader.references(node, "events", known.events, "event"),
        "materials": [m for m in materials if m is not None],
        "unverified": reader.unverified(node, fields),
    }


def read_catalogue(folder: Path, known: Known, errors: list[ContentError]) -> CatalogueFiles:
    """Check the folder's catalogue files against ``known`` and what the folder defines;
    append every problem to ``errors``."""
    files = CatalogueFiles()
    defined_in: dict[str, Path] = {}
    for path in sorted((folder / "evidence-types").glob("*.yaml")):
        for record in _simple_list(path, errors, "evidence types", _evidence_type):
            if record["code"] in defined_in:
                message = f"evidence type {record['code']!r} is already defined in "
                errors.append(
                    ContentError(str(path), 0, "code", message + defined_in[record["code"]].name)
                )
            defined_in[record["code"]] = path
            files.evidence_types.append(record)
    files.themes = _simple_list(folder / "themes.yaml", errors, "themes", _theme)
    files.events = _simple_list(folder / "events.yaml", errors, "events", _event)

    known = Known(
        known.departments,
        known.evidence | {e["code"]: e for e in files.evidence_types},
        known.themes | {t["code"] for t in files.themes},
        known.events | {e["code"] for e in files.events},
    )
    seen: dict[str, dict] = {"code": {}, "basic_code": {}}
    for path in sorted((folder / "matters").glob("*.yaml")):
        doc = read(path)
        reader = _MatterReader(str(path))
        if not isinstance(doc, list):
            errors.append(ContentError(str(path), 1, "", "must be a list of matters"))
            continue
        # A code must be unique across files: seen["code"] maps it to its line only.
        for node in doc:
            matter = _matter(reader, node, seen, known)
            if matter is not None:
                files.matters.append(matter)
        errors.extend(reader.errors)
    return files
