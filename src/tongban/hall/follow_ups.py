"""The manager's follow-ups of bad ratings (差评整改) of the centre, at the counter and
online: open and overdue first; each moved a step at a time, closed with a note of what was
fed back, or its rating excluded after review with a note."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.core.moves import CaseError
from tongban.ratings import services as ratings
from tongban.ratings.models import FollowUp
from tongban.ratings.schemas import follow_up_out

from .manager import _hall, manager_page

RECENT = 20


@login_required
@manager_page
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    centre = _hall(request).centre
    today = timezone.localdate()
    open_ = [follow_up_out(f, today) for f in ratings.open_follow_ups(centre)]
    open_.sort(key=lambda row: (not row["overdue"], row["due_on"]))
    done = ratings.follow_ups(centre).exclude(pk__in=[row["id"] for row in open_])
    return render(request, "hall/follow_ups.html", {
        "centre": centre, "open": open_,
        "done": [follow_up_out(f, today) for f in done.order_by("-id")[:RECENT]],
    })  # fmt: skip


@login_required
@manager_page
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    centre = _hall(request).centre
    follow_up = get_object_or_404(FollowUp.objects.select_related("rating"), pk=pk,
                                  rating__centre=centre)  # fmt: skip
    action, note = request.POST.get("action", ""), request.POST.get("note", "")
    try:
        if action == "exclude":
            ratings.exclude(follow_up.rating, request.user, note)
        else:
            ratings.step(follow_up, action, request.user, note)
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Follow-up of %(service)s: done.")
                         % {"service": follow_up.rating.label})  # fmt: skip
    return redirect("hall:follow_ups")
