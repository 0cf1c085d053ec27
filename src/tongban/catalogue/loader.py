"""Load a district's organisations from YAML: the region tree, departments, centres.

One call loads one or more district folders in one transaction: any error, in
any file, loads nothing.
"""

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.core.bilingual import pair
from tongban.core.identity import clean_credit_code
from tongban.core.opening import KINDS, SYNTAX, OpeningHours, parse_hours
from tongban.core.yamlfile import ContentError, ContentErrors, Mapping, Reader, read

from .content import CatalogueFiles, Known, read_catalogue
from .models import Department, Event, EvidenceType, Matter, Region, ServiceCentre, Theme
from .versions import DraftPending, load_version


def _region(
    reader: Reader, node: Any, kind: str, parent: Region | None, pattern: str
) -> Region | None:
    if not reader.record(node, kind, {"code", "name"}, {"kind"}):
        return None
    code = reader.text(node, "code", max_length=12)
    if not re.fullmatch(pattern, code):
        reader.error(node, "code", f"{kind} codes look like {pattern}")
    region_kind = node.get("kind", kind)
    if region_kind not in Region.Kind.values:
        reader.error(node, "kind", f"must be one of {', '.join(Region.Kind.values)}")
    name_en, name_zh = reader.bilingual(node, "name", required=True)
    if reader.errors:
        return None
    region, _ = Region.objects.update_or_create(
        code=code,
        defaults={"kind": region_kind, "name_en": name_en, "name_zh": name_zh, "parent": parent},
    )
    return region


def _load_district(folder: Path, errors: list[ContentError]) -> Region | None:
    path = folder / "district.yaml"
    reader = Reader(str(path))
    if not path.exists():
        errors.append(ContentError(str(path), 0, "", "missing: each district folder has one"))
        return None
    doc = read(path)
    if not reader.record(doc, "district file", {"city", "district"}, {"subdistricts"}):
        errors.extend(reader.errors)
        return None
    city = _region(reader, doc["city"], "city", None, r"\d{6}")
    district = _region(reader, doc["district"], "district", city, r"\d{6}") if city else None
    subdistricts = doc.get("subdistricts") or []
    if not isinstance(subdistricts, list):
        reader.error(doc, "subdistricts", "must be a list")
        subdistricts = []
    for node in subdistricts:
        if district is None:
            break
        _region(reader, node, "subdistrict", district, r"\d{12}")
    errors.extend(reader.errors)
    return district


def _load_list(
    path: Path,
    errors: list[ContentError],
    what: str,
    load_one: Callable[[Reader, Mapping, dict[str, int]], None],
) -> None:
    if not path.exists():
        return
    reader = Reader(str(path))
    doc = read(path)
    if not isinstance(doc, list):
        errors.append(ContentError(str(path), 1, "", f"must be a list of {what}"))
        return
    seen: dict[str, int] = {}
    for node in doc:
        load_one(reader, node, seen)
    errors.extend(reader.errors)


def _department_loader(district: Region):
    fields = {"code", "name", "function", "short_name_zh", "credit_code", "phone", "address",
              "unverified"}  # fmt: skip

    def load(reader: Reader, node: Any, seen: dict[str, int]) -> None:
        if not reader.record(node, "department", {"code", "name"}, fields - {"code", "name"}):
            return
        before = len(reader.errors)
        code = reader.code(node, "code", seen)
        name_en, name_zh = reader.bilingual(node, "name", required=True)
        address_en, address_zh = reader.bilingual(node, "address", required=False)
        credit_code = reader.text(node, "credit_code", max_length=18)
        if credit_code:
            try:
                credit_code = clean_credit_code(credit_code)
            except ValidationError as error:
                reader.error(node, "credit_code", error.messages[0])
        unverified = reader.unverified(node, fields)
        if len(reader.errors) > before:
            return
        Department.objects.update_or_create(
            code=code,
            defaults={
                "region": district,
                "name_en": name_en,
                "name_zh": name_zh,
                "short_name_zh": reader.text(node, "short_name_zh", max_length=60),
                "function": reader.text(node, "function", max_length=40),
                "credit_code": credit_code,
                "phone": reader.text(node, "phone", max_length=40),
                "address_en": address_en,
                "address_zh": address_zh,
                "unverified": unverified,
            },
        )

    return load


def _opening_hours(reader: Reader, node: Mapping) -> dict:
    """The centre's `hours:` (core.opening) as the model keeps them; {} when not given."""
    value = node.get("hours")
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not value:
        reader.error(node, "hours", f"must give the hours of {', '.join(KINDS)}")
        return {}
    periods = {}
    for key, text in value.items():
        field, line = f"hours.{key}", value.line_of(str(key))
        try:
            if key not in KINDS:
                raise ValueError(f"unknown kind of day (use {', '.join(KINDS)})")
            if not isinstance(text, str):
                raise ValueError(SYNTAX)
            periods[key] = parse_hours(text)
        except ValueError as error:
            reader.errors.append(ContentError(reader.file, line, field, str(error)))
    return OpeningHours(**periods).as_data()


