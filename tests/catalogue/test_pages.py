import pytest
from django.urls import reverse

from tongban.catalogue.loader import load_districts

from .sample import MATTER, sample_folder


@pytest.fixture
def catalogue(db, tmp_path):
    load_districts([sample_folder(tmp_path)])


@pytest.mark.parametrize("query", ["食品", "food", "FOOD licence", "spjy", "shipin", "0117901"])
def test_search_finds_the_food_licence_in_every_form_of_its_name(client, catalogue, query):
    page = client.get(reverse("services"), {"q": query}).content.decode()
    assert "1 matter found" in page
    assert reverse("matter", args=["test-food-licence"]) in page


def test_search_terms_all_match_and_wildcards_are_literal(client, catalogue):
    for query in ("food allowance", "%", "_"):
        page = client.get(reverse("services"), {"q": query}).content.decode()
        assert "0 matters found" in page and "No matter matches" in page


def test_browse_by_department_theme_and_event(client, catalogue):
    index = client.get(reverse("services")).content.decode()
    assert "?department=jingan-market" in index and "?event=retiring" in index
    by_event = client.get(reverse("services"), {"event": "retiring"}).content.decode()
    assert "Test family allowance" in by_event and "Test food licence" not in by_event
    by_theme = client.get(reverse("services"), {"theme": "food-drug"}).content.decode()
    assert "Test food licence" in by_theme and "Test family allowance" not in by_theme
    city_wide = client.get(reverse("services"), {"city_wide": "on"}).content.decode()
    assert "Test family allowance" in city_wide and "Test food licence" not in city_wide


def test_a_bad_filter_is_a_form_message_not_an_error(client, catalogue):
    response = client.get(reverse("services"), {"type": "spaceship", "department": "x"})
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()


def test_the_guide_has_every_part_of_a_service_guide(client, catalogue):
    page = client.get(reverse("matter", args=["test-food-licence"])).content.decode()
    for part in (
        "Test food licence",
        "A licence to sell food.",
        "Suitable premises",  # conditions
        "Business licence",  # material from its evidence type
        "may follow later",  # the tolerable floor plan
        "Decision",  # steps
        "Promised: 5 working days; statutory: 10 working days",
        "Free of charge",
        "Food Safety Law, Art. 35",
        "valid 60 months",
        "Market sector counter",
        "Jing&#x27;an District Administrative Service Centre",
    ):
        assert part in page, part
    assert client.get(reverse("matter", args=["no-such-matter"])).status_code == 404
    assert (
        client.get(reverse("matter", args=["test-food-licence"]), {"version": "x"}).status_code
        == 404
    )


def test_the_guide_in_chinese_and_the_print_view(client, catalogue):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("matter", args=["test-family-allowance"])).content.decode()
    assert "测试计划生育奖励" in page and "持有光荣证" in page and "居民身份证" in page
    printed = client.get(reverse("matter_print", args=["test-food-licence"])).content.decode()
    assert "测试食品经营许可" in printed and "tb-nav" not in printed


def test_an_earlier_version_stays_readable(client, catalogue, tmp_path):
    load_districts(
        [sample_folder(tmp_path / "v2", MATTER.replace("Suitable premises", "Premises"))]
    )
    url = reverse("matter", args=["test-food-licence"])
    assert "Suitable premises" not in client.get(url).content.decode()
    old = client.get(url, {"version": 1}).content.decode()
    assert "Suitable premises" in old and "See the current guide" in old
