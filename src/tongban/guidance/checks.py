"""Static checks of compiled guidance: walk every answer path of every scenario.

Choices are enumerated exhaustively; numbers at their bounds and at and around each
threshold the activity's rules name. A path that ends with nothing to do is a dead end.
"""

from dataclasses import dataclass, field

from tongban.core.yamlfile import ContentError

from .engine import Activity, Guide


@dataclass
class CheckReport:
    paths: int = 0
    paths_by_scenario: dict[str, int] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)


def check(guide: Guide, limit_per_scenario: int = 200_000) -> CheckReport:
    report = CheckReport()
    for activity in guide.activities.values():
        _check_activity(guide, activity, report, limit_per_scenario)
    return report


def _check_activity(guide: Guide, activity: Activity, report: CheckReport, limit: int) -> None:
    shown: set[str] = set()
    rules_hit: set[int] = set()
    materials_hit: set[int] = set()
    precautions_hit: set[int] = set()

    def error(line: int, field_: str, message: str) -> None:
        report.errors.append(ContentError(activity.file, line, field_, message))

    for scenario in activity.scenarios:
        count = 0
        outcomes = 0
        for answers in guide.paths(scenario):
            count += 1
            if count > limit:
                error(scenario.line, "scenarios", f"{scenario.code}: more than {limit:,} paths")
                break
            merged = {**answers, **scenario.preset}
            shown |= {q.id for q in guide.visible(scenario, answers)} | set(scenario.preset)
            chosen = set()
            for index, rule in enumerate(activity.rules):
                if rule.when(merged):
                    rules_hit.add(index)
                    chosen.add(rule.matter)
            effects: dict[tuple[str, str], set[bool]] = {}
            for index, rule in enumerate(activity.materials):
                if rule.matter in chosen and rule.when(merged):
                    materials_hit.add(index)
                    effects.setdefault((rule.matter, rule.material), set()).add(rule.include)
            for (matter, material), both in effects.items():
                if len(both) == 2:
                    message = f"{scenario.code}: {material} of {matter} included and omitted"
                    error(scenario.line, "materials", f"{message} for {answers}")
            cautions = [i for i, p in enumerate(activity.precautions) if p.when(merged)]
            precautions_hit.update(cautions)
            for rule in activity.rules:
                clash = [x for x in rule.excludes if rule.matter in chosen and x in chosen]
                if clash:
                    message = f"{scenario.code}: {rule.matter} and {clash[0]} together"
                    error(rule.line, "excludes", f"{message} for {answers}")
            if chosen or cautions:
                outcomes += 1
            else:
                error(scenario.line, "scenarios", f"{scenario.code}: dead end for {answers}")
        report.paths += count
        report.paths_by_scenario[scenario.code] = count
        if count and not outcomes:
            error(scenario.line, "scenarios", f"{scenario.code}: no outcome on any path")
    for question in activity.questions:
        if question.id not in shown:
            error(question.line, "questions", f"question {question.id!r} is never shown")
    for index, rule in enumerate(activity.rules):
        if index not in rules_hit:
            error(rule.line, "matters", f"{rule.matter} is reached by no answer path")
    for index, rule in enumerate(activity.materials):
        if index not in materials_hit:
            error(rule.line, "materials", f"{rule.material} of {rule.matter} is never applied")
    for index, caution in enumerate(activity.precautions):
        if index not in precautions_hit:
            error(caution.line, "precautions", "shown on no answer path")
