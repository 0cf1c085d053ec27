"""The guidance engine on the supermarket of the source article."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tongban.catalogue.content import Known, read_catalogue
from tongban.core.yamlfile import ContentErrors
from tongban.guidance.checks import check
from tongban.guidance.content import read_guidance

DATA = Path(settings.PROJECT_DIR) / "data" / "jingan"
GUIDANCE = DATA / "guidance"


_records: dict[str, dict] = {}


@pytest.fixture
def matters(db):
    """The catalogue's matter records, read from the files once (no load needed)."""
    if not _records:
        departments = {d["code"] for d in yaml.safe_load((DATA / "departments.yaml").read_text())}
        errors = []
        files = read_catalogue(DATA, Known(departments), errors)
        assert not errors, errors
        _records.update({m["code"]: m for m in files.matters})
    return _records


def supermarket_only(tmp_path: Path) -> Path:
    folder = tmp_path / "guidance"
    (folder / "activities").mkdir(parents=True)
    shutil.copy(GUIDANCE / "licences.yaml", folder)
    shutil.copy(GUIDANCE / "forms.yaml", folder)
    shutil.copy(GUIDANCE / "activities" / "open-supermarket.yaml", folder / "activities")
    return folder


@pytest.fixture
def guide(matters, tmp_path):
    return read_guidance(supermarket_only(tmp_path), matters)


SMALL_SHOP = {"registered": False, "entity": "individual", "sells": ["prepackaged"],
              "makes_food": False, "drugs": "none", "devices": [], "signboard": True}  # fmt: skip


def codes(plan):
    return [m.code for m in plan.matters]


def test_a_small_shop_of_prepackaged_food_needs_a_filing_not_a_licence(guide):
    plan = guide.resolve(guide.scenarios["supermarket-small"], SMALL_SHOP)
    assert plan.complete
    assert codes(plan) == [
        "market-individual-business-registration",
        "market-prepackaged-food-filing",
        "fire-assembly-venue-opening-check",
        "green-shop-signboard",
    ]
    assert "health-public-place-hygiene-licence" not in codes(plan)
    assert any("1,000" in p.text["en"] for p in plan.precautions)
    assert plan.filtered_out > 0 and plan.generic_items > plan.kept_items


def test_cooked_food_and_otc_drugs_change_the_licence_and_the_materials(guide):
    answers = {**SMALL_SHOP, "sells": ["prepackaged", "cooked"], "drugs": "otc-a-rx"}
    plan = guide.resolve(guide.scenarios["supermarket-small"], answers)
    assert "market-food-business-licence" in codes(plan)
    assert "market-prepackaged-food-filing" not in codes(plan)
    assert "market-drug-retail-licence" in codes(plan)
    keys = {m.key for m in plan.materials}
    assert {"supply-agreement", "food-producer-licence", "pharmacist-certificate"} <= keys
    why = next(m for m in plan.matters if m.code == "market-food-business-licence")
    assert ("sells", ["prepackaged", "cooked"]) in why.triggers and "Art. 35" in why.why[0]["en"]


def test_one_document_for_every_matter_that_needs_it(guide):
    answers = {**SMALL_SHOP, "registered": True, "sells": ["bulk"], "drugs": "otc-b"}
    plan = guide.resolve(guide.scenarios["supermarket-large"], answers)
    licence = [m for m in plan.materials if m.key == "business-licence"]
    assert len(licence) == 1
    needing = [m.code for m in plan.matters
               if any(x["evidence"] == "business-licence" and x["required"]
                      for x in m.record["materials"])]  # fmt: skip
    assert licence[0].matters == needing and len(needing) >= 3
    copies = sum(x["copies"] for m in plan.matters for x in m.record["materials"]
                 if x["evidence"] == "business-licence" and x["required"])  # fmt: skip
    assert licence[0].copies == copies
    assert "health-public-place-hygiene-licence" in codes(plan)


def test_changing_an_answer_drops_only_the_answers_that_depend_on_it(guide):
    scenario = guide.scenarios["supermarket-standard"]
    answers = {**SMALL_SHOP, "size": "under-1000"}
    changed, dropped = guide.change(scenario, answers, "registered", True)
    assert dropped == ["entity"]
    assert (
        changed == {**answers, "registered": True, "entity": None} | {} or "entity" not in changed
    )
    assert {k: v for k, v in changed.items()} == {
        k: v for k, v in {**answers, "registered": True}.items() if k != "entity"
    }
    diff = guide.what_if(scenario, answers, "size", "from-1000")
    assert diff["matters_added"] == ["health-public-place-hygiene-licence"]
    assert diff["matters_removed"] == [] and diff["answers_dropped"] == []


def test_the_check_walks_every_path_without_a_dead_end(guide):
    report = check(guide)
    assert report.errors == []
    assert report.paths > 1000 and set(report.paths_by_scenario) == set(guide.scenarios)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{q: drugs, in: [otc-b, otc-a-rx]}",
            "{q: drugs, in: [otc-b, morphine]}",
            "no option 'morphine'",
        ),
        ("{q: devices, has: class3}", "{q: device, has: class3}", "no question 'device'"),
        ("{q: devices, has: class3}", "{q: devices, gte: 3}", "does not suit multi question"),
        (
            "matter: green-shop-signboard",
            "matter: green-shop-signboards",
            "no matter 'green-shop-signboards'",
        ),
        (
            "kind: yesno\n    text: {en: Will you put",
            "kind: maybe\n    text: {en: Will you put",
            "'maybe' is not one of",
        ),
    ],
)
def test_content_errors_name_file_line_and_field(matters, tmp_path, old, new, message):
    folder = supermarket_only(tmp_path)
    path = folder / "activities" / "open-supermarket.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        read_guidance(folder, matters)
    found = [str(e) for e in caught.value.errors]
    assert any(message in e and "open-supermarket.yaml:" in e for e in found), found


def test_the_check_finds_unreachable_rules_and_dead_ends(matters, tmp_path):
    folder = supermarket_only(tmp_path)
    path = folder / "activities" / "open-supermarket.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "when: {q: signboard, is: true}",
        "when: {all: [{q: signboard, is: true}, {q: signboard, is: false}]}",
    )
    text = text.replace(
        "when: {all: [{q: format, is: wholesale}, {not:",
        "when: {all: [{q: format, is: retail}, {not:",
    )
    path.write_text(text, encoding="utf-8")
    report = check(read_guidance(folder, matters))
    messages = [str(e) for e in report.errors]
    assert any("green-shop-signboard is reached by no answer path" in m for m in messages)
    assert any("open-supermarket.yaml:" in m and "supermarket-wholesale: dead end" in m
               for m in messages)  # fmt: skip


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # the guide is read-only: sharing it between examples is safe
@given(data=st.data())
def test_any_answers_resolve_without_duplicate_materials(guide, data):
    scenario = guide.scenarios[data.draw(st.sampled_from(sorted(guide.scenarios)))]
    answers = {}
    for question in scenario.activity.questions:
        answers[question.id] = data.draw(st.sampled_from(guide.domain(question, scenario.activity)))
    plan = guide.resolve(scenario, answers)
    keys = [m.key for m in plan.materials]
    assert len(keys) == len(set(keys))
    assert plan.complete  # every visible question was answered
    shown = set(plan.visible)
    for question in scenario.activity.questions:  # no answer is kept without its question
        assert question.id in shown or question.id not in plan.answers
