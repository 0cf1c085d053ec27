"""The centre manager's hall: the live view, closing counters and changing their skills,
and the history of a day or a period with a CSV export of each table."""

import csv
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tongban.core.moves import CaseError

from . import counters, stats
from .models import Counter, Hall, MatterGroup

manager_page = permission_required("accounts.manage_centre", raise_exception=True)
TABLES = ("hours", "queues", "matters", "counters", "ratings")


def _hall(request: HttpRequest) -> Hall:
    """The hall of the staff member's centre (404 for a centre without one)."""
    halls = Hall.objects.select_related("centre")
    return get_object_or_404(halls, centre_id=request.user.centre_id)


@login_required
@manager_page
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    hall = _hall(request)
    return render(request, "hall/manage.html", {
        "hall": hall, "live": stats.live(hall),
        "groups": MatterGroup.objects.filter(counters__hall=hall).distinct(),
    })  # fmt: skip


@login_required
@manager_page
@require_POST
def close_counter(request: HttpRequest, pk: int) -> HttpResponse:
    counter = get_object_or_404(Counter, pk=pk, hall=_hall(request))
    try:
        counters.close(counter, request.user)
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Counter %(number)s is closed.") % {"number": counter.number})
    return redirect("hall:manage")


@login_required
@manager_page
@require_POST
def counter_skills(request: HttpRequest, pk: int) -> HttpResponse:
    counter = get_object_or_404(Counter, pk=pk, hall=_hall(request))
    groups = list(MatterGroup.objects.filter(code__in=request.POST.getlist("skills")))
    if not groups:
        messages.error(request, _("A counter serves at least one queue."))
    else:
        counters.set_skills(counter, groups, request.user)
        messages.success(request, _("Counter %(number)s now serves: %(queues)s.")
                         % {"number": counter.number,
                            "queues": "、".join(str(g.name) for g in groups)})  # fmt: skip
    return redirect("hall:manage")


class PeriodForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    first = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    last = forms.DateField(label=gettext_lazy("To"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def period(self) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        return stats.period(data.get("day"), data.get("first"), data.get("last"))


@login_required
@manager_page
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    hall = _hall(request)
    form = PeriodForm(request.GET or None)
    first, last = form.period()
    figures = stats.history(hall, first, last)
    return render(request, "hall/history.html", {
        "hall": hall, "form": form, "figures": figures, "query": request.GET.urlencode(),
        "hour_bars": _bars(figures["hours"], "arrivals"),
        "hour_wait_bars": _bars(figures["hours"], "p90"),
        "queue_bars": _bars(figures["queues"], "p90"),
        "counter_bars": _bars(figures["counters"], "share"),
        "matter_bars": _bars(figures["matters"], "service"),
        "rating_bars": _bars(figures["ratings"], "all"),
    })  # fmt: skip


def _bars(rows: list[dict], key: str) -> list[dict]:
    """Bar lengths in percent of the largest value: the chart drawn by the template."""
    top = max((row[key] or 0 for row in rows), default=0) or 1
    return [row | {"bar": round(100 * (row[key] or 0) / top)} for row in rows]


@login_required
@manager_page
@require_GET
def history_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404("No such table.")
    hall = _hall(request)
    first, last = PeriodForm(request.GET or None).period()
    rows = stats.history(hall, first, last)[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hall-{table}-{first}-{last}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 Chinese only with a BOM
    if rows:
        writer = csv.DictWriter(response, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return response