def _centre_loader(district: Region):
    fields = {"code", "kind", "region", "name", "address", "hours", "phone", "unverified"}

    def load(reader: Reader, node: Any, seen: dict[str, int]) -> None:
        required = {"code", "kind", "name"}
        if not reader.record(node, "service centre", required, fields - required):
            return
        before = len(reader.errors)
        code = reader.code(node, "code", seen)
        kind = node.get("kind")
        if kind not in ServiceCentre.Kind.values:
            reader.error(node, "kind", f"must be one of {', '.join(ServiceCentre.Kind.values)}")
        region = district
        region_code = reader.text(node, "region", max_length=12)
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None or region.district != district:
                reader.error(node, "region", f"no sub-district {region_code!r} in this district")
        name_en, name_zh = reader.bilingual(node, "name", required=True)
        address_en, address_zh = reader.bilingual(node, "address", required=False)
        hours = _opening_hours(reader, node)
        unverified = reader.unverified(node, fields)
        if len(reader.errors) > before:
            return
        ServiceCentre.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "region": region,
                "name_en": name_en,
                "name_zh": name_zh,
                "address_en": address_en,
                "address_zh": address_zh,
                "hours": hours,
                "phone": reader.text(node, "phone", max_length=40),
                "unverified": unverified,
            },
        )

    return load


def _save_reference_data(files: CatalogueFiles) -> None:
    for e in files.evidence_types:
        EvidenceType.objects.update_or_create(
            code=e["code"],
            defaults={
                "name_en": e["name"]["en"],
                "name_zh": e["name"]["zh"],
                "issuer_en": (e["issuer"] or {}).get("en", ""),
                "issuer_zh": (e["issuer"] or {}).get("zh", ""),
                "personal": e["personal"],
                "unverified": e["unverified"],
            },
        )
    for model, items in ((Theme, files.themes), (Event, files.events)):
        for item in items:
            extra = {"audience": item["audience"]} if model is Theme else {"kind": item["kind"]}
            model.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name_en": item["name"]["en"],
                    "name_zh": item["name"]["zh"],
                    "order": item["order"],
                    **extra,
                },
            )


def _known(district: Region) -> Known:
    """What the database holds that a district's matters may refer to."""
    return Known(
        departments=set(district.departments.values_list("code", flat=True)),
        evidence={
            e.code: {"name": {"en": e.name_en, "zh": e.name_zh}, "issuer": pair(e, "issuer")}
            for e in EvidenceType.objects.all()
        },
        themes=set(Theme.objects.values_list("code", flat=True)),
        events=set(Event.objects.values_list("code", flat=True)),
    )


def _load_catalogue(
    folder: Path, district: Region, errors: list[ContentError], discard_draft: bool
) -> str:
    files = read_catalogue(folder, _known(district), errors)
    if errors:
        return ""
    _save_reference_data(files)
    if not files.has_matters:
        return ""
    try:
        version, created = load_version(district, files.matters, discard_draft=discard_draft)
    except DraftPending as pending:
        errors.append(ContentError(str(folder), 0, "", f"{pending}; publish it or discard it"))
        return ""
    state = "new" if created else "unchanged"
    return f"{district.code} v{version.number} ({state}, {len(files.matters)} matters)"


def load_districts(
    folders: Iterable[Path],
    *,
    dry_run: bool = False,
    discard_draft: bool = False,
    matters: bool = True,
) -> dict[str, int | str]:
    """Load the folders; return counts, or raise ContentErrors having loaded nothing.

    ``dry_run`` checks everything and then rolls back; ``matters=False`` loads only the
    organisations.
    """
    errors: list[ContentError] = []
    versions: list[str] = []
    with transaction.atomic():
        for folder in folders:
            if not folder.is_dir():
                errors.append(ContentError(str(folder), 0, "", "not a folder"))
                continue
            district = _load_district(folder, errors)
            if district is None:
                continue
            _load_list(
                folder / "departments.yaml", errors, "departments", _department_loader(district)
            )
            _load_list(folder / "centres.yaml", errors, "service centres", _centre_loader(district))
            if matters and not errors:
                versions.append(_load_catalogue(folder, district, errors, discard_draft))
        if errors:
            transaction.set_rollback(True)
            raise ContentErrors(errors)
        counts: dict[str, int | str] = {
            "regions": Region.objects.count(),
            "departments": Department.objects.count(),
            "centres": ServiceCentre.objects.count(),
            "matters": Matter.objects.filter(version__published_at__isnull=False).count(),
            "catalogue": "; ".join(v for v in versions if v) or "no matters",
        }
        if dry_run:
            transaction.set_rollback(True)
    return counts
