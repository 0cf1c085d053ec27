"""City-wide handling (全市通办): matters for family members, routed to the department of the
same function in the beneficiary's registration district, at any community centre."""

import pytest
from django.urls import reverse

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.applications import access, services
from tongban.applications.models import Application, ApplicationMatter
from tongban.audit.models import AuditEntry
from tongban.catalogue.models import Department, Matter, Region
from tongban.catalogue.queries import public_version
from tongban.core.identity import mask_resident_id
from tongban.core.moves import CaseError

from .cases import pdf_file

NEWBORN = "hcs-newborn-resident-insurance"
FAMILY_PLANNING = "health-family-planning-retirement-reward"
VETERANS_CARD = "vet-preferential-card"
NEWBORN_ID = "310106202503010027"  # first issued in Jing'an
WIFE_ID = "310113198811054018"


def start(user, code: str):
    return services.start_from_matter(user, Matter.objects.get(version=public_version(), code=code))


def complete(application, user) -> None:
    """Every field and material, so that only routing can stop the submission."""
    data = {f.key: "13800138000" if f.key == "phone" else "1 Gonghe Road"
            for f in services.fields_for(application)}  # fmt: skip
    data.update({k: v for k, v in application.data.items() if v})
    services.save_data(application, user, data)
    for line in application.materials.all():
        services.upload(application, user, line.key, pdf_file(f"{line.key}.pdf"), "x.pdf")


def mr_li(users):
    """The article's Mr Li: his newborn's medical insurance and his wife's family planning
    benefit in one application; she is registered in Baoshan."""
    li = users["li.ming"]
    application = start(li, NEWBORN)
    services.add_matter(application, li, FAMILY_PLANNING)
    services.set_beneficiary(application, li, NEWBORN, "child", name="Li Xiaobao",
                             id_number=NEWBORN_ID, district="310106")  # fmt: skip
    services.set_beneficiary(application, li, FAMILY_PLANNING, "spouse", name="Zhang Hui",
                             id_number=WIFE_ID, district="310113")  # fmt: skip
    complete(application, li)
    return application


def departments(application) -> dict[str, str]:
    return dict(application.matters.values_list("matter__code", "department__code"))


def test_mr_li_applies_for_his_family_and_each_matter_goes_to_its_district(demo_catalogue):
    users = demo_catalogue
    application = mr_li(users)
    services.submit(application, users["li.ming"])
    assert departments(application) == {NEWBORN: "jingan-healthcare-security",
                                        FAMILY_PLANNING: "baoshan-health"}  # fmt: skip
    acts = AuditEntry.objects.filter(object_type="applications.applicationmatter")
    assert [(e.after["acts_for"], e.after["district"]) for e in acts.order_by("seq")] == [
        ("child", "310106"), ("spouse", "310113")]  # fmt: skip
    assert acts.order_by("seq").last().after["id_number"] == mask_resident_id(WIFE_ID)


def test_chen_jings_city_wide_health_case_is_reviewed_by_baoshan_alone(demo_catalogue):
    users = demo_catalogue
    chen = users["chen.jing"]
    application = start(chen, FAMILY_PLANNING)
    complete(application, chen)
    services.submit(application, chen)
    services.accept(application, users["clerk"])
    task = application.matters.get()
    assert task.department.code == "baoshan-health"
    assert access.review_tasks(users["reviewer.baoshan"]).filter(pk=task.pk).exists()
    assert not access.review_tasks(users["reviewer.health"]).filter(pk=task.pk).exists()
    assert not access.visible_applications(users["reviewer.health"]).filter(
        pk=application.pk).exists()  # fmt: skip
    services.approve(task, users["reviewer.baoshan"], scope="")
    application.refresh_from_db()
    assert application.state == "decided"


