"""Read a district's guidance files into engine objects, with errors naming file and line.

data/<district>/guidance/licences.yaml   the licences the smart guidance covers
data/<district>/guidance/activities/*.yaml   one activity a file: questions, scenarios,
                                         rules (matters, materials, precautions)
Format: docs/guidance-format.md. No Django here: matters come in as catalogue records.
"""

from pathlib import Path
from typing import Any

from tongban.core.yamlfile import ContentError, ContentErrors, Mapping, Reader, read

from .conditions import ALWAYS, Compiled, ConditionError, compile_condition
from .engine import (
    MULTI,
    NUMBER,
    SINGLE,
    YESNO,
    Activity,
    Guide,
    MaterialRule,
    MatterRule,
    Option,
    Precaution,
    Question,
    Scenario,
)

KINDS = (SINGLE, MULTI, YESNO, NUMBER)
ACTIVITY_KEYS = {"code", "kind", "icon", "name", "description", "licences", "questions",
                 "scenarios", "matters", "materials", "precautions"}  # fmt: skip
SINGLE_TESTS = {"is", "in"}
MULTI_TESTS = {"has", "any_of"}
NUMBER_TESTS = {"gte", "gt", "lte", "lt"}


class _Reader(Reader):
    """The shared content reader (errors with line, keys of a record) plus the guidance's
    own texts and conditions."""

    def __init__(self, path: Path):
        super().__init__(str(path))

    def pair(self, node: Mapping, key: str, *, required: bool = True) -> dict[str, str] | None:
        value = node.get(key)
        if value is None:
            if required:
                self.error(node, key, "missing")
            return None
        if not isinstance(value, Mapping) or set(value) != {"en", "zh"}:
            self.error(node, key, "give both 'en' and 'zh'")
            return {"en": "", "zh": ""}
        for lang in ("en", "zh"):
            if not isinstance(value[lang], str) or not value[lang].strip():
                self.error(value, lang, f"{key}: missing translation")
        return {"en": str(value["en"]).strip(), "zh": str(value["zh"]).strip()}

    def condition(self, node: Mapping, key: str, questions: dict[str, Question]) -> Compiled:
        if key not in node:
            return ALWAYS
        try:
            compiled = compile_condition(node[key], key)
        except ConditionError as error:
            self.error(node, key, str(error))
            return ALWAYS
        self._check_refs(node, key, node[key], questions)
        return compiled

    def _check_refs(self, holder: Mapping, key: str, cond: Any, questions) -> None:
        """Each test names a known question, a test that suits its kind, known options."""
        if not isinstance(cond, Mapping):
            return
        for op in ("all", "any"):
            for part in cond.get(op, []) if isinstance(cond.get(op), list) else []:
                self._check_refs(holder, key, part, questions)
        if "not" in cond:
            self._check_refs(holder, key, cond["not"], questions)
        if "q" not in cond:
            return
        question = questions.get(cond["q"])
        if question is None:
            self.error(holder, key, f"no question {cond['q']!r}")
            return
        op = next((k for k in cond if k != "q"), None)
        suits = {SINGLE: SINGLE_TESTS, MULTI: MULTI_TESTS, YESNO: {"is"},
                 NUMBER: NUMBER_TESTS}[question.kind]  # fmt: skip
        if op not in suits:
            self.error(
                holder, key, f"{op!r} does not suit {question.kind} question {question.id!r}"
            )
            return
        values = cond[op] if isinstance(cond[op], list) else [cond[op]]
        if question.kind in (SINGLE, MULTI):
            for value in values:
                if value not in question.option_values():
                    self.error(holder, key, f"{question.id!r} has no option {value!r}")
        elif question.kind == YESNO and not isinstance(cond[op], bool):
            self.error(holder, key, f"{question.id!r} is answered true or false")


def _flag(reader: _Reader, node: Mapping) -> bool:
    """``unverified: true`` marks a rule whose basis is not confirmed by an official text."""
    value = node.get("unverified", False)
    if not isinstance(value, bool):
        reader.error(node, "unverified", "true or false")
    return value is True


