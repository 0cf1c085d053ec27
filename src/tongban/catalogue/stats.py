"""Counts that describe a catalogue version, as the source article reports them."""

from typing import Any

from django.db.models import Count

from .models import CatalogueVersion, CounterKind, Matter


def catalogue_stats(version: CatalogueVersion) -> dict[str, Any]:
    matters = version.matters.all()
    comprehensive = matters.filter(counter=CounterKind.COMPREHENSIVE)
    by_type = dict(matters.values_list("type").annotate(n=Count("id")).order_by("type"))
    online = sum(
        1 for channels in matters.values_list("channels", flat=True) if "online" in channels
    )
    unverified = sum(1 for marks in matters.values_list("unverified", flat=True) if marks)
    return {
        "district": version.district.code,
        "version": version.number,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "departments": version.district.departments.count(),
        "departments_with_matters": matters.values("department").distinct().count(),
        "matters": matters.count(),
        "by_type": {t: by_type.get(t, 0) for t in Matter.Type.values},
        "by_counter": dict(matters.values_list("counter").annotate(n=Count("id")).order_by()),
        "comprehensive_counter": {
            "matters": comprehensive.count(),
            "departments": comprehensive.values("department").distinct().count(),
        },
        "on_the_spot": matters.filter(on_the_spot=True).count(),
        "district_pre_services": matters.filter(pre_service=True).count(),
        "city_wide": matters.filter(city_wide=True).count(),
        "online": online,
        "unverified": unverified,
    }