def test_a_district_without_the_department_is_a_clear_refusal(demo_catalogue):
    chen = demo_catalogue["chen.jing"]
    application = start(chen, VETERANS_CARD)
    complete(application, chen)
    with pytest.raises(CaseError) as refused:
        services.submit(application, chen)
    assert "preferential treatment card" in str(refused.value.message)
    assert "Baoshan District" in str(refused.value.message)
    application.refresh_from_db()
    assert application.state == "draft" and departments(application) == {
        VETERANS_CARD: "jingan-veterans"}  # fmt: skip


def test_without_a_registration_district_a_city_wide_matter_waits_for_it(demo_catalogue):
    li = demo_catalogue["li.ming"]
    li.registration_district = None
    li.save()
    application = start(li, FAMILY_PLANNING)
    complete(application, li)
    with pytest.raises(CaseError, match="household registration district"):
        services.submit(application, li)
    # Not guessed from the ID prefix: setting it is what makes it go.
    li.registration_district = demo_catalogue["chen.jing"].registration_district
    li.save()
    services.submit(application, li)
    assert departments(application) == {FAMILY_PLANNING: "baoshan-health"}


def test_any_community_centre_accepts_and_hands_over_a_city_wide_application(demo_catalogue):
    users = demo_catalogue
    application = mr_li(users)
    offered = {c.code for c in services.centres_to_choose(application)}
    assert {"jingan-administrative-service-centre", "jingan-pengpu-xincun-community"} <= offered
    services.choose_centre(application, users["li.ming"], "jingan-pengpu-xincun-community")
    services.submit(application, users["li.ming"])
    pengpu = users["clerk.pengpu"]
    assert access.visible_applications(pengpu).filter(pk=application.pk).exists()
    assert not access.visible_applications(users["clerk"]).filter(pk=application.pk).exists()
    services.accept(application, pengpu)
    insurance = make_staff(
        User(username="reviewer.insurance"),
        ["reviewer"],
        department=Department.objects.get(code="jingan-healthcare-security"),
    )
    for task in application.matters.filter(state="reviewing").select_related("department"):
        reviewer = users["reviewer.baoshan"] if task.matter.code == FAMILY_PLANNING else insurance
        services.approve(task, reviewer, scope="")
    application.refresh_from_db()
    assert application.state == "decided" and access.is_centre_staff(pengpu, application)


def test_only_an_all_city_wide_application_may_choose_a_community_centre(demo_catalogue):
    from .cases import start_supermarket

    fresh = demo_catalogue["jingan.fresh"]
    application = start_supermarket(fresh)
    assert {c.kind for c in services.centres_to_choose(application)} == {"administrative"}
    with pytest.raises(CaseError) as refused:
        services.choose_centre(application, fresh, "jingan-pengpu-xincun-community")
    assert refused.value.field == "centre"
    with pytest.raises(CaseError):
        services.choose_centre(start(demo_catalogue["li.ming"], NEWBORN), demo_catalogue["li.ming"],
                               "no-such-centre")  # fmt: skip


@pytest.mark.parametrize(
    ("relation", "fields", "field"),
    [
        ("cousin", {}, "relation"),
        ("spouse", {"name": " ", "id_number": WIFE_ID, "district": "310113"}, "name"),
        (
            "spouse",
            {"name": "Zhang Hui", "id_number": "310113198811054019", "district": "310113"},
            "id_number",
        ),
        (
            "spouse",
            {"name": "Zhang Hui", "id_number": WIFE_ID, "district": "310113020000"},
            "district",
        ),
        (
            "spouse",
            {"name": "Li Ming", "id_number": "310106198503154216", "district": "310106"},
            "id_number",
        ),
    ],
)
def test_a_beneficiary_is_checked(demo_catalogue, relation, fields, field):
    li = demo_catalogue["li.ming"]
    application = start(li, FAMILY_PLANNING)
    with pytest.raises(CaseError) as refused:
        services.set_beneficiary(application, li, FAMILY_PLANNING, relation, **fields)
    assert refused.value.field == field
    assert application.matters.get().beneficiary_relation == ApplicationMatter.Relation.SELF


