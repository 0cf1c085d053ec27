from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .forms import MatterSearchForm
from .models import CatalogueVersion, Material, Region, ServiceCentre, serves
from .places import where_of
from .queries import browse_lists, find_matters, public_version
from .stats import catalogue_stats


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


def _version_or_404(request: HttpRequest) -> CatalogueVersion:
    number = request.GET.get("version")
    if number is not None and not number.isdigit():
        raise Http404("no such catalogue version")
    version = public_version(int(number) if number else None)
    if version is None:
        raise Http404("no published catalogue")
    return version


def services(request: HttpRequest) -> HttpResponse:
    """Browse and search the district's matters."""
    version = public_version()
    if version is None:
        return render(request, "catalogue/services.html", {"version": None})
    form = MatterSearchForm(request.GET or None, version=version)
    context = {"version": version, "form": form}
    if form.is_bound and form.is_valid() and not form.wanted().is_empty:
        matters = find_matters(version, form.wanted())
        context["searched"] = True
        context["page"] = Paginator(matters, 20).get_page(request.GET.get("page"))
        context["query_string"] = form.query_string()
        context["active"] = form.active_filters()
    elif not form.is_bound:
        context.update(browse_lists(version))
        context["stats"] = catalogue_stats(version)
    return render(request, "catalogue/services.html", context)


def matter(request: HttpRequest, code: str, *, printable: bool = False) -> HttpResponse:
    """The service guide (办事指南) of one matter."""
    version = _version_or_404(request)
    found = get_object_or_404(
        version.matters.select_related("department", "version__district").prefetch_related(
            Prefetch("materials", queryset=Material.objects.select_related("evidence")),
            "fees",
            "co_departments",
            "themes",
            "events",
        ),
        code=code,
    )
    latest = public_version()
    user = request.user
    context = {
        "matter": found,
        # Offered only to an account that may apply for it online (docs/case-rules.md).
        "may_apply": found.online and user.is_authenticated and serves(found.audience, user.kind),
        "version": version,
        "latest": latest if latest and latest.pk != version.pk else None,
        "where": where_of(found),
    }
    template = "catalogue/matter_print.html" if printable else "catalogue/matter.html"
    return render(request, template, context)
