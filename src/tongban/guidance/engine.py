"""The guidance engine: from a scenario and a person's answers to one personal plan.

Pure Python (no Django), so it is fast, property-tested and shared by the pages, the
API, the checks and the benchmarks. A ``Guide`` is compiled once per catalogue version
from plain data: the guidance content and the catalogue's matter records.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .conditions import ALWAYS, Answers, Compiled

Text = Mapping[str, str]  # {"en": ..., "zh": ...}

SINGLE, MULTI, YESNO, NUMBER = "single", "multi", "yesno", "number"


@dataclass(frozen=True)
class Option:
    value: str
    text: Text


@dataclass
class Question:
    id: str
    kind: str
    text: Text
    options: tuple[Option, ...] = ()
    unit: Text | None = None
    minimum: float = 0
    maximum: float = 1_000_000
    shown: Compiled = ALWAYS
    help: Text | None = None
    line: int = 0

    def option_values(self) -> set[str]:
        return {o.value for o in self.options}

    def label(self, value: Any, lang: str = "en") -> str:
        """How an answer reads: the option's text, yes/no, or the number and unit."""
        if self.kind == YESNO:
            return {"en": "yes" if value else "no", "zh": "是" if value else "否"}[lang]
        if self.kind == NUMBER:
            unit = self.unit[lang] if self.unit else ""
            return f"{value:g} {unit}".strip()
        texts = {o.value: o.text[lang] for o in self.options}
        if self.kind == MULTI:
            return ", ".join(texts.get(v, v) for v in value) if value else "—"
        return texts.get(value, str(value))

    def validate(self, value: Any) -> Any:
        """The answer in its canonical form, or ValueError saying what is wrong."""
        if self.kind == YESNO:
            if isinstance(value, bool):
                return value
            raise ValueError("answer yes or no (true or false)")
        if self.kind == NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("give a number")
            if not self.minimum <= value <= self.maximum:
                raise ValueError(f"give a number from {self.minimum:g} to {self.maximum:g}")
            return value
        allowed = self.option_values()
        if self.kind == SINGLE:
            if value not in allowed:
                raise ValueError(f"{value!r} is not an option")
            return value
        if not isinstance(value, list | tuple | set | frozenset):
            raise ValueError("give a list of options")
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not an option")
        order = [o.value for o in self.options]
        return sorted(set(value), key=order.index)


@dataclass
class MatterRule:
    """A catalogue matter the plan includes when ``when`` holds."""

    matter: str
    when: Compiled
    why: Text
    after: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    line: int = 0
    unverified: bool = False

    def __post_init__(self) -> None:
        self.reads = tuple(sorted(self.when.questions))


@dataclass
class MaterialRule:
    """Includes an optional material of a matter, or omits one, when ``when`` holds."""

    matter: str
    material: str  # evidence type code, or the material's English name for a form
    include: bool
    when: Compiled
    line: int = 0


@dataclass
class Precaution:
    text: Text
    when: Compiled
    basis: Text | None = None
    line: int = 0
    unverified: bool = False


@dataclass
class Scenario:
    code: str
    name: Text
    description: Text
    activity: "Activity"
    preset: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass
class Activity:
    code: str
    name: Text
    kind: str  # business | life
    icon: str
    licences: tuple[str, ...]
    questions: list[Question]
    rules: list[MatterRule]
    materials: list[MaterialRule]
    precautions: list[Precaution]
    scenarios: list[Scenario] = field(default_factory=list)
    description: Text | None = None
    file: str = ""


@dataclass
class PlannedMatter:
    code: str
    record: dict  # the catalogue record: name, department, counter, days, fees...
    why: list[Text]
    triggers: list[tuple[str, Any]]  # (question id, answer) that made the rule hold
    order: int
    unverified: bool = False
    after: list[str] = field(default_factory=list)  # matters it comes after (``after:``)


@dataclass
class PlannedMaterial:
    key: str
    name: Text
    originals: int
    copies: int
    principal: bool
    matters: list[str]
    evidence: str | None
    notes: list[Text]


