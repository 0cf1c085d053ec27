"""Point 10: materials "if it applies" (catalogue ``required: false``). The applicant may add
one to a draft or, until the decision, to an accepted case; a reviewer may ask for one of
the matter; the pre-check never requires one; anything else is still a clear 422."""

import pytest

from tongban.applications import services
from tongban.applications.models import ApplicationMaterial, ApplicationMatter
from tongban.applications.services import CaseError, drafting
from tongban.notifications.models import Notification

from .cases import decided, fill_and_upload, pdf_file, start_food_licence, start_supermarket

pytestmark = pytest.mark.django_db

API = "/api/v1"
AGENT = "authorisation-letter"  # "when an agent applies": food licence, if it applies
BULK = "supply-agreement"  # food licence, "only when selling bulk cooked food"
SIGN_OWNER = "property-owner-consent"  # the signboard's, not the food licence's
NOWHERE = "no-such-material"


@pytest.fixture
def draft(demo_catalogue):
    return start_supermarket(demo_catalogue["jingan.fresh"])


@pytest.fixture
def accepted(demo_catalogue, draft):
    applicant = demo_catalogue["jingan.fresh"]
    fill_and_upload(draft, applicant)
    services.submit(draft, applicant)
    services.accept(draft, demo_catalogue["clerk"])
    draft.refresh_from_db()
    assert draft.state == "in_review"
    return draft


def food_task(application) -> ApplicationMatter:
    return application.matters.get(matter__code="market-food-business-licence")


def offered(application) -> dict[str, tuple[str, ...]]:
    return {o.key: o.matters for o in services.optional_materials(application)}


def add(application, user, key: str):
    return services.upload(application, user, key, pdf_file(f"{key}.pdf"), f"{key}.pdf")


# --- services -------------------------------------------------------------------------


def test_materials_if_they_apply_are_offered_not_required(draft):
    offers = offered(draft)
    assert offers[AGENT] == ("market-food-business-licence",)
    assert offers[SIGN_OWNER] == ("green-shop-signboard",)
    lines = set(draft.materials.values_list("key", flat=True))
    assert not lines & set(offers)  # required lines are not offered again
    assert not [f for f in services.precheck(draft) if f.material in offers]


def test_the_applicant_adds_one_to_a_draft_and_may_take_it_off_again(demo_catalogue, draft):
    applicant = demo_catalogue["jingan.fresh"]
    line = add(draft, applicant, AGENT)
    assert line.pk and line.optional and not line.principal
    assert line.status == "provided" and line.document.owner == applicant
    assert line.matter_codes == ["market-food-business-licence"]
    assert AGENT not in offered(draft)
    services.remove_document(draft, applicant, AGENT)
    assert not draft.materials.filter(key=AGENT).exists()
    assert AGENT in offered(draft)


def test_the_pre_check_never_requires_one(demo_catalogue, draft):
    applicant = demo_catalogue["jingan.fresh"]
    fill_and_upload(draft, applicant)
    offer = next(o for o in services.optional_materials(draft) if o.key == BULK)
    drafting.optional_line(draft, offer).save()  # on the case, without its document
    assert services.precheck(draft) == []
    services.submit(draft, applicant)
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert draft.materials.get(key=BULK).status == "missing"  # not tolerated: not owed


def test_added_twice_at_once_is_a_clear_error(draft):
    offer = next(o for o in services.optional_materials(draft) if o.key == AGENT)
    first, second = drafting.optional_line(draft, offer), drafting.optional_line(draft, offer)
    first.save()
    with pytest.raises(CaseError) as twice:
        drafting._save(second)
    assert twice.value.field == "material"


def test_it_may_be_added_after_acceptance_and_the_department_hears_of_it(demo_catalogue,
                                                                         accepted):  # fmt: skip
    applicant = demo_catalogue["jingan.fresh"]
    line = add(accepted, applicant, AGENT)
    assert line.optional and line.supplied_at is not None
    told = Notification.objects.filter(user=demo_catalogue["reviewer.market"],
                                       application=accepted)  # fmt: skip
    assert told.filter(text_en__contains="the applicant added").exists()
    assert not Notification.objects.filter(user=demo_catalogue["reviewer.green"],
                                           text_en__contains="added").exists()  # fmt: skip
    with pytest.raises(CaseError) as replaced:  # added, not replaced unless asked for
        add(accepted, applicant, AGENT)
    assert replaced.value.field == "file"


def test_nothing_may_be_added_once_decided(demo_catalogue):
    application = decided(demo_catalogue)
    assert services.addable_materials(application) == []
    with pytest.raises(CaseError):
        add(application, demo_catalogue["jingan.fresh"], AGENT)


@pytest.mark.parametrize("key", [NOWHERE, "fire-assembly-venue-opening-check:Nothing"])
def test_a_material_no_matter_of_the_case_has_is_refused(demo_catalogue, key):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_food_licence(applicant)
    for wrong in (key, SIGN_OWNER):  # the signboard is not applied for here
        with pytest.raises(CaseError) as refused:
            add(application, applicant, wrong)
        assert refused.value.field == "material"
    assert not application.materials.filter(optional=True).exists()


def test_a_reviewer_asks_for_one_of_the_matter_and_the_applicant_answers(demo_catalogue,
                                                                         accepted):  # fmt: skip
    applicant, reviewer = demo_catalogue["jingan.fresh"], demo_catalogue["reviewer.market"]
    task = food_task(accepted)
    request = services.request_supplement(task, reviewer, material_keys=[BULK],
                                          reason="You sell bulk liquor")  # fmt: skip
    line = accepted.materials.get(key=BULK)
    assert line.optional and line.status == "missing"
    assert line.matter_codes == ["market-food-business-licence"]
    assert BULK not in offered(accepted)
    with pytest.raises(CaseError) as early:  # required for this supplement
        services.answer_supplement(accepted, applicant, request.pk, "")
    assert early.value.field == "file"
    add(accepted, applicant, BULK)
    services.answer_supplement(accepted, applicant, request.pk, "Attached")
    task.refresh_from_db()
    assert task.state == "reviewing"