def test_only_city_wide_matters_are_added_and_each_once(demo_catalogue):
    li = demo_catalogue["li.ming"]
    application = start(li, NEWBORN)
    for code in (NEWBORN, "market-food-business-licence", "no-such-matter"):
        with pytest.raises(CaseError):
            services.add_matter(application, li, code)
    services.add_matter(application, li, FAMILY_PLANNING)
    lines = {line.key: line.matter_codes for line in application.materials.all()}
    assert any(FAMILY_PLANNING in codes for codes in lines.values())


# --- pages ----------------------------------------------------------------------------


def page(name: str, *args) -> str:
    return reverse(f"applications:{name}", args=args)


def test_mr_li_does_it_all_on_the_pages_and_pengpu_accepts(login, demo_catalogue):
    users = demo_catalogue
    client = login("li.ming")
    application = start(users["li.ming"], NEWBORN)
    number = application.number
    draft = client.get(page("detail", number)).content.decode()
    assert 'name="relation"' in draft and 'id="add-matter"' in draft
    assert "jingan-pengpu-xincun-community" in draft  # all city-wide: any community centre
    client.post(page("add_matter", number), {"matter": FAMILY_PLANNING})
    client.post(page("beneficiary", number), {"matter": FAMILY_PLANNING, "relation": "spouse",
                "name": "Zhang Hui", "id_number": WIFE_ID, "district": "310113"})  # fmt: skip
    bad = client.post(page("beneficiary", number), {"matter": NEWBORN, "relation": "child",
                      "name": "Li Xiaobao", "id_number": "1", "district": "310106"},
                      follow=True)  # fmt: skip
    assert bad.status_code == 200 and "resident ID number" in bad.content.decode()
    client.post(page("centre", number), {"centre": "jingan-pengpu-xincun-community"})
    complete(application, users["li.ming"])
    shown = client.get(page("detail", number)).content.decode()
    assert "Zhang Hui (spouse, Baoshan District)" in shown
    assert "Pengpu Xincun Sub-district Community Affairs Reception Centre" in shown
    assert client.post(page("submit", number)).status_code == 302
    assert departments(application)[FAMILY_PLANNING] == "baoshan-health"

    client = login("clerk.pengpu")
    case = client.get(page("case", number)).content.decode()
    assert "Zhang Hui (spouse, Baoshan District)" in case and "Li Ming acts for them" in case
    assert client.post(page("accept", number)).status_code == 302
    application.refresh_from_db()
    assert application.state == "in_review"

    task = application.matters.get(matter__code=FAMILY_PLANNING)
    assert login("reviewer.health").get(page("task", task.pk)).status_code == 404
    shown = login("reviewer.baoshan").get(page("task", task.pk)).content.decode()
    assert "Zhang Hui (spouse, Baoshan District)" in shown


def test_the_refusal_is_shown_on_the_page(login, demo_catalogue):
    chen = demo_catalogue["chen.jing"]
    application = start(chen, VETERANS_CARD)
    complete(application, chen)
    shown = login("chen.jing").post(page("submit", application.number), follow=True)
    assert "no department for it" in shown.content.decode()
    application.refresh_from_db()
    assert application.state == "draft"


def test_the_pages_are_in_chinese_too(login, demo_catalogue):
    client = login("li.ming")
    application = start(demo_catalogue["li.ming"], FAMILY_PLANNING)
    client.post(reverse("set_language"), {"language": "zh-hans"})
    shown = client.get(page("detail", application.number)).content.decode()
    assert "为谁办理" in shown and "全市通办" in shown


# --- API ------------------------------------------------------------------------------


