"""Where a matter is applied for: online, or at which counter of which service centre.

The one rule behind a matter's guide page and the guidance sheet (page, PDF and API).
Community affairs are received at the community affairs reception centres: a city-wide
matter at any of them in Shanghai, any other at the centre of the sub-district or town
where the person lives. Every other counter is in the district's administrative service
centre. The department that handles the matter is named beside the place.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from tongban.core.bilingual import pair

from .models import Channel, CounterKind, Department, Matter, ServiceCentre

Where = dict[str, Any]


def centre_kind(counter: str) -> str:
    """The kind of service centre that houses a counter of this kind."""
    if counter == CounterKind.COMMUNITY:
        return ServiceCentre.Kind.COMMUNITY
    return ServiceCentre.Kind.ADMINISTRATIVE


@cache  # switching languages costs more than the queries of a whole sheet
def counter_name(counter: str) -> dict[str, str]:
    """The name of a counter kind in English and Chinese."""
    label = CounterKind(counter).label
    with translation.override("en"):
        en = str(label)
    with translation.override("zh-hans"):
        zh = str(label)
    return {"en": en, "zh": zh}


def _centre(centre: ServiceCentre, now: datetime) -> dict[str, Any]:
    return {
        "code": centre.code,
        "name": pair(centre, "name"),
        "address": pair(centre, "address"),
        **opening(centre, now),
    }


def opening(centre: ServiceCentre, now: datetime) -> dict[str, Any]:
    """A centre's hours in words ("hours", both languages), as data ("opening_hours") and
    whether it is open at `now` ("open_now"); all None when they are not recorded."""
    hours = centre.opening_hours
    if hours is None:
        return {"hours": None, "opening_hours": None, "open_now": None}
    return {
        "hours": hours.description(),
        "opening_hours": hours.as_data(),
        "open_now": hours.is_open(now),
    }


def _district_id(centre: ServiceCentre) -> int:
    """The district a centre belongs to: its region, or the parent of its sub-district."""
    region = centre.region
    return region.pk if region.kind == region.Kind.DISTRICT else region.parent_id


class Places:
    """The named departments and the centres of their districts, read once for a page."""

    def __init__(self, departments: Iterable[str]) -> None:
        found = Department.objects.filter(code__in=set(departments))
        self.departments = {d.code: d for d in found}
        districts = {d.region_id for d in self.departments.values()}
        centres = (
            ServiceCentre.objects.filter(
                Q(region_id__in=districts) | Q(region__parent_id__in=districts)
            )
            .select_related("region")
            .order_by("code")
        )
        self.centres: dict[tuple[int, str], list[dict]] = defaultdict(list)
        now = timezone.now()
        for centre in centres:
            self.centres[_district_id(centre), centre.kind].append(_centre(centre, now))

    def where(
        self, *, department: str, counter: str, channels: Iterable[str], city_wide: bool
    ) -> Where:
        """Who handles a matter and where to apply, in both languages, ready for JSON."""
        handler = self.departments[department]
        kind = centre_kind(counter)
        return {
            "department": {
                "code": handler.code,
                "name": pair(handler, "name"),
                "phone": handler.phone,
            },
            "online": Channel.ONLINE in channels,
            "counter": {"kind": counter, "name": counter_name(counter)},
            "centre_kind": kind,
            "centres": self.centres[handler.region_id, kind],
            "anywhere_in_city": city_wide,
        }


def where_of(matter: Matter) -> Where:
    """Who handles one matter and where to apply for it."""
    code = matter.department.code
    return Places([code]).where(
        department=code,
        counter=matter.counter,
        channels=matter.channels,
        city_wide=matter.city_wide,
    )
