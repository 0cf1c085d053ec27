"""Catalogue API: matters, departments and service centres of the served district.

Every GET answer carries an ETag (ConditionalGetMiddleware), so clients revalidate
with If-None-Match and get 304 when nothing changed.
"""

from datetime import datetime
from typing import Literal

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tongban.core.bilingual import pair
from tongban.schemas import Problem

from .models import Audience, CounterKind, Department, Matter, ServiceCentre
from .places import opening
from .queries import MatterFilter, find_matters, public_version
from .versions import matter_record, matters_of

router = Router(tags=["catalogue"])

MatterType = Literal[tuple(Matter.Type.values)]  # type: ignore[valid-type]
AudienceCode = Literal[tuple(Audience.values)]  # type: ignore[valid-type]
Counter = Literal[tuple(CounterKind.values)]  # type: ignore[valid-type]


class Text(Schema):
    en: str
    zh: str


class MaterialOut(Schema):
    evidence: str | None = Field(description="Evidence type code; null for a matter's own form")
    name: Text
    originals: int
    copies: int
    required: bool
    principal: bool = Field(description="False: may be missing at acceptance (容缺)")
    format: str
    issuer: Text | None
    note: Text | None
    unverified: bool


class FeeOut(Schema):
    name: Text
    amount: str | None = Field(description="Yuan, two decimals; null when it varies")
    basis: Text


class ResultOut(Schema):
    name: Text
    validity_months: int | None
    evidence: str | None = None


class MatterSummary(Schema):
    code: str
    basic_code: str
    implementation_code: str
    name: Text
    type: str
    department: str
    counter: str
    kind: str
    promised_days: int
    statutory_days: int | None
    on_the_spot: bool
    city_wide: bool
    pre_service: bool
    channels: list[str]
    audience: list[str]


class MatterOut(MatterSummary):
    version: int
    description: Text
    level: str
    co_departments: list[str]
    legal_basis: list[Text]
    conditions: list[Text]
    steps: list[Text]
    fees: list[FeeOut]
    appointment: bool
    courier_delivery: bool
    result: ResultOut | None
    themes: list[str]
    events: list[str]
    materials: list[MaterialOut]
    unverified: list[str]


class MatterPage(Schema):
    version: int
    count: int
    limit: int
    offset: int
    items: list[MatterSummary]


class DepartmentOut(Schema):
    code: str
    name: Text
    short_name_zh: str
    credit_code: str
    phone: str
    matters: int


class PeriodOut(Schema):
    opens: str = Field(description="HH:MM, Shanghai time; open from this minute")
    closes: str = Field(description="HH:MM; closed from this minute")


class OpeningHoursOut(Schema):
    working_days: list[PeriodOut] = Field(
        description="Monday to Friday and the weekends worked in exchange for a holiday, "
        "per the official calendar"
    )
    weekends: list[PeriodOut]
    holidays: list[PeriodOut] = Field(description="Public holidays; empty: closed")


class CentreOut(Schema):
    code: str
    kind: str
    region: str = Field(description="The district, or the sub-district or town served")
    name: Text
    address: Text | None
    phone: str
    hours: Text | None = Field(description="The opening hours in words; null: not recorded")
    opening_hours: OpeningHoursOut | None
    open_now: bool | None
    next_opening: datetime | None = Field(description="Now when open; null: not within a year")
    unverified: list[str]


class MatterQuery(Schema):
    q: str = Field("", max_length=100, description="English, Chinese, pinyin or initials")
    department: str = Field("", max_length=60)
    theme: str = Field("", max_length=60)
    event: str = Field("", max_length=60)
    type: MatterType | None = None
    audience: AudienceCode | None = None
    counter: Counter | None = None
    city_wide: bool | None = None
    on_the_spot: bool | None = None
    online: bool | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


def _version(number: int | None = None):
    version = public_version(number)
    if version is None:
        raise Http404
    return version


