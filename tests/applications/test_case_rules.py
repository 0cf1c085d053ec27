"""What the catalogue says about a matter, the case does: channels, audience, instant matters,
courier delivery, optional materials, tolerable absence and supplement due dates."""

import pytest

from tongban.applications import services
from tongban.applications.models import Application
from tongban.catalogue.queries import public_version
from tongban.guidance.services import current_guide

pytestmark = pytest.mark.django_db

START = "/api/v1/applications"


def lost_card_plan():
    guide = current_guide()
    scenario = guide.scenarios["sscard-lost"]
    return guide, guide.resolve(scenario, {"also_lost": ["id-card"], "doctor": False})


# --- 5 channels ----------------------------------------------------------------------


def test_a_counter_only_matter_cannot_be_applied_for_online(client, login):
    login("li.ming")
    response = client.post(START, {"matter": "ps-temporary-id-card"}, "application/json")
    assert response.status_code == 422
    assert "at the counter" in response.json()["detail"]
    assert not Application.objects.exists()


def test_the_page_says_so_too(client, login):
    login("li.ming")
    response = client.post("/applications/start/", {"matter": "ps-temporary-id-card"},
                           follow=True)  # fmt: skip
    assert "cannot be applied for online" in response.content.decode()
    assert not Application.objects.exists()


def test_a_sheet_applies_online_for_its_online_matters_only(demo_catalogue):
    guide, plan = lost_card_plan()
    assert "ps-temporary-id-card" in {m.code for m in plan.matters}
    application = services.start_from_plan(demo_catalogue["li.ming"], public_version(), guide,
                                           plan)  # fmt: skip
    codes = set(application.matters.values_list("matter__code", flat=True))
    assert "ps-temporary-id-card" not in codes
    assert "hr-social-security-card-reissue" in codes
    for line in application.materials.all():
        assert line.matter_codes and "ps-temporary-id-card" not in line.matter_codes


# --- 6 audience ----------------------------------------------------------------------


def test_a_person_cannot_apply_for_an_enterprise_matter(client, login):
    login("li.ming")
    response = client.post(START, {"matter": "market-device-online-sales-filing"},
                           "application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "matter"
    assert not Application.objects.exists()


def test_an_enterprise_cannot_apply_for_a_personal_matter(client, login):
    login("jingan.fresh")
    response = client.post(START, {"matter": "ps-residence-permit-application"},
                           "application/json")  # fmt: skip
    assert response.status_code == 422
    assert "natural persons" in response.json()["detail"]


def test_each_applies_for_what_is_theirs(client, login):
    login("li.ming")
    response = client.post(START, {"matter": "ps-residence-permit-application"},
                           "application/json")  # fmt: skip
    assert response.status_code == 201


def test_a_person_cannot_apply_from_a_business_sheet(demo_catalogue):
    from .cases import start_supermarket

    with pytest.raises(services.CaseError):
        start_supermarket(demo_catalogue["li.ming"])


# --- 8 courier delivery --------------------------------------------------------------


def test_post_is_offered_only_when_every_result_may_be_posted(client, login, demo_catalogue):
    from .cases import start_food_licence, start_supermarket

    shop = demo_catalogue["jingan.fresh"]
    mixed, licence = start_supermarket(shop), start_food_licence(shop)
    login("jingan.fresh")
    address = {"method": "post", "address": "1 Gonghe Road, Jing'an, Shanghai"}
    refused = client.put(f"/api/v1/applications/{mixed.number}/delivery", address,
                         content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and refused.json()["field"] == "method"
    case = client.get(f"/api/v1/applications/{mixed.number}").json()
    assert case["delivery"]["post_offered"] is False and case["delivery"]["method"] == "pickup"
    page = client.get(f"/applications/{mixed.number}/").content.decode()
    assert 'value="post"' not in page and 'id="no-post"' in page

    posted = client.put(f"/api/v1/applications/{licence.number}/delivery", address,
                        content_type="application/json")  # fmt: skip
    assert posted.status_code == 200 and posted.json()["method"] == "post"
    assert client.get(f"/api/v1/applications/{licence.number}").json()["delivery"]["post_offered"]
    assert 'value="post"' in client.get(f"/applications/{licence.number}/").content.decode()


# --- 11 tolerable absence ------------------------------------------------------------


def test_the_supplement_period_starts_at_acceptance(demo_catalogue, monkeypatch):
    from datetime import date

    from tongban.applications.services import clocks
    from tongban.core import workdays

    from .cases import fill_and_upload, start_supermarket, tolerable_key

    shop = demo_catalogue["jingan.fresh"]
    application = start_supermarket(shop)
    owed = tolerable_key(application)
    fill_and_upload(application, shop, leave_out=owed)
    monkeypatch.setattr(clocks, "today", lambda: date(2026, 3, 2))
    services.submit(application, shop, commitment=True)
    line = application.materials.get(key=owed)
    assert line.status == "tolerated" and line.due_on is None
    accepted_on = date(2026, 3, 16)  # two weeks later, still not overdue
    monkeypatch.setattr(clocks, "today", lambda: accepted_on)
    services.accept(application, demo_catalogue["clerk"])
    line.refresh_from_db()
    assert line.due_on == workdays.add_working_days(accepted_on, 5) > accepted_on


def test_a_tolerated_material_may_be_supplied_before_acceptance(client, login, demo_catalogue):
    from .cases import fill_and_upload, pdf_file, start_supermarket, tolerable_key

    shop = demo_catalogue["jingan.fresh"]
    application = start_supermarket(shop)
    owed = tolerable_key(application)
    fill_and_upload(application, shop, leave_out=owed)
    services.submit(application, shop, commitment=True)
    login("jingan.fresh")
    page = client.get(f"/applications/{application.number}/").content.decode()
    assert "working days of acceptance" in page
    response = client.post(f"/api/v1/applications/{application.number}/materials",
                           {"material": owed, "file": pdf_file()})  # fmt: skip
    assert response.status_code == 201 and response.json()["status"] == "provided"
    other = application.materials.exclude(key=owed).first()
    refused = client.post(f"/api/v1/applications/{application.number}/materials",
                          {"material": other.key, "file": pdf_file()})  # fmt: skip
    assert refused.status_code == 422
    services.accept(application, demo_catalogue["clerk"])
    assert not application.materials.filter(status="tolerated").exists()
