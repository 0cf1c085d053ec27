"""The guidance the site serves: the district's files compiled against its catalogue."""

import json
import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing

from tongban.catalogue.models import CatalogueVersion
from tongban.catalogue.places import Places
from tongban.catalogue.queries import public_version
from tongban.catalogue.versions import records
from tongban.core.yamlfile import ContentErrors

from .content import read_guidance
from .engine import MULTI, NUMBER, YESNO, Guide, Plan, Scenario
from .forms import read_forms

logger = logging.getLogger(__name__)

_compiled: dict[tuple, Guide] = {}


def guidance_folder() -> Path:
    return Path(settings.TONGBAN_GUIDANCE_DIR)


def compile_guide(version: CatalogueVersion, folder: Path | None = None) -> Guide:
    """Read and compile the guidance against a catalogue version (raises ContentErrors)."""
    matters = {record["code"]: record for record in records(version)}
    return read_guidance(folder or guidance_folder(), matters)


def current_guide() -> Guide | None:
    """The compiled guidance of the served catalogue version, built once and kept.

    In production the files change only with a deployment, so they are read once per
    catalogue version; with DEBUG on, an edited file is picked up at the next request.
    """
    version = public_version()
    if version is None:
        return None
    folder = guidance_folder()
    stamp = 0.0
    if settings.DEBUG:
        stamp = max((p.stat().st_mtime for p in folder.rglob("*.yaml")), default=0)
    key = (version.pk, version.digest, str(folder), stamp)
    guide = _compiled.get(key)
    if guide is None:
        _compiled.clear()
        guide = _compiled[key] = compile_guide(version, folder)
    return guide


_forms: dict[tuple, dict] = {}


def guide_forms() -> dict:
    """The forms of the served guidance (forms.yaml beside the activities)."""
    guide = current_guide()
    path = guidance_folder() / "forms.yaml"
    key = (guide_version_key(), path.stat().st_mtime if path.exists() else 0)
    if key not in _forms:
        _forms.clear()
        _forms[key] = read_forms(path, set(guide.matters) if guide else set())
    return _forms[key]


def guide_version_key() -> str:
    """What the served guidance was compiled from, for caches of its outputs."""
    return "|".join(map(str, next(iter(_compiled), ("none",))))


def stats(guide: Guide, paths: int | None = None) -> dict:
    business = [a for a in guide.activities.values() if a.kind == "business"]
    life = [a for a in guide.activities.values() if a.kind == "life"]
    return {
        "licences": len(guide.licences),
        "activities": len(business),
        "scenarios": sum(len(a.scenarios) for a in business),
        "questions": sum(len(a.questions) for a in guide.activities.values()),
        "life_events": len(life),
        "paths": paths,
    }


SHEET_SALT = "tongban.guidance.sheet"


def sheet_token(scenario: str, answers: dict[str, Any]) -> str:
    """A compact, signed token of a scenario and its answers: no personal data in it."""
    return _token(scenario, json.dumps(answers, sort_keys=True))


@lru_cache(maxsize=4096)
def _token(scenario: str, answers_json: str) -> str:
    # Signing compresses and hashes: the same answers always give the same token.
    return signing.dumps(
        {"s": scenario, "a": json.loads(answers_json)}, salt=SHEET_SALT, compress=True
    )


def read_sheet_token(token: str) -> tuple[str, dict[str, Any]] | None:
    try:
        data = signing.loads(token, salt=SHEET_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), dict):
        return None
    return data.get("s"), data["a"]


class GuidanceUnavailable(Exception):
    """The guidance files do not compile now (an editor's mistake, soon put right)."""


class InvalidSheet(Exception):
    """A sheet link this site did not make, or of a scenario it does not serve (now)."""


@dataclass(frozen=True)
class Sheet:
    guide: Guide
    scenario: Scenario
    raw: dict[str, Any]  # the answers as the token carries them

    @cached_property
    def answers(self) -> dict[str, Any]:
        return validate_answers(self.scenario, self.raw)[0]

    @cached_property
    def plan(self) -> Plan:
        return self.guide.resolve(self.scenario, self.answers)