def _question(reader: _Reader, node: Any, seen: dict[str, Question]) -> Question | None:
    optional = {"options", "unit", "min", "max", "shown_if", "help"}
    if not reader.record(node, "question", {"id", "kind", "text"}, optional):
        return None
    qid, kind = node["id"], node["kind"]
    if not isinstance(qid, str) or qid in seen:
        reader.error(node, "id", f"duplicate or bad question id {qid!r}")
        return None
    if kind not in KINDS:
        reader.error(node, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        return None
    options: list[Option] = []
    if kind in (SINGLE, MULTI):
        raw = node.get("options")
        if not isinstance(raw, list) or len(raw) < 2:
            reader.error(node, "options", "a choice question needs at least two options")
            raw = []
        for option in raw:
            if reader.record(option, "option", {"value", "text"}, set()):
                options.append(Option(str(option["value"]), reader.pair(option, "text")))
        if len({o.value for o in options}) != len(options):
            reader.error(node, "options", "option values repeat")
    elif "options" in node:
        reader.error(node, "options", f"a {kind} question has no options")
    question = Question(
        id=qid,
        kind=kind,
        text=reader.pair(node, "text"),
        options=tuple(options),
        unit=reader.pair(node, "unit", required=kind == NUMBER),
        help=reader.pair(node, "help", required=False),
        line=node.line,
    )
    if kind == NUMBER:
        question.minimum = node.get("min", 0)
        question.maximum = node.get("max", 1_000_000)
        if not all(isinstance(v, int | float) for v in (question.minimum, question.maximum)) or (
            question.minimum > question.maximum
        ):
            reader.error(node, "min", "min and max are numbers, min not above max")
    question.shown = reader.condition(node, "shown_if", seen)  # only earlier questions
    return question


def _activity(path: Path, licences: dict, matters: dict[str, dict], codes: set[str]):
    reader = _Reader(path)
    doc = read(path)
    required = {"code", "kind", "icon", "name", "licences", "questions", "scenarios", "matters"}
    if not reader.record(doc, "activity", required, ACTIVITY_KEYS - required):
        return None, reader.errors
    if doc["kind"] not in ("business", "life"):
        reader.error(doc, "kind", "business or life")
    for licence in doc["licences"] or []:
        if licence not in licences:
            reader.error(doc, "licences", f"no licence {licence!r} in licences.yaml")
    questions: dict[str, Question] = {}
    for node in doc["questions"] or []:
        question = _question(reader, node, questions)
        if question is not None:
            questions[question.id] = question
    activity = Activity(
        code=doc["code"], name=reader.pair(doc, "name"), kind=doc["kind"], icon=doc["icon"],
        licences=tuple(doc["licences"] or ()), questions=list(questions.values()),
        rules=[], materials=[], precautions=[],
        description=reader.pair(doc, "description", required=False),
    )  # fmt: skip
    for node in doc["matters"] or []:
        optional = {"when", "after", "excludes", "unverified"}
        if not reader.record(node, "matter rule", {"matter", "why"}, optional):
            continue
        for key in ("matter", "after", "excludes"):
            for code in node.get(key) if isinstance(node.get(key), list) else [node.get(key)]:
                if code is not None and code not in matters:
                    reader.error(node, key, f"no matter {code!r} in the catalogue")
        activity.rules.append(MatterRule(
            matter=node["matter"], when=reader.condition(node, "when", questions),
            why=reader.pair(node, "why"), after=tuple(node.get("after", ())),
            excludes=tuple(node.get("excludes", ())), line=node.line,
            unverified=_flag(reader, node),
        ))  # fmt: skip
    ruled = {r.matter for r in activity.rules}
    for node in doc.get("materials") or []:
        if not reader.record(node, "material rule", {"matter", "material", "include"}, {"when"}):
            continue
        matter = matters.get(node["matter"])
        if node["matter"] not in ruled or matter is None:
            reader.error(node, "matter", f"{node['matter']!r} is not a matter of this activity")
            continue
        keys = {m["evidence"] or m["name"]["en"] for m in matter["materials"]}
        if node["material"] not in keys:
            reader.error(node, "material", f"{node['matter']} asks for no {node['material']!r}")
        activity.materials.append(MaterialRule(
            matter=node["matter"], material=node["material"], include=node["include"] is True,
            when=reader.condition(node, "when", questions), line=node.line,
        ))  # fmt: skip
    for node in doc.get("precautions") or []:
        if reader.record(node, "precaution", {"text"}, {"when", "basis", "unverified"}):
            activity.precautions.append(Precaution(
                text=reader.pair(node, "text"), when=reader.condition(node, "when", questions),
                basis=reader.pair(node, "basis", required=False), line=node.line,
                unverified=_flag(reader, node),
            ))  # fmt: skip
    for node in doc["scenarios"] or []:
        if not reader.record(node, "scenario", {"code", "name"}, {"description", "preset"}):
            continue
        if node["code"] in codes:
            reader.error(node, "code", f"scenario code {node['code']!r} is used twice")
        codes.add(node["code"])
        preset = dict(node.get("preset") or {})
        for qid, value in preset.items():
            if qid not in questions:
                reader.error(node, "preset", f"no question {qid!r}")
                continue
            try:
                preset[qid] = questions[qid].validate(value)
            except ValueError as error:
                reader.error(node, "preset", f"{qid}: {error}")
        activity.scenarios.append(Scenario(
            code=node["code"], name=reader.pair(node, "name"),
            description=reader.pair(node, "description", required=False), activity=activity,
            preset=preset, line=node.line,
        ))  # fmt: skip
    return activity, reader.errors


def read_guidance(folder: Path, matters: dict[str, dict]) -> Guide:
    """Read ``folder`` (a district's guidance/) against the catalogue's matter records."""
    errors: list[ContentError] = []
    path = folder / "licences.yaml"
    reader = _Reader(path)
    licences: dict[str, dict] = {}
    doc = read(path) if path.exists() else None
    if not isinstance(doc, list):
        raise ContentErrors([ContentError(str(path), 0, "", "missing or not a list")])
    for node in doc:
        if reader.record(node, "licence", {"code", "name", "matters"}, set()):
            for code in node["matters"]:
                if code not in matters:
                    reader.error(node, "matters", f"no matter {code!r} in the catalogue")
            licences[node["code"]] = {"name": reader.pair(node, "name"), "matters": node["matters"]}
    errors += reader.errors
    activities, codes = [], set()
    for file in sorted((folder / "activities").glob("*.yaml")):
        activity, found = _activity(file, licences, matters, codes)
        errors += found
        if activity is not None:
            activity.file = str(file)
            activities.append(activity)
    if errors:
        raise ContentErrors(errors)
    return Guide(activities, licences, matters)
