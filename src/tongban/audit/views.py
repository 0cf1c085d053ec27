from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import AuditEntry


@permission_required("audit.view_auditentry", raise_exception=True)
def log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    filters = {
        "action": request.GET.get("action", ""),
        "object_type": request.GET.get("object_type", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
    }
    if filters["action"] in AuditEntry.Action.values:
        entries = entries.filter(action=filters["action"])
    if filters["object_type"]:
        entries = entries.filter(object_type=filters["object_type"])
    if filters["actor"]:
        entries = entries.filter(actor_label=filters["actor"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "filters": filters,
            "actions": AuditEntry.Action.choices,
            "query": query.urlencode(),
        },
    )
