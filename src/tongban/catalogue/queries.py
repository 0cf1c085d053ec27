"""Reading the published catalogue: the version served, search and filters."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .models import CatalogueVersion, Department, Event, Matter, Region, Theme
from .search import query_terms
from .versions import current


def served_district() -> Region | None:
    """The district whose catalogue this installation serves (settings.TONGBAN_DISTRICT)."""
    return Region.objects.filter(code=settings.TONGBAN_DISTRICT, kind=Region.Kind.DISTRICT).first()


def public_version(number: int | None = None) -> CatalogueVersion | None:
    """The served district's current version, or one of its earlier published versions."""
    district = served_district()
    if district is None:
        return None
    if number is None:
        return current(district)
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
    active: list[str] = field(default_factory=list)

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


def find_matters(version: CatalogueVersion, wanted: MatterFilter) -> QuerySet[Matter]:
    """The version's matters that match, best first: name matches before other matches."""
    matters = version.matters.select_related("department")
    terms = query_terms(wanted.q)
    for term in terms:
        matters = matters.filter(search_text__contains=term)
    for name in ("type", "counter"):
        if value := getattr(wanted, name):
            matters = matters.filter(**{name: value})
    if wanted.department:
        matters = matters.filter(department__code=wanted.department)
    if wanted.theme:
        matters = matters.filter(themes__code=wanted.theme)
    if wanted.event:
        matters = matters.filter(events__code=wanted.event)
    if wanted.audience:
        matters = matters.filter(audience__icontains=f'"{wanted.audience}"')
    for name in ("city_wide", "on_the_spot"):
        if (value := getattr(wanted, name)) is not None:
            matters = matters.filter(**{name: value})
    if wanted.online is not None:
        # JSON lists: a quoted value in the stored text works on SQLite and PostgreSQL.
        has_online = Q(channels__icontains='"online"')
        matters = matters.filter(has_online if wanted.online else ~has_online)
    if terms:
        phrase = " ".join(terms)
        name_match = Q(name_zh__contains=phrase) | Q(name_en__icontains=phrase)
        matters = matters.annotate(
            rank=Case(
                When(name_match, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("rank", "position")
    return matters


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