def _summary(m: Matter) -> dict:
    return {
        "code": m.code,
        "basic_code": m.basic_code,
        "implementation_code": m.implementation_code,
        "name": {"en": m.name_en, "zh": m.name_zh},
        "type": m.type,
        "department": m.department.code,
        "counter": m.counter,
        "kind": m.kind,
        "promised_days": m.promised_days,
        "statutory_days": m.statutory_days,
        "on_the_spot": m.on_the_spot,
        "city_wide": m.city_wide,
        "pre_service": m.pre_service,
        "channels": m.channels,
        "audience": m.audience,
    }


@router.get(
    "/matters",
    response={200: MatterPage, 404: Problem, 422: Problem},
    summary="List, filter and search matters",
)
def list_matters(request: HttpRequest, filters: Query[MatterQuery]):
    version = _version()
    wanted = MatterFilter(
        **{k: v or "" for k, v in filters.dict().items() if k in ("q", "department", "theme",
                                                                   "event", "type", "audience",
                                                                   "counter")},
        city_wide=filters.city_wide,
        on_the_spot=filters.on_the_spot,
        online=filters.online,
    )  # fmt: skip
    matters = find_matters(version, wanted)
    page = matters[filters.offset : filters.offset + filters.limit]
    return {
        "version": version.number,
        "count": matters.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_summary(m) for m in page],
    }


@router.get(
    "/matters/{code}",
    response={200: MatterOut, 404: Problem, 422: Problem},
    summary="One matter with its materials",
)
def get_matter(request: HttpRequest, code: str, version: int | None = None):
    found = matters_of(_version(version)).filter(code=code).first()
    if found is None:
        raise Http404
    record = matter_record(found)
    return {**record, **_summary(found), "version": found.version.number}


@router.get(
    "/departments",
    response={200: list[DepartmentOut], 404: Problem},
    summary="The district's departments",
)
def list_departments(request: HttpRequest):
    version = _version()
    departments = version.district.departments.annotate(
        n=Count("matters", filter=Q(matters__version=version))
    ).order_by("pk")
    return [_department(d, d.n) for d in departments]


@router.get(
    "/departments/{code}", response={200: DepartmentOut, 404: Problem}, summary="One department"
)
def get_department(request: HttpRequest, code: str):
    version = _version()
    found = Department.objects.filter(region=version.district, code=code).first()
    if found is None:
        raise Http404
    return _department(found, version.matters.filter(department=found).count())


@router.get(
    "/centres",
    response={200: list[CentreOut], 404: Problem},
    summary="The district's service centres with their opening hours",
)
def list_centres(request: HttpRequest):
    district = _version().district
    centres = ServiceCentre.objects.filter(Q(region=district) | Q(region__parent=district))
    now = timezone.now()
    return [_centre(c, now) for c in centres.select_related("region").order_by("pk")]


@router.get(
    "/centres/{code}",
    response={200: CentreOut, 404: Problem},
    summary="One service centre: its opening hours and whether it is open now",
)
def get_centre(request: HttpRequest, code: str):
    district = _version().district
    found = (
        ServiceCentre.objects.filter(Q(region=district) | Q(region__parent=district), code=code)
        .select_related("region")
        .first()
    )
    if found is None:
        raise Http404
    return _centre(found, timezone.now())


def _centre(c: ServiceCentre, now: datetime) -> dict:
    hours = c.opening_hours
    return {
        "code": c.code,
        "kind": c.kind,
        "region": c.region.code,
        "name": pair(c, "name"),
        "address": pair(c, "address"),
        "phone": c.phone,
        **opening(c, now),
        "next_opening": hours and hours.next_opening(now),
        "unverified": c.unverified,
    }


def _department(d: Department, matters: int) -> dict:
    return {
        "code": d.code,
        "name": {"en": d.name_en, "zh": d.name_zh},
        "short_name_zh": d.short_name_zh,
        "credit_code": d.credit_code,
        "phone": d.phone,
        "matters": matters,
    }
