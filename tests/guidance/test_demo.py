"""The demo guidance of Jing'an: the article's 8 licences, 27 activities and 63 scenarios,
every answer path walked, and one regression plan per scenario.

tests/guidance/expected.yaml holds, for each scenario, one answer set and the matters and
documents of its plan. Entries with a `checked` note were checked by hand against the
cited regulations (research: catalogue-facts.md, shanghai-content-facts.md); the others
guard against unintended changes.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tongban.catalogue.queries import public_version
from tongban.guidance.checks import check
from tongban.guidance.services import compile_guide

EXPECTED = yaml.safe_load((Path(__file__).parent / "expected.yaml").read_text())
SPRITE = Path(settings.NODE_MODULES) / "@uswds" / "uswds" / "dist" / "img" / "sprite.svg"


@pytest.fixture
def guide(demo_catalogue):
    return compile_guide(public_version())


def test_stats_give_the_articles_figures(demo_catalogue, capsys):
    capsys.readouterr()
    call_command("guidance", "stats", "--json")
    stats = json.loads(capsys.readouterr().out)
    assert (stats["licences"], stats["activities"], stats["scenarios"]) == (8, 27, 63)
    assert stats["life_events"] >= 5 and stats["paths"] > 0


def test_no_path_is_a_dead_end_and_every_licence_is_reachable(guide):
    report = check(guide)
    assert report.errors == []
    reachable = {r.matter for a in guide.activities.values() for r in a.rules}
    for code, licence in guide.licences.items():
        assert set(licence["matters"]) & reachable, code


def test_every_activity_icon_is_in_the_design_system(guide):
    icons = set(re.findall(r'<symbol[^>]*id="([^"]+)"', SPRITE.read_text()))
    assert {a.icon for a in guide.activities.values()} <= icons


def test_each_scenario_gives_its_expected_plan(guide):
    assert {e["scenario"] for e in EXPECTED} == set(guide.scenarios)
    assert sum(1 for e in EXPECTED if e.get("checked")) >= 20
    for entry in EXPECTED:
        plan = guide.resolve(guide.scenarios[entry["scenario"]], entry["answers"])
        assert plan.complete, entry["scenario"]
        assert [m.code for m in plan.matters] == entry["matters"], entry["scenario"]
        assert sorted(m.key for m in plan.materials) == entry["materials"], entry["scenario"]


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # the guide is read-only: sharing it between examples is safe
@given(data=st.data())
def test_any_path_of_any_scenario_resolves_cleanly(guide, data):
    """Random answers, then one changed: no duplicate document, no orphan answer."""
    scenario = guide.scenarios[data.draw(st.sampled_from(sorted(guide.scenarios)))]
    answers: dict = {}
    while pending := [q for q in guide.visible(scenario, answers) if q.id not in answers]:
        answers[pending[0].id] = data.draw(
            st.sampled_from(guide.domain(pending[0], scenario.activity))
        )
    plan = guide.resolve(scenario, answers)
    assert plan.complete and (plan.matters or plan.precautions)
    keys = [m.key for m in plan.materials]
    assert len(keys) == len(set(keys))
    if not answers:
        return
    qid = data.draw(st.sampled_from(sorted(answers)))
    question = next(q for q in scenario.activity.questions if q.id == qid)
    value = data.draw(st.sampled_from(guide.domain(question, scenario.activity)))
    changed, dropped = guide.change(scenario, answers, question.id, value)
    shown = {q.id for q in guide.visible(scenario, changed)}
    assert set(changed) <= shown  # every kept answer still has its question shown
    assert not set(dropped) & set(changed)
    assert all(changed[k] == answers[k] for k in changed if k != question.id and k in answers)