def read_sheet(token: str) -> Sheet:
    """The plan a sheet token stands for. Its answers are checked again, as a link outlives
    edits of the guidance: an answer no longer valid is dropped (the plan may then be
    incomplete). InvalidSheet for a bad link; GuidanceUnavailable when the files are broken."""
    try:
        guide = current_guide()
    except ContentErrors as errors:
        logger.exception("the guidance files do not compile")
        raise GuidanceUnavailable from errors
    decoded = read_sheet_token(token)
    scenario = guide.scenarios.get(decoded[0]) if guide and decoded else None
    if scenario is None:
        raise InvalidSheet
    return Sheet(guide, scenario, decoded[1])


def validate_answers(scenario: Scenario, raw: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """Check each answer against its question: (clean answers, {question id: message})."""
    questions = {q.id: q for q in scenario.activity.questions}
    answers, errors = {}, {}
    for qid, value in raw.items():
        question = questions.get(qid)
        if question is None:
            errors[qid] = "no such question in this scenario"
            continue
        try:
            answers[qid] = question.validate(value)
        except ValueError as error:
            errors[qid] = str(error)
    return answers, errors


def answers_from_query(scenario: Scenario, query) -> tuple[dict[str, Any], dict]:
    """Answers from a form or query string: ``a-<id>`` fields, repeated for several choices."""
    raw: dict[str, Any] = {}
    for question in scenario.activity.questions:
        name = f"a-{question.id}"
        if question.kind == MULTI:
            if name in query or f"{name}-seen" in query:
                raw[question.id] = [v for v in query.getlist(name) if v]
            continue
        value = query.get(name, "").strip()
        if not value:
            continue
        if question.kind == YESNO:
            raw[question.id] = {"yes": True, "no": False}.get(value, value)
        elif question.kind == NUMBER:
            try:
                raw[question.id] = float(value) if "." in value else int(value)
            except ValueError:
                raw[question.id] = value
        else:
            raw[question.id] = value
    return validate_answers(scenario, raw)


def answers_to_query(scenario: Scenario, answers: dict[str, Any]) -> str:
    pairs: list[tuple[str, str]] = []
    for question in scenario.activity.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        name = f"a-{question.id}"
        if question.kind == MULTI:
            pairs.append((f"{name}-seen", "1"))
            pairs += [(name, v) for v in value]
        elif question.kind == YESNO:
            pairs.append((name, "yes" if value else "no"))
        else:
            pairs.append((name, f"{value:g}" if question.kind == NUMBER else value))
    return urlencode(pairs)


def plan_data(guide: Guide, plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data, both languages."""
    scenario = guide.scenarios[plan.scenario]
    questions = {q.id: q for q in scenario.activity.questions}
    places = Places(m.record["department"] for m in plan.matters)
    return {
        "scenario": plan.scenario,
        "activity": scenario.activity.code,
        "complete": plan.complete,
        "answers": plan.answers,
        "missing": plan.missing,
        "matters": [
            {
                "code": m.code,
                "order": m.order + 1,
                "name": m.record["name"],
                "department": m.record["department"],
                "counter": m.record["counter"],
                "kind": m.record["kind"],
                "promised_days": m.record["promised_days"],
                "statutory_days": m.record["statutory_days"],
                "fees": m.record["fees"],
                "city_wide": m.record["city_wide"],
                "online": "online" in m.record["channels"],
                "where": places.where(
                    department=m.record["department"],
                    counter=m.record["counter"],
                    channels=m.record["channels"],
                    city_wide=m.record["city_wide"],
                ),
                "why": m.why,
                "unverified": m.unverified,
                "because": [
                    {
                        "question": q,
                        "answer": a,
                        "label": {lang: questions[q].label(a, lang) for lang in ("en", "zh")},
                    }
                    for q, a in m.triggers
                    if q in questions
                ],  # fmt: skip
            }
            for m in plan.matters
        ],
        "materials": [
            {
                "key": x.key,
                "evidence": x.evidence,
                "name": x.name,
                "originals": x.originals,
                "copies": x.copies,
                "principal": x.principal,
                "matters": x.matters,
                "notes": x.notes,
            }
            for x in plan.materials
        ],
        "precautions": [
            {"text": p.text, "basis": p.basis, "unverified": p.unverified} for p in plan.precautions
        ],
        "funnel": {
            "generic_items": plan.generic_items,
            "kept": plan.kept_items,
            "filtered_out": plan.filtered_out,
        },
    }
