import json

import pytest
from pyld import jsonld

from tongban.catalogue.export import cpsv_ap
from tongban.catalogue.loader import load_districts
from tongban.catalogue.queries import public_version

from .sample import sample_folder

CPSV = "http://purl.org/vocab/cpsv#"
CV = "http://data.europa.eu/m8g/"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture
def catalogue(db, tmp_path):
    load_districts([sample_folder(tmp_path)])


def test_list_filter_and_search(client, catalogue):
    everything = client.get("/api/v1/matters").json()
    assert everything["count"] == 2 and everything["version"] == 1
    found = client.get("/api/v1/matters", {"q": "spjy"}).json()
    assert [m["code"] for m in found["items"]] == ["test-food-licence"]
    city_wide = client.get("/api/v1/matters", {"city_wide": "true", "type": "community_affair"})
    assert [m["code"] for m in city_wide.json()["items"]] == ["test-family-allowance"]
    by_department = client.get("/api/v1/matters", {"department": "jingan-market", "online": True})
    assert by_department.json()["count"] == 1
    page = client.get("/api/v1/matters", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_one_matter_with_its_materials_and_departments(client, catalogue):
    matter = client.get("/api/v1/matters/test-food-licence").json()
    assert matter["name"] == {"en": "Test food licence", "zh": "测试食品经营许可"}
    assert [m["evidence"] for m in matter["materials"]] == [None, "business-licence", "floor-plan"]
    assert matter["materials"][2]["principal"] is False
    departments = client.get("/api/v1/departments").json()
    assert len(departments) == 24
    market = client.get("/api/v1/departments/jingan-market").json()
    assert market["matters"] == 1


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/matters/nope", 404),
        ("/api/v1/matters/test-food-licence?version=7", 404),
        ("/api/v1/departments/nope", 404),
        ("/api/v1/matters?type=spaceship", 422),
        ("/api/v1/matters?limit=1000", 422),
        ("/api/v1/matters?q=" + "x" * 101, 422),
    ],
)
def test_bad_requests_are_problem_details(client, catalogue, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"


def test_conditional_get_with_etag(client, catalogue):
    first = client.get("/api/v1/matters/test-food-licence")
    etag = first["ETag"]
    assert (
        client.get("/api/v1/matters/test-food-licence", HTTP_IF_NONE_MATCH=etag).status_code == 304
    )
    other = client.get("/api/v1/matters/test-family-allowance", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200


def test_cpsv_ap_export_expands_to_the_vocabulary_with_its_mandatory_properties(catalogue):
    document = json.loads(json.dumps(cpsv_ap(public_version())))  # plain JSON, as written
    expanded = jsonld.expand(document)  # context inline: no network
    by_type: dict[str, list] = {}
    nodes = {node["@id"]: node for node in expanded}
    for node in expanded:
        for kind in node.get("@type", []):
            by_type.setdefault(kind, []).append(node)
    services = by_type[CPSV + "PublicService"]
    assert len(services) == 2
    for service in services:
        for prop in (DCT + "identifier", DCT + "title", DCT + "description"):
            assert service.get(prop), (service["@id"], prop)
        authorities = service[CV + "hasCompetentAuthority"]
        for authority in authorities:
            organisation = nodes[authority["@id"]]
            assert CV + "PublicOrganisation" in organisation["@type"]
            assert organisation["http://www.w3.org/2004/02/skos/core#prefLabel"]
            assert organisation[DCT + "spatial"]
    food = next(s for s in services if s["@id"].endswith("test-food-licence"))
    titles = {t["@language"].lower(): t["@value"] for t in food[DCT + "title"]}
    assert titles == {"en": "Test food licence", "zh-hans": "测试食品经营许可"}
    inputs = food[CPSV + "hasInput"]
    assert all(CV + "Evidence" in i["@type"] for i in inputs) and len(inputs) == 3
    for prop, kind in (
        (CV + "holdsRequirement", CV + "Requirement"),
        (CPSV + "follows", CPSV + "Rule"),
        (CV + "hasChannel", CV + "Channel"),
        (CPSV + "produces", CV + "Output"),
    ):
        assert all(kind in n["@type"] and n[DCT + "identifier"] for n in food[prop]), prop
    assert CV + "LifeEvent" in by_type and CV + "BusinessEvent" in by_type
