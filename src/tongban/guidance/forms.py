"""Application forms of the licences, filled from a plan's answers and the applicant's profile.

Forms are data (data/<district>/guidance/forms.yaml); a field names where its value
comes from, and a field nothing fills stays blank for handwriting. No Django here.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tongban.core.yamlfile import ContentError, ContentErrors, Mapping, read

from .engine import Guide, Plan, Text

PROFILE_FIELDS = {"enterprise_name", "credit_code", "full_name", "phone"}


@dataclass
class Form:
    matter: str
    title: Text
    fields: list[tuple[Text, Any]]  # (label, source)


@dataclass
class FilledForm:
    title: Text
    rows: list[tuple[Text, str]]  # (label, value or "")


def read_forms(path: Path, matters: set[str]) -> dict[str, Form]:
    if not path.exists():
        return {}
    errors: list[ContentError] = []
    forms: dict[str, Form] = {}
    for node in read(path) or []:
        if not isinstance(node, Mapping) or node.get("matter") not in matters:
            errors.append(ContentError(str(path), getattr(node, "line", 0), "matter",
                                       "each form names a catalogue matter"))  # fmt: skip
            continue
        fields = []
        for field in node.get("fields") or []:
            source = field.get("from")
            if not _valid_source(source):
                errors.append(ContentError(str(path), field.line_of("from"), "from",
                                           f"unknown source {source!r}"))  # fmt: skip
            fields.append((field["label"], source))
        forms[node["matter"]] = Form(node["matter"], node["title"], fields)
    if errors:
        raise ContentErrors(errors)
    return forms


def _valid_source(source: Any) -> bool:
    if source is None or source in ("scenario", "activity"):
        return True
    if isinstance(source, str) and source.startswith("profile."):
        return source.removeprefix("profile.") in PROFILE_FIELDS
    return isinstance(source, Mapping) and isinstance(source.get("answer"), list)


def fill(guide: Guide, plan: Plan, forms: dict[str, Form], profile: dict[str, str],
         lang: str) -> list[FilledForm]:  # fmt: skip
    """The forms of the plan's matters, in plan order, with what is known filled in."""
    scenario = guide.scenarios[plan.scenario]
    questions = {q.id: q for q in scenario.activity.questions}
    answers = {**plan.answers, **scenario.preset}
    filled = []
    for planned in plan.matters:
        form = forms.get(planned.code)
        if form is None:
            continue
        rows = []
        for label, source in form.fields:
            value = ""
            if source == "scenario":
                value = scenario.name[lang]
            elif source == "activity":
                value = scenario.activity.name[lang]
            elif isinstance(source, str) and source.startswith("profile."):
                value = profile.get(source.removeprefix("profile."), "")
            elif isinstance(source, Mapping):
                for qid in source["answer"]:
                    if qid in answers and qid in questions:
                        value = questions[qid].label(answers[qid], lang)
                        break
            rows.append((label, value))
        filled.append(FilledForm(form.title, rows))
    return filled
