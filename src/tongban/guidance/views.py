"""The funnel pages: activities → scenarios → situation questions → the one sheet."""

import hashlib
import logging

from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from tongban.accounts.profile import applicant_profile
from tongban.core.bilingual import prefers_chinese
from tongban.core.pdf import render_pdf
from tongban.core.qr import qr_svg
from tongban.core.yamlfile import ContentErrors
from tongban.ratelimits import limited

from . import analytics
from .engine import Guide
from .forms import fill
from .graph import mermaid, svg
from .pdf import cached_pdf
from .services import (
    GuidanceUnavailable,
    InvalidSheet,
    Sheet,
    answers_from_query,
    answers_to_query,
    current_guide,
    guide_forms,
    guide_version_key,
    plan_data,
    read_sheet,
    sheet_token,
)

logger = logging.getLogger(__name__)


def _guide(request: HttpRequest) -> Guide | None:
    try:
        return current_guide()
    except ContentErrors:
        logger.exception("the guidance files do not compile")
        return None


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "guidance/unavailable.html", status=503)


def start(request: HttpRequest) -> HttpResponse:
    guide = _guide(request)
    if guide is None:
        return _unavailable(request)
    activities = list(guide.activities.values())
    return render(
        request,
        "guidance/start.html",
        {
            "business": [a for a in activities if a.kind == "business"],
            "life": [a for a in activities if a.kind == "life"],
        },
    )


def activity(request: HttpRequest, code: str) -> HttpResponse:
    guide = _guide(request)
    if guide is None:
        return _unavailable(request)
    found = guide.activities.get(code)
    if found is None:
        raise Http404("no such activity")
    return render(request, "guidance/activity.html", {"activity": found})


def scenario(request: HttpRequest, code: str) -> HttpResponse:
    """The situation questions with the plan so far; answers travel in the query string."""
    guide = _guide(request)
    if guide is None:
        return _unavailable(request)
    found = guide.scenarios.get(code)
    if found is None:
        raise Http404("no such scenario")
    answers, errors = answers_from_query(found, request.GET)
    plan = guide.resolve(found, answers)  # drops answers whose question is hidden
    answers = plan.answers
    questions = {q.id: q for q in found.activity.questions}
    visible = [questions[qid] for qid in plan.visible]
    if not answers:
        analytics.count(code, "start")
    elif plan.missing:
        analytics.count(code, "reached", plan.missing[0])
    else:
        analytics.count(code, "complete")
    sheet_url = None
    if plan.complete:
        sheet_url = reverse("guidance:sheet", args=[sheet_token(code, answers)])
    context = {
        "scenario": found,
        "activity": found.activity,
        "questions": [(q, answers.get(q.id), errors.get(q.id)) for q in visible],
        "answered": len(visible) - len(plan.missing),
        "plan": plan_data(guide, plan),
        "errors": errors,
        "sheet_url": sheet_url,
        "apply_url": f"{sheet_url}#apply-heading" if sheet_url else None,
    }
    return render(request, "guidance/scenario.html", context)


def sheet(request: HttpRequest, token: str, *, as_pdf: bool = False) -> HttpResponse:
    """The one personal sheet, printable on one page, with a QR code of its own link."""
    try:
        found_sheet = _sheet_of(token)
    except GuidanceUnavailable:
        return _unavailable(request)
    found = found_sheet.scenario
    language = "zh" if prefers_chinese() else "en"
    if not as_pdf:
        analytics.count(found.code, "sheet")
        # A token's sheet never changes within a guide version: render its body once.
        stamp = f"{token}|{language}|{guide_version_key()}".encode()
        key = "guidance-sheet:" + hashlib.sha256(stamp).hexdigest()
        body = cache.get(key)
        if body is None:
            context = _sheet_context(request, found_sheet, token, language)
            body = render_to_string("guidance/_sheet.html", context, request)
            cache.set(key, body, 3600)
        return render(
            request, "guidance/sheet.html", {"scenario": found, "body": body, "token": token}
        )
    context = _sheet_context(request, found_sheet, token, language)
    pdf_key = {"scenario": found.code, "answers": context["answers_given"], "lang": language,
               "catalogue": guide_version_key(), "url": context["url"]}  # fmt: skip
    pdf = cached_pdf("guidance/sheet_pdf.html", context, pdf_key, "sheet")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.code}.pdf"'
    return response


