from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Region, ServiceCentre


def organisations(request: HttpRequest) -> HttpResponse:
    """Every district with its service centres (its own and its sub-districts') and departments."""
    districts = list(
        Region.objects.filter(kind=Region.Kind.DISTRICT)
        .select_related("parent")
        .prefetch_related("departments")
    )
    centres_by_district = defaultdict(list)
    for centre in ServiceCentre.objects.select_related("region__parent").order_by("kind", "code"):
        centres_by_district[centre.region.district.pk].append(centre)
    sections = [(district, centres_by_district[district.pk]) for district in districts]
    return render(request, "catalogue/organisations.html", {"sections": sections})
