"""The demo catalogue of Jing'an: the article's counts and the eight licences in full."""

import json

import pytest
from django.core.management import call_command
from pyld import jsonld

from tongban.catalogue.export import cpsv_ap
from tongban.catalogue.queries import public_version

from .test_api import CPSV, CV, DCT

EIGHT_LICENCES = [
    "market-food-business-licence",
    "market-prepackaged-food-filing",
    "market-drug-retail-licence",
    "market-device-class2-filing",
    "market-device-class3-licence",
    "health-public-place-hygiene-licence",
    "culture-performance-licence-troupe",
    "culture-performance-licence-agency",
    "culture-internet-cafe-licence",
    "culture-entertainment-venue-licence",
    "culture-art-objects-filing",
]

# Rules of catalogue-facts.md §2 each licence's guide must state.
RULES = [
    ("market-prepackaged-food-filing", "type", "filing"),
    ("market-device-class2-filing", "type", "filing"),
    ("market-device-class3-licence", "type", "licence"),
    ("culture-art-objects-filing", "type", "filing"),
    ("market-drug-retail-licence", "conditions_zh", "执业药师"),
    ("culture-internet-cafe-licence", "conditions_zh", "200"),
    ("culture-entertainment-venue-licence", "steps_zh", "听证"),
    ("health-public-place-hygiene-licence", "conditions_zh", "1000"),
    ("market-food-business-licence", "legal_basis_zh", "第三十五条"),
]

CITY_WIDE_AFFAIRS = [
    ("hcs-newborn-resident-insurance", "新生儿"),
    ("health-family-planning-retirement-reward", "计划生育"),
    ("hr-social-security-card-reissue", "社会保障卡"),
]


@pytest.fixture
def version(demo_catalogue):
    return public_version()


def test_the_stats_command_prints_the_articles_counts(version, capsys):
    capsys.readouterr()
    call_command("catalogue", "stats", "--json")
    stats = json.loads(capsys.readouterr().out)
    assert stats["departments"] == 24 and stats["departments_with_matters"] == 24
    assert stats["matters"] >= 240
    assert stats["comprehensive_counter"] == {"matters": 69, "departments": 12}
    assert stats["on_the_spot"] == 144
    assert stats["district_pre_services"] == 6
    assert sum(stats["by_type"].values()) == stats["matters"]
    for key in ("city_wide", "online", "unverified"):
        assert 0 < stats[key] < stats["matters"], key


def test_the_pre_services_and_city_wide_affairs_of_the_article(version):
    pre_services = " ".join(
        version.matters.filter(pre_service=True).values_list("name_zh", flat=True)
    )
    for words in ("社会保障卡", "检验标志", "合同"):
        assert words in pre_services, words
    for code, words in CITY_WIDE_AFFAIRS:
        matter = version.matters.get(code=code)
        assert matter.city_wide and matter.counter == "community", code
        assert words in matter.name_zh, code


def test_the_eight_licences_are_complete_guides_that_state_the_cited_rules(version):
    for code in EIGHT_LICENCES:
        matter = version.matters.get(code=code)
        assert matter.legal_basis and matter.conditions and len(matter.steps) >= 2, code
        materials = list(matter.materials.all())
        assert len(materials) >= 3, code
        assert any(m.principal and m.required for m in materials), code
        assert matter.result_name_en and matter.result_name_zh, code
    for code, field, fact in RULES:
        value = getattr(version.matters.get(code=code), field)
        assert fact in value.replace(",", ""), (code, field, value)


def test_every_matter_is_consistent(version):
    for matter in version.matters.prefetch_related("materials"):
        assert matter.kind == "instant" or not matter.on_the_spot, matter.code
        assert matter.channels and matter.audience, matter.code
        assert matter.basic_code[:2] == matter.gb_type_code, matter.code
        assert matter.implementation_code == "310106" + matter.basic_code, matter.code
        for material in matter.materials.all():
            assert material.name_en and material.name_zh, matter.code


def test_every_matter_of_the_demo_exports_as_a_cpsv_ap_public_service(version):
    document = json.loads(json.dumps(cpsv_ap(version)))
    expanded = jsonld.expand(document)
    nodes = {node["@id"]: node for node in expanded}
    services = [n for n in expanded if CPSV + "PublicService" in n.get("@type", [])]
    assert len(services) == version.matters.count()
    for service in services:
        for prop in (DCT + "identifier", DCT + "title", DCT + "description"):
            assert service.get(prop), (service["@id"], prop)
        for authority in service[CV + "hasCompetentAuthority"]:
            assert CV + "PublicOrganisation" in nodes[authority["@id"]]["@type"]
