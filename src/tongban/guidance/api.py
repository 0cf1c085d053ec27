"""Guidance API: activities, scenarios with their questions, resolve, sheets by token."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from tongban.core.yamlfile import ContentErrors
from tongban.problems import problem
from tongban.ratelimits import limited
from tongban.schemas import Problem

from .engine import Guide, Plan
from .services import (
    GuidanceUnavailable,
    InvalidSheet,
    current_guide,
    plan_data,
    read_sheet,
    sheet_token,
    validate_answers,
)

router = Router(tags=["guidance"])

UPDATING = "The guidance is being updated; try again shortly."


class Text(Schema):
    en: str
    zh: str


class ScenarioOut(Schema):
    code: str
    name: Text
    preset: dict[str, Any]


class ActivityOut(Schema):
    code: str
    kind: str
    name: Text
    licences: list[str]
    scenarios: list[ScenarioOut]


class OptionOut(Schema):
    value: str
    text: Text


class QuestionOut(Schema):
    id: str
    kind: str
    text: Text
    options: list[OptionOut]
    unit: Text | None
    minimum: float | None
    maximum: float | None


class ScenarioDetail(ScenarioOut):
    activity: str
    questions: list[QuestionOut]


class ResolveIn(Schema):
    scenario: str
    answers: dict[str, Any] = {}


class PlanOut(Schema):
    scenario: str
    activity: str
    complete: bool
    answers: dict[str, Any]
    missing: list[str]
    matters: list[dict[str, Any]]
    materials: list[dict[str, Any]]
    precautions: list[dict[str, Any]]
    funnel: dict[str, int]
    token: str


def _guide() -> Guide:
    try:
        guide = current_guide()
    except ContentErrors as errors:
        raise HttpError(503, UPDATING) from errors
    if guide is None:
        raise Http404
    return guide


def _scenario_out(s) -> dict:
    return {"code": s.code, "name": s.name, "preset": s.preset}


@router.get("/guidance/activities", response={200: list[ActivityOut], 404: Problem, 503: Problem})
def list_activities(request: HttpRequest):
    return [
        {"code": a.code, "kind": a.kind, "name": a.name, "licences": list(a.licences),
         "scenarios": [_scenario_out(s) for s in a.scenarios]}
        for a in _guide().activities.values()
    ]  # fmt: skip


@router.get(
    "/guidance/scenarios/{code}", response={200: ScenarioDetail, 404: Problem, 503: Problem}
)
def get_scenario(request: HttpRequest, code: str):
    scenario = _guide().scenarios.get(code)
    if scenario is None:
        raise Http404
    questions = [
        {"id": q.id, "kind": q.kind, "text": q.text,
         "options": [{"value": o.value, "text": o.text} for o in q.options],
         "unit": q.unit, "minimum": q.minimum if q.kind == "number" else None,
         "maximum": q.maximum if q.kind == "number" else None}
        for q in scenario.activity.questions if q.id not in scenario.preset
    ]  # fmt: skip
    return {**_scenario_out(scenario), "activity": scenario.activity.code, "questions": questions}


def _plan(guide: Guide, plan: Plan) -> HttpResponse:
    """The plan as JSON. Built from plain data already in PlanOut's shape (schemathesis
    checks that against the spec), so it skips a second validation on the hot path."""
    data = {**plan_data(guide, plan), "token": sheet_token(plan.scenario, plan.answers)}
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode(), content_type="application/json")


@router.post(
    "/guidance/resolve",
    response={200: PlanOut, 400: Problem, 404: Problem, 422: Problem, 429: Problem, 503: Problem},
)
@limited("guidance-resolve")
def resolve(request: HttpRequest, body: ResolveIn):
    """The plan for a scenario and answers; invalid answers are named in the problem."""
    guide = _guide()
    scenario = guide.scenarios.get(body.scenario)
    answers, errors = validate_answers(scenario, body.answers) if scenario else ({}, {})
    if scenario is None or errors:
        return _invalid(request, body.scenario if scenario is None else None, errors)
    return _plan(guide, guide.resolve(scenario, answers))


def _invalid(request: HttpRequest, unknown_scenario: str | None, errors: dict):
    """A 422 problem naming the unknown scenario or each invalid answer."""
    if unknown_scenario is not None:
        listed = [{"field": "scenario", "message": f"unknown scenario {unknown_scenario!r}"}]
        return problem(request, 422, "No such scenario.", errors=listed)
    listed = [{"field": f"answers.{k}", "message": v} for k, v in errors.items()]
    return problem(request, 422, "Some answers are not valid.", errors=listed)


@router.get("/guidance/sheets/{token}", response={200: PlanOut, 404: Problem, 503: Problem})
def get_sheet(request: HttpRequest, token: str):
    try:
        sheet = read_sheet(token)
    except GuidanceUnavailable as error:
        raise HttpError(503, UPDATING) from error
    except InvalidSheet:
        raise Http404 from None
    return _plan(sheet.guide, sheet.plan)


class WhatIfIn(ResolveIn):
    question: str
    value: Any


class WhatIfOut(Schema):
    matters_added: list[str]
    matters_removed: list[str]
    materials_added: list[str]
    materials_removed: list[str]
    answers_dropped: list[str]


@router.post(
    "/guidance/what-if",
    response={200: WhatIfOut, 400: Problem, 404: Problem, 422: Problem, 503: Problem},
)
def what_if(request: HttpRequest, body: WhatIfIn):
    """What changes in matters and documents if one answer were different."""
    guide = _guide()
    scenario = guide.scenarios.get(body.scenario)
    if scenario is None:
        return _invalid(request, body.scenario, {})
    answers, errors = validate_answers(scenario, body.answers)
    changed, wrong = validate_answers(scenario, {body.question: body.value})
    if errors or wrong:
        return _invalid(request, None, errors | wrong)
    return guide.what_if(scenario, answers, body.question, changed[body.question])