@limited("sheet-pdf")
def sheet_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The sheet as a PDF: rendering one is costly, so each address gets only so many."""
    return sheet(request, token, as_pdf=True)


def _sheet_of(token: str) -> Sheet:
    """The sheet a token stands for, or 404 for a bad link (GuidanceUnavailable passes)."""
    try:
        return read_sheet(token)
    except InvalidSheet:
        raise Http404("this link is not valid") from None


def _sheet_context(request, found_sheet: Sheet, token: str, language: str) -> dict:
    guide, found, answers, plan = (
        found_sheet.guide,
        found_sheet.scenario,
        found_sheet.answers,
        found_sheet.plan,
    )
    url = request.build_absolute_uri(reverse("guidance:sheet", args=[token]))
    return {
        "scenario": found,
        "activity": found.activity,
        "plan": plan_data(guide, plan),
        "answers_given": answers,
        "answers": [
            (q, q.label(answers[q.id], language))
            for q in found.activity.questions
            if q.id in answers
        ],  # fmt: skip
        "change_url": reverse("guidance:scenario", args=[found.code])
        + "?"
        + answers_to_query(found, answers),
        "qr": mark_safe(qr_svg(url, title="QR")),  # noqa: S308 - segno's own SVG markup of our URL
        "url": url,
        "apply_url": f"{url}#apply-heading",
        "pdf_url": reverse("guidance:sheet_pdf", args=[token]),
        "forms_url": reverse("guidance:forms_pdf", args=[token]),
    }


@login_required
@permission_required("catalogue.change_matter", raise_exception=True)
def graph(request: HttpRequest, code: str) -> HttpResponse:
    """For editors: the activity's funnel drawn as a graph."""
    guide = _guide(request)
    if guide is None:
        return _unavailable(request)
    found = guide.activities.get(code)
    if found is None:
        raise Http404("no such activity")
    language = "zh" if prefers_chinese() else "en"
    drawn = svg(found, language)
    context = {
        "activity": found,
        "svg": mark_safe(drawn) if drawn else None,  # noqa: S308 - Graphviz's SVG of our text
        "mermaid": mermaid(found, language),
    }
    return render(request, "guidance/graph.html", context)


def forms_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The application forms of the sheet's licences as one PDF, filled in where known.

    Signed-in applicants get their profile filled in too; such PDFs carry personal
    data, so only the anonymous ones are cached.
    """
    try:
        found_sheet = _sheet_of(token)
    except GuidanceUnavailable:
        return _unavailable(request)
    guide, found, answers, plan = (
        found_sheet.guide,
        found_sheet.scenario,
        found_sheet.answers,
        found_sheet.plan,
    )
    language = "zh" if prefers_chinese() else "en"
    profile = applicant_profile(request.user)
    filled = fill(guide, plan, guide_forms(), profile, language)
    context = {"scenario": found, "activity": found.activity, "forms": filled}
    key = {"scenario": found.code, "answers": answers, "lang": language,
           "guide": guide_version_key()}  # fmt: skip
    if profile:
        pdf = render_pdf("guidance/forms_pdf.html", context)
    else:
        pdf = cached_pdf("guidance/forms_pdf.html", context, key, "forms")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.code}-forms.pdf"'
    response["Cache-Control"] = "private, no-store" if profile else "private"
    return response


@login_required
@permission_required("accounts.manage_centre", raise_exception=True)
def funnel_analytics(request: HttpRequest) -> HttpResponse:
    """For managers: where people start, stop and finish, without any personal data."""
    guide = _guide(request)
    data = analytics.summary()
    rows = []
    for code, entry in data["scenarios"]:
        scenario = guide.scenarios.get(code) if guide else None
        questions = {q.id: q for q in scenario.activity.questions} if scenario else {}
        stops = [(questions[q].text if q in questions else {"en": q, "zh": q}, n)
                 for q, n in entry["reached"].most_common(3)]  # fmt: skip
        rows.append({"scenario": scenario, "code": code, **entry, "stops": stops})
    return render(request, "guidance/analytics.html", {"rows": rows, "days": data["days"]})