@dataclass
class Plan:
    scenario: str
    answers: dict[str, Any]
    visible: list[str]
    missing: list[str]
    matters: list[PlannedMatter]
    materials: list[PlannedMaterial]
    precautions: list[Precaution]
    generic_items: int

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def kept_items(self) -> int:
        return len(self.matters) + len(self.materials)

    @property
    def filtered_out(self) -> int:
        return max(0, self.generic_items - self.kept_items)


class Guide:
    """The compiled guidance of one catalogue version."""

    def __init__(self, activities: list[Activity], licences: dict[str, dict],
                 matters: dict[str, dict]):  # fmt: skip
        self.activities = {a.code: a for a in activities}
        self.licences = licences
        self.matters = matters
        self.scenarios = {s.code: s for a in activities for s in a.scenarios}
        self._generic = {a.code: self._generic_items(a) for a in activities}
        self._rank = {a.code: _dependency_rank(a.rules) for a in activities}
        # Each matter's materials as flat tuples, ready to merge without dict lookups.
        self._slots = {
            code: [
                (m["evidence"] or f"{code}:{m['name']['en']}", m["evidence"] or m["name"]["en"],
                 m["required"], m["originals"], m["copies"], m["principal"], m["name"],
                 m["evidence"], m["note"])
                for m in record["materials"]
            ]
            for code, record in matters.items()
        }  # fmt: skip

    def _generic_items(self, activity: Activity) -> int:
        """Items of the generic guides the activity's funnel starts from."""
        codes = {r.matter for r in activity.rules}
        return sum(1 + len(self.matters[c]["materials"]) for c in codes)

    # Answers -----------------------------------------------------------------

    def visible(self, scenario: Scenario, answers: Answers) -> list[Question]:
        """The questions shown for these answers, in order (preset ones are not asked)."""
        return self._walk(scenario, answers)[1]

    def clean(self, scenario: Scenario, answers: Answers) -> tuple[dict[str, Any], list[str]]:
        """Keep the answers of visible questions; return them and the ids dropped."""
        kept, _ = self._walk(scenario, answers)
        return kept, [k for k in answers if k not in kept]

    @staticmethod
    def _walk(scenario: Scenario, answers: Answers) -> tuple[dict[str, Any], list[Question]]:
        """One pass in question order: a question's condition reads only earlier ones."""
        preset = scenario.preset
        seen = dict(preset)
        kept: dict[str, Any] = {}
        shown: list[Question] = []
        for question in scenario.activity.questions:
            if question.id in preset or not question.shown.test(seen):
                continue
            shown.append(question)
            if question.id in answers:
                kept[question.id] = seen[question.id] = answers[question.id]
        return kept, shown

    def change(self, scenario: Scenario, answers: Answers, question: str, value: Any):
        """Change one answer: later answers that still apply stay; dependent ones go."""
        return self.clean(scenario, {**answers, question: value})

    # Resolving ---------------------------------------------------------------

    def resolve(self, scenario: Scenario, answers: Answers) -> Plan:
        activity = scenario.activity
        answers, shown = self._walk(scenario, answers)
        merged = {**answers, **scenario.preset}
        chosen: dict[str, PlannedMatter] = {}
        for rule in activity.rules:
            if not rule.when.test(merged):
                continue
            triggers = [(q, merged[q]) for q in rule.reads if q in merged]
            planned = chosen.get(rule.matter)
            if planned is None:
                chosen[rule.matter] = PlannedMatter(
                    rule.matter, self.matters[rule.matter], [rule.why], triggers, 0,
                    rule.unverified, list(rule.after),
                )  # fmt: skip
            else:
                planned.after += [c for c in rule.after if c not in planned.after]
                planned.why.append(rule.why)
                planned.unverified = planned.unverified or rule.unverified
                planned.triggers += [t for t in triggers if t not in planned.triggers]
        rank = self._rank[activity.code]
        matters = sorted(chosen.values(), key=lambda p: rank[p.code])
        for position, planned in enumerate(matters):
            planned.order = position
        effects = {}
        for rule in activity.materials:
            if rule.matter in chosen and rule.when.test(merged):
                effects[(rule.matter, rule.material)] = rule.include
        return Plan(
            scenario=scenario.code,
            answers=answers,
            visible=[q.id for q in shown],
            missing=[q.id for q in shown if q.id not in answers],
            matters=matters,
            materials=self._materials(matters, effects),
            precautions=[p for p in activity.precautions if p.when.test(merged)],
            generic_items=self._generic[activity.code],
        )

    def _materials(self, matters: list[PlannedMatter], effects: dict) -> list[PlannedMaterial]:
        """One list: each evidence type once, originals shown once, copies for each matter."""
        merged: dict[str, PlannedMaterial] = {}
        for planned in matters:
            code = planned.code
            for (
                slot,
                key,
                required,
                originals,
                copies,
                principal,
                name,
                evidence,
                note,
            ) in self._slots[code]:
                if not (effects.get((code, key), required) if effects else required):
                    continue
                found = merged.get(slot)
                if found is None:
                    merged[slot] = PlannedMaterial(
                        slot, name, originals, copies, principal, [code], evidence,
                        [note] if note else [],
                    )  # fmt: skip
                    continue
                # An original is checked once at the one window; each matter keeps copies.
                if originals > found.originals:
                    found.originals = originals
                found.copies += copies
                found.principal = found.principal or principal
                found.matters.append(code)
                if note and note not in found.notes:
                    found.notes.append(note)
        return list(merged.values())

    def what_if(self, scenario: Scenario, answers: Answers, question: str, value: Any) -> dict:
        """What changes in matters and materials if one answer were different."""
        before = self.resolve(scenario, answers)
        changed, dropped = self.change(scenario, answers, question, value)
        after = self.resolve(scenario, changed)
        old_m, new_m = {m.code for m in before.matters}, {m.code for m in after.matters}
        old_x, new_x = {m.key for m in before.materials}, {m.key for m in after.materials}
        return {
            "matters_added": sorted(new_m - old_m),
            "matters_removed": sorted(old_m - new_m),
            "materials_added": sorted(new_x - old_x),
            "materials_removed": sorted(old_x - new_x),
            "answers_dropped": dropped,
        }

    # Enumeration -------------------------------------------------------------

    def paths(self, scenario: Scenario) -> Iterator[dict[str, Any]]:
        """Every complete set of answers: all choices, numbers at and around thresholds."""
        yield from self._extend(scenario, {})

    def _extend(self, scenario: Scenario, answers: dict[str, Any]) -> Iterator[dict[str, Any]]:
        pending = [q for q in self.visible(scenario, answers) if q.id not in answers]
        if not pending:
            yield answers
            return
        question = pending[0]
        for value in self.domain(question, scenario.activity):
            yield from self._extend(scenario, {**answers, question.id: value})

    @staticmethod
    def domain(question: Question, activity: Activity) -> list[Any]:
        if question.kind == YESNO:
            return [False, True]
        if question.kind == SINGLE:
            return [o.value for o in question.options]
        if question.kind == MULTI:
            values = [o.value for o in question.options]
            return [list(c) for n in range(len(values) + 1) for c in combinations(values, n)]
        return number_samples(question, activity)


def number_samples(question: Question, activity: Activity) -> list[float]:
    """The minimum, the maximum, each threshold of the activity's rules and a value below it."""
    thresholds: set[float] = set()
    conditions = [r.when for r in activity.rules] + [r.when for r in activity.materials]
    conditions += [p.when for p in activity.precautions] + [q.shown for q in activity.questions]
    for condition in conditions:
        thresholds |= condition.thresholds.get(question.id, set())
    samples = {question.minimum, question.maximum}
    for t in thresholds:
        samples |= {t, max(question.minimum, t - 1), min(question.maximum, t + 1)}
    return sorted(s for s in samples if question.minimum <= s <= question.maximum)


def _dependency_rank(rules: list[MatterRule]) -> dict[str, int]:
    """A rank for each matter: rule order, each after the matters it names in ``after``."""
    after: dict[str, list[str]] = {}
    for rule in rules:
        after.setdefault(rule.matter, []).extend(rule.after)
    rank: dict[str, int] = {}

    def place(code: str, trail: tuple[str, ...] = ()) -> None:
        if code in rank or code in trail:
            return
        for before in after.get(code, ()):
            if before in after:
                place(before, (*trail, code))
        rank[code] = len(rank)

    for code in after:
        place(code)
    return rank
