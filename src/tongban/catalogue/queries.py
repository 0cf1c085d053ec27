"""Reading the published catalogue: the version served, search and filters."""

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from .models import CatalogueVersion, Department, Event, EvidenceType, Matter, Region, Theme
from .search import SearchIndex, query_terms


def current(district: Region) -> CatalogueVersion | None:
    """The version the public sees: the district's latest published one."""
    return (
        CatalogueVersion.objects.filter(district=district, published_at__isnull=False)
        .order_by("-number")
        .first()
    )


def served_district() -> Region | None:
    """The district whose catalogue this installation serves (settings.TONGBAN_DISTRICT)."""
    return Region.objects.filter(code=settings.TONGBAN_DISTRICT, kind=Region.Kind.DISTRICT).first()


# The served version, looked up at most once a second per process: every page asks.
_served: dict[str, tuple[float, CatalogueVersion | None]] = {}
SERVED_TTL_SECONDS = 1.0


def forget_served_version() -> None:
    """Called when a version is published, so this process serves it at once."""
    _served.clear()


def public_version(number: int | None = None) -> CatalogueVersion | None:
    """The served district's current version, or one of its earlier published versions."""
    if number is None:
        cached = _served.get(settings.TONGBAN_DISTRICT)
        if cached and time.monotonic() - cached[0] < SERVED_TTL_SECONDS:
            return cached[1]
    district = served_district()
    if district is None:
        return None
    if number is None:
        version = current(district)
        _served[settings.TONGBAN_DISTRICT] = (time.monotonic(), version)
        return version
    return CatalogueVersion.objects.filter(
        district=district, number=number, published_at__isnull=False
    ).first()


@dataclass
class MatterFilter:
    """What a person asked for: a query and any of the browsing filters."""

    q: str = ""
    department: str = ""
    theme: str = ""
    event: str = ""
    type: str = ""
    audience: str = ""
    counter: str = ""
    city_wide: bool | None = None
    on_the_spot: bool | None = None
    online: bool | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.q
            or self.department
            or self.theme
            or self.event
            or self.type
            or self.audience
            or self.counter
            or self.city_wide is not None
            or self.on_the_spot is not None
            or self.online is not None
        )


# What a list of results shows of each matter.
LISTED_FIELDS = (
    "code", "basic_code", "implementation_code", "name_en", "name_zh", "type", "kind",
    "counter", "promised_days", "statutory_days", "on_the_spot", "city_wide", "pre_service",
    "channels", "audience", "department__code", "department__name_en", "department__name_zh",
)  # fmt: skip


class MatterResults:
    """Matters found, best first: counts at once, fetches rows only for the page shown.

    Works as the object list of a Paginator and can be sliced like a queryset.
    """

    def __init__(self, ids: list[int]):
        self.ids = ids

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Matter]:
        wanted = self.ids[index]
        rows = Matter.objects.select_related("department").only(*LISTED_FIELDS).in_bulk(wanted)
        return [rows[i] for i in wanted]


_indexes: dict[tuple, SearchIndex] = {}


def search_index(version: CatalogueVersion) -> SearchIndex:
    """The in-memory index of a published version, built on first use."""
    # Keyed by more than the id: a restored or rolled-back database may reuse ids.
    key = (version.pk, version.digest, version.published_at)
    index = _indexes.get(key)
    if index is None:
        rows = version.matters.order_by("position", "code").values_list(
            "pk", "search_text", "name_en", "name_zh"
        )
        index = SearchIndex(list(rows))
        if not version.is_draft:
            if len(_indexes) >= 8:
                _indexes.pop(next(iter(_indexes)))
            _indexes[key] = index
    return index


def _filtered(version: CatalogueVersion, wanted: MatterFilter) -> QuerySet[Matter] | None:
    """The matters passing the filters other than the query; None when there are none."""
    matters = version.matters.all()
    used = False
    for name in ("type", "counter"):
        if value := getattr(wanted, name):
            matters, used = matters.filter(**{name: value}), True
    for name, lookup in (("department", "department__code"), ("theme", "themes__code"),
                         ("event", "events__code")):  # fmt: skip
        if value := getattr(wanted, name):
            matters, used = matters.filter(**{lookup: value}), True
    if wanted.audience:
        # JSON lists: a quoted value in the stored text works on SQLite and PostgreSQL.
        matters, used = matters.filter(audience__icontains=f'"{wanted.audience}"'), True
    for name in ("city_wide", "on_the_spot"):
        if (value := getattr(wanted, name)) is not None:
            matters, used = matters.filter(**{name: value}), True
    if wanted.online is not None:
        has_online = Q(channels__icontains='"online"')
        matters, used = matters.filter(has_online if wanted.online else ~has_online), True
    return matters if used else None


def find_matters(version: CatalogueVersion, wanted: MatterFilter) -> MatterResults:
    """The version's matters that match, best first: name matches before other matches."""
    ids = search_index(version).search(query_terms(wanted.q))
    filtered = _filtered(version, wanted)
    if filtered is not None:
        allowed = set(filtered.values_list("pk", flat=True))
        ids = [i for i in ids if i in allowed]
    return MatterResults(ids)


def browse_lists(version: CatalogueVersion) -> dict:
    """Events, themes (for citizens and for businesses) and departments, with their counts.

    Aggregating drops Meta.ordering, so each list is ordered here.
    """
    count = Count("matters", filter=Q(matters__version=version))
    events = Event.objects.annotate(n=count).filter(n__gt=0).order_by("order", "code")
    themes = Theme.objects.annotate(n=count).filter(n__gt=0).order_by("order", "code")
    return {
        "life_events": events.filter(kind=Event.Kind.LIFE),
        "business_events": events.filter(kind=Event.Kind.BUSINESS),
        "person_themes": themes.filter(audience="person"),
        "enterprise_themes": themes.filter(audience="enterprise"),
        "departments": Department.objects.filter(region=version.district)
        .annotate(n=count)
        .filter(n__gt=0)
        .order_by("pk"),
    }


def result_evidence(matter: Matter) -> str:
    """The evidence type the matter's result is, so a later application can use it: the one
    named as the result, less a trailing qualifier (营业执照（换发） is a 营业执照); "" when
    the matter has no result document or no evidence type is so named."""
    name = re.sub(r"（[^（）]*）$", "", matter.result_name_zh).strip()
    if not name:
        return ""
    found = EvidenceType.objects.filter(name_zh=name).values_list("code", flat=True).first()
    return found or ""
