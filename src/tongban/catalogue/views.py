from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Region


def organisations(request: HttpRequest) -> HttpResponse:
    """Every district with its service centres and departments."""
    districts = (
        Region.objects.filter(kind=Region.Kind.DISTRICT)
        .select_related("parent")
        .prefetch_related("centres__region", "departments")
    )
    return render(request, "catalogue/organisations.html", {"districts": districts})