@pytest.mark.parametrize("key", [NOWHERE, SIGN_OWNER])
def test_a_reviewer_cannot_ask_for_what_neither_case_nor_matter_has(demo_catalogue, accepted,
                                                                   key):  # fmt: skip
    task = food_task(accepted)
    with pytest.raises(CaseError) as refused:
        services.request_supplement(task, demo_catalogue["reviewer.market"],
                                    material_keys=[BULK, key], reason="Please")  # fmt: skip
    assert refused.value.field == "material_keys" and key in str(refused.value.message)
    task.refresh_from_db()
    assert task.state == "reviewing"
    assert not accepted.materials.filter(optional=True).exists()


# --- pages ----------------------------------------------------------------------------


def test_the_application_page_offers_them_and_takes_one(client, login, draft):
    login("jingan.fresh")
    url = f"/applications/{draft.number}/"
    page = client.get(url).content.decode()
    assert 'id="optional"' in page and "When an agent applies." in page
    assert f'name="material" value="{AGENT}"' in page
    response = client.post(f"{url}materials/", {"material": AGENT, "file": pdf_file()},
                           follow=True)  # fmt: skip
    assert "Uploaded: document.pdf." in response.content.decode()
    assert draft.materials.get(key=AGENT).document is not None
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(url).content.decode()
    assert "视情形提供" in page  # the line is marked "if it applies"
    assert "仅销售散装熟食或散装酒的提交。" in page  # the others are still offered, in Chinese
    assert "委托他人办理的提交。" not in page


def test_the_page_refuses_a_material_the_case_does_not_have(client, login, draft):
    login("jingan.fresh")
    response = client.post(f"/applications/{draft.number}/materials/",
                           {"material": NOWHERE, "file": pdf_file()}, follow=True)  # fmt: skip
    assert "does not ask for that material" in response.content.decode()
    assert not draft.materials.filter(key=NOWHERE).exists()


def test_the_review_page_offers_the_matters_own_and_asks_for_one(client, login, accepted):
    login("reviewer.market")
    task = food_task(accepted)
    url = f"/staff/reviews/{task.pk}/"
    page = client.get(url).content.decode()
    assert f'value="{BULK}"' in page and f'value="{SIGN_OWNER}"' not in page
    asked = client.post(f"{url}supplement/", {"material_keys": [BULK], "reason": "Bulk liquor",
                                              "days": "5"})  # fmt: skip
    assert asked.status_code == 302
    assert accepted.materials.get(key=BULK).optional
    task.refresh_from_db()
    assert task.state == "supplement"


def test_the_review_page_refuses_another_matters_material(client, login, accepted):
    login("reviewer.market")
    task = food_task(accepted)
    wrong = {"material_keys": [SIGN_OWNER], "reason": "Wall", "days": "5"}
    response = client.post(f"/staff/reviews/{task.pk}/supplement/", wrong)
    assert response.status_code == 422
    assert "Neither this application nor this matter" in response.content.decode()
    assert not accepted.materials.filter(key=SIGN_OWNER).exists()


# --- API ------------------------------------------------------------------------------


def test_the_api_offers_them_and_takes_one(client, login, draft):
    login("jingan.fresh")
    url = f"{API}/applications/{draft.number}"
    case = client.get(url).json()
    offer = next(o for o in case["optional_materials"] if o["key"] == AGENT)
    assert offer["matters"] == ["market-food-business-licence"]
    assert offer["note"]["en"] == "When an agent applies."
    assert not any(m["optional"] for m in case["materials"])
    response = client.post(f"{url}/materials", {"material": AGENT, "file": pdf_file()})
    assert response.status_code == 201
    assert response.json()["optional"] and response.json()["document"]
    case = client.get(url).json()
    assert AGENT in {m["key"] for m in case["materials"]}
    assert AGENT not in {o["key"] for o in case["optional_materials"]}
    assert not [f for f in client.get(f"{url}/precheck").json() if f["material"] == AGENT]


@pytest.mark.parametrize("key", [NOWHERE, SIGN_OWNER])
def test_the_api_refuses_a_material_the_case_does_not_have(client, login, demo_catalogue, key):
    application = start_food_licence(demo_catalogue["jingan.fresh"])
    login("jingan.fresh")
    response = client.post(f"{API}/applications/{application.number}/materials",
                           {"material": key, "file": pdf_file()})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "material"


def test_the_api_reviewer_asks_for_one_of_the_matter(client, login, accepted):
    login("reviewer.market")
    task = food_task(accepted)
    url = f"{API}/reviews/{task.pk}/supplement"
    wrong = client.post(url, {"materials": [SIGN_OWNER], "reason": "Wall"}, "application/json")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "material_keys"
    asked = client.post(url, {"materials": [BULK], "reason": "Bulk liquor"}, "application/json")
    assert asked.status_code == 201 and asked.json()["materials"] == [BULK]
    login("jingan.fresh")
    case = client.get(f"{API}/applications/{accepted.number}").json()
    line = next(m for m in case["materials"] if m["key"] == BULK)
    assert line["optional"] and line["requested"] and line["document"] is None
    uploaded = client.post(f"{API}/applications/{accepted.number}/materials",
                           {"material": BULK, "file": pdf_file()})  # fmt: skip
    assert uploaded.status_code == 201
    assert ApplicationMaterial.objects.get(application=accepted, key=BULK).supplied_at