def test_the_api_routes_chen_jings_case_to_baoshan(login, demo_catalogue):
    client = login("chen.jing")
    started = client.post("/api/v1/applications", {"matter": FAMILY_PLANNING},
                          content_type="application/json")  # fmt: skip
    assert started.status_code == 201
    body = started.json()
    number = body["number"]
    assert body["matters"][0]["city_wide"] is True
    assert body["matters"][0]["beneficiary"] == {"relation": "self", "name": "", "id_number": "",
                                                 "district": None}  # fmt: skip
    complete(Application.objects.get(number=number), demo_catalogue["chen.jing"])
    centres = client.get(f"/api/v1/applications/{number}/centre").json()
    assert "jingan-pengpu-xincun-community" in {c["code"] for c in centres["choices"]}
    chosen = client.put(f"/api/v1/applications/{number}/centre",
                        {"centre": "jingan-pengpu-xincun-community"},
                        content_type="application/json")  # fmt: skip
    assert chosen.json()["centre"]["code"] == "jingan-pengpu-xincun-community"
    submitted = client.post(f"/api/v1/applications/{number}/submit", {"commitment": False},
                            content_type="application/json")  # fmt: skip
    assert submitted.status_code == 200, submitted.content
    detail = client.get(f"/api/v1/applications/{number}").json()
    assert detail["matters"][0]["department"]["code"] == "baoshan-health"
    assert detail["centre_code"] == "jingan-pengpu-xincun-community"
    login("clerk.pengpu")
    accepted = client.post(f"/api/v1/applications/{number}/accept", content_type="application/json")
    assert accepted.status_code == 200
    login("reviewer.baoshan")
    assert client.get("/api/v1/reviews").json()["count"] == 1
    login("reviewer.health")
    assert client.get("/api/v1/reviews").json()["count"] == 0


def test_the_api_acts_for_a_family_member_and_says_what_is_wrong(login, demo_catalogue):
    client = login("li.ming")
    number = start(demo_catalogue["li.ming"], NEWBORN).number
    added = client.post(f"/api/v1/applications/{number}/matters", {"matter": FAMILY_PLANNING},
                        content_type="application/json")  # fmt: skip
    assert added.status_code == 201 and added.json()["code"] == FAMILY_PLANNING
    again = client.post(f"/api/v1/applications/{number}/matters", {"matter": FAMILY_PLANNING},
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 422 and again.json()["field"] == "matter"
    url = f"/api/v1/applications/{number}/matters/{FAMILY_PLANNING}/beneficiary"
    spouse = {"relation": "spouse", "name": "Zhang Hui", "id_number": WIFE_ID,
              "district": "310113"}  # fmt: skip
    done = client.put(url, spouse, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["beneficiary"] == {"relation": "spouse", "name": "Zhang Hui",
                                          "id_number": mask_resident_id(WIFE_ID),
                                          "district": "310113"}  # fmt: skip
    wrong = client.put(url, {**spouse, "district": "999999"}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["field"] == "district"
    unknown = client.put(f"/api/v1/applications/{number}/matters/nothing/beneficiary", spouse,
                         content_type="application/json")  # fmt: skip
    assert unknown.status_code == 422
    # Another person's application is not found.
    login("chen.jing")
    assert client.put(url, spouse, content_type="application/json").status_code == 404


def test_the_api_refuses_a_district_without_the_department(login, demo_catalogue):
    chen = demo_catalogue["chen.jing"]
    application = start(chen, VETERANS_CARD)
    complete(application, chen)
    refused = login("chen.jing").post(f"/api/v1/applications/{application.number}/submit",
                                      {"commitment": False},
                                      content_type="application/json")  # fmt: skip
    assert refused.status_code == 409
    assert "preferential treatment card" in refused.json()["detail"]


def test_departments_are_linked_across_districts_by_function_not_by_name(demo):
    baoshan = Region.objects.get(code="310113")
    jingan_health = Department.objects.get(code="jingan-health")
    assert jingan_health.function == "health"
    assert jingan_health.counterpart(baoshan).code == "baoshan-health"
    assert jingan_health.counterpart(jingan_health.region) == jingan_health
    assert Department.objects.get(code="jingan-veterans").counterpart(baoshan) is None
    functions = Department.objects.filter(region=baoshan).values_list("function", flat=True)
    assert "" not in functions
