"""The main journey of a new business: one application, accepted at one counter."""

import pytest

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.applications import issuing, selectors, services
from tongban.applications.models import IssuedDocument
from tongban.applications.services import clocks
from tongban.applications.services.drafting import accepting_counter
from tongban.applications.states import outcome
from tongban.catalogue.models import Department, Matter
from tongban.catalogue.queries import public_version
from tongban.core.moves import CaseError
from tongban.notifications.models import Notification

from .cases import fill_and_upload, pdf_file, start_supermarket, supermarket_plan

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def test_matters_of_one_counter_kind_go_to_that_counter_and_mixed_ones_to_the_one_window():
    assert accepting_counter(["market", "market"]) == "market"
    assert accepting_counter(["market", "comprehensive"]) == "comprehensive"
    assert accepting_counter(["market", "construction"]) == "comprehensive"


def test_a_sheet_of_several_counter_kinds_is_accepted_at_the_comprehensive_counter(
    client, demo_catalogue
):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    kinds = {t.matter.counter for t in application.matters.select_related("matter")}
    # The first matter is a market one; the shop sign and the fire check are not.
    assert application.matters.first().matter.counter == "market" and len(kinds) > 1
    assert application.counter == "comprehensive"
    fill_and_upload(application, applicant)
    services.submit(application, applicant)

    client.force_login(applicant)
    answer = client.get(f"{API}/applications/{application.number}")
    assert answer.json()["counter"] == "comprehensive"
    client.force_login(demo_catalogue["clerk"])
    page = client.get(f"/staff/applications/{application.number}/")
    assert "Comprehensive acceptance counter" in page.content.decode()


def test_one_matter_is_accepted_at_its_own_counter(client, demo_catalogue):
    matter = Matter.objects.get(version=public_version(), code="market-food-business-licence")
    applicant = demo_catalogue["jingan.fresh"]
    application = services.start_from_matter(applicant, matter)
    assert application.counter == "market"
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    client.force_login(demo_catalogue["clerk"])
    page = client.get(f"/staff/applications/{application.number}/")
    assert "Market sector counter" in page.content.decode()


# Co-implementing departments -----------------------------------------------------------


@pytest.fixture
def internet_cafe(demo_catalogue):
    """An accepted internet café licence, reviewed by culture with public security and fire."""
    applicant = demo_catalogue["jingan.fresh"]
    matter = Matter.objects.get(version=public_version(), code="culture-internet-cafe-licence")
    application = services.start_from_matter(applicant, matter)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    services.accept(application, demo_catalogue["clerk"])
    return application


def reviewer_of(department: str, users: dict) -> User:
    found = next((u for u in users.values() if u.department and u.department.code == department),
                 None)  # fmt: skip
    if found:
        return found
    user = User.objects.create_user(f"reviewer.{department}", password="x")  # noqa: S106
    return make_staff(user, ["reviewer"], department=Department.objects.get(code=department))


def in_order(application) -> list:
    """The tasks in COFFEE's order: the lead first, co-departments as the catalogue lists."""
    tasks = {t.department.code: t for t in application.matters.select_related("department")}
    return [tasks[code] for code in COFFEE]


COFFEE = ["jingan-culture-tourism", "jingan-public-security", "jingan-fire-rescue"]


def test_each_co_department_reviews_in_parallel_in_its_own_inbox(internet_cafe, demo_catalogue,
                                                                 client):  # fmt: skip
    tasks = in_order(internet_cafe)
    assert [(t.department.code, t.lead) for t in tasks] == [
        (COFFEE[0], True), (COFFEE[1], False), (COFFEE[2], False)
    ]  # fmt: skip
    assert all(t.started_on and t.due_on for t in tasks)
    fire = demo_catalogue["reviewer.fire"]
    assert [t.pk for t in selectors.review_tasks(fire, clocks.today())] == [tasks[2].pk]
    client.force_login(fire)
    inbox = ok(client.get(f"{API}/reviews"))
    assert [r["id"] for r in inbox["items"]] == [tasks[2].pk]
    assert f"/staff/reviews/{tasks[2].pk}/" in client.get("/staff/reviews/").content.decode()
    client.force_login(demo_catalogue["reviewer.market"])
    assert ok(client.get(f"{API}/reviews"))["count"] == 0

    reviewers = [reviewer_of(code, demo_catalogue) for code in COFFEE]
    services.approve(tasks[0], reviewers[0], scope="Internet café, 120 terminals")
    services.approve(tasks[1], reviewers[1])
    internet_cafe.refresh_from_db()
    assert internet_cafe.state == "in_review"  # fire has not decided yet
    services.approve(tasks[2], reviewers[2])
    internet_cafe.refresh_from_db()
    assert internet_cafe.state == "decided"
    [certificate] = issuing.issue(internet_cafe, demo_catalogue["manager"])
    assert certificate.kind == "certificate" and certificate.task_id == tasks[0].pk
    assert certificate.scope == "Internet café, 120 terminals"

    client.force_login(demo_catalogue["jingan.fresh"])
    case = ok(client.get(f"{API}/applications/{internet_cafe.number}"))
    rows = sorted((m["department"]["code"], m["lead"], m["state"]) for m in case["matters"])
    assert rows == sorted([(COFFEE[0], True, "approved"), (COFFEE[1], False, "approved"),
                           (COFFEE[2], False, "approved")])  # fmt: skip
    page = client.get(f"/applications/{internet_cafe.number}/").content.decode()
    assert page.count("co-implementing") == 2


def test_one_refusal_refuses_the_matter_and_closes_the_other_tasks(internet_cafe, demo_catalogue):
    tasks = in_order(internet_cafe)
    reviewers = [reviewer_of(code, demo_catalogue) for code in COFFEE]
    services.approve(tasks[0], reviewers[0], scope="Internet café")
    services.refuse(tasks[2], reviewers[2], "No second fire exit (Fire Protection Law, Art. 15)")
    tasks[1].refresh_from_db()
    assert tasks[1].state == "withdrawn" and "fire exit" in tasks[1].reason
    told = Notification.objects.filter(user=reviewers[1], application=internet_cafe)
    assert [n.text_en for n in told if "refused this matter" in n.text_en]
    internet_cafe.refresh_from_db()
    assert internet_cafe.state == "decided"
    [letter] = issuing.issue(internet_cafe, demo_catalogue["manager"])
    assert letter.kind == "refusal" and letter.task_id == tasks[0].pk
    assert letter.scope == "No second fire exit (Fire Protection Law, Art. 15)"
    assert issuing.check_serial(letter.serial)["valid"] is False


def test_a_matter_is_approved_only_when_every_department_approves():
    assert outcome(["approved", "approved"]) == "approved"
    assert outcome(["approved", "refused", "withdrawn"]) == "refused"
    assert outcome(["approved", "withdrawn"]) == "withdrawn"
    assert outcome(["withdrawn"]) == "withdrawn"


# The joint opening of a business (证照联办) ---------------------------------------------

NEW_COMPANY = {"registered": False, "entity": "company"}
ESTABLISHMENT = "market-company-establishment"


@pytest.fixture
def new_company(demo_catalogue, settings):
    """Also waiting as the guidance's ``after:`` orders (kitchen waste after the food licence)."""
    settings.TONGBAN_WAIT_FOR_AFTER = True
    return _new_company(demo_catalogue)


def _new_company(demo_catalogue):
    """A supermarket without a business licence yet: the sheet submitted and accepted."""
    applicant = demo_catalogue["jingan.fresh"]
    guide, plan = supermarket_plan(NEW_COMPANY)
    application = services.start_from_plan(applicant, public_version(), guide, plan)
    fill_and_upload(application, applicant)
    assert [f for f in services.submit(application, applicant) if f.level == "error"] == []
    services.accept(application, demo_catalogue["clerk"])
    return application


def reviewer_for(task, users: dict) -> User:
    return reviewer_of(task.department.code, users)


def test_the_sheet_of_a_new_business_waits_for_its_business_licence(demo_catalogue, client):
    applicant = demo_catalogue["jingan.fresh"]
    guide, plan = supermarket_plan(NEW_COMPANY)
    application = services.start_from_plan(applicant, public_version(), guide, plan)
    licence = application.materials.get(evidence="business-licence")
    assert licence.from_matter == ESTABLISHMENT and licence.status == "awaited"
    tasks = list(application.matters.select_related("matter"))
    assert tasks[0].matter.code == ESTABLISHMENT and tasks[0].after == []
    # Everything else needs the business licence; kitchen waste comes after the food
    # licence in the guidance, but does not ask for it (TONGBAN_WAIT_FOR_AFTER is off).
    assert {t.matter.code: t.after for t in tasks[1:]} == {
        "market-food-business-licence": [ESTABLISHMENT],
        "fire-assembly-venue-opening-check": [ESTABLISHMENT],
        "green-shop-signboard": [ESTABLISHMENT],
        "green-kitchen-waste-declaration": [ESTABLISHMENT],
    }
    fill_and_upload(application, applicant)
    # The pre-check does not ask for the licence the application itself will issue.
    assert all(f.material != licence.key for f in services.precheck(application))
    with pytest.raises(CaseError):
        services.upload(application, applicant, licence.key, pdf_file(), "licence.pdf")

    client.force_login(applicant)
    case = ok(client.get(f"{API}/applications/{application.number}"))
    line = next(m for m in case["materials"] if m["key"] == licence.key)
    assert line["status"] == "awaited" and line["from_matter"] == ESTABLISHMENT
    assert [m["after"] for m in case["matters"]][:2] == [[], [ESTABLISHMENT]]
    page = client.get(f"/applications/{application.number}/").content.decode()
    assert "issued in this application when the matter it comes from is approved" in page


def test_the_licences_start_when_the_business_licence_is_issued(new_company, demo_catalogue,
                                                                client):  # fmt: skip
    tasks = list(new_company.matters.select_related("matter", "department"))
    establishment, waiting = tasks[0], tasks[1:]
    assert establishment.state == "reviewing" and establishment.started_on
    assert all(t.state == "waiting" and t.started_on is None for t in waiting)
    market = demo_catalogue["reviewer.market"]
    assert [t.pk for t in selectors.review_tasks(market, clocks.today())] == [establishment.pk]
    client.force_login(demo_catalogue["jingan.fresh"])
    page = client.get(f"/applications/{new_company.number}/").content.decode()
    assert "waiting for the result of another matter" in page

    services.approve(establishment, market, scope="Retail of food")
    [licence] = IssuedDocument.objects.filter(task__application=new_company)
    assert licence.task_id == establishment.pk and licence.ready
    line = new_company.materials.get(evidence="business-licence")
    assert line.status == "provided" and line.document.origin == "issued"
    assert line.document.sha256 == licence.sha256
    by_code = {t.matter.code: t for t in waiting}
    kitchen = by_code.pop("green-kitchen-waste-declaration")
    for task in by_code.values():
        task.refresh_from_db()
        assert task.state == "reviewing" and task.started_on == clocks.today()
    kitchen.refresh_from_db()
    assert kitchen.state == "waiting"  # and for the food licence
    new_company.refresh_from_db()
    assert new_company.state == "in_review" and not hasattr(new_company, "delivery")
    case = ok(client.get(f"{API}/applications/{new_company.number}"))
    assert [d["matter"] for d in case["issued"]] == [ESTABLISHMENT]

    food = by_code.pop("market-food-business-licence")
    services.approve(food, market, scope="Food retail")
    kitchen.refresh_from_db()
    assert kitchen.state == "reviewing"
    for task in [*by_code.values(), kitchen]:
        services.approve(task, reviewer_for(task, demo_catalogue), scope="Retail")
    new_company.refresh_from_db()
    assert new_company.state == "decided"
    issued = issuing.issue(new_company, demo_catalogue["manager"])
    # The kitchen waste declaration has no result document to issue.
    assert sorted(d.task_id for d in issued) == sorted(t.pk for t in by_code.values())
    new_company.refresh_from_db()
    assert new_company.delivery.state == "ready"
    assert IssuedDocument.objects.filter(task__application=new_company).count() == len(tasks) - 1


def test_when_the_business_licence_is_refused_the_waiting_matters_are_withdrawn(
    new_company, demo_catalogue
):
    establishment, *waiting = new_company.matters.select_related("matter")
    services.refuse(establishment, demo_catalogue["reviewer.market"], "Name already taken")
    for task in waiting:
        task.refresh_from_db()
        assert task.state == "withdrawn" and "not granted" in task.reason
    new_company.refresh_from_db()
    assert new_company.state == "decided"
    [letter] = issuing.issue(new_company, demo_catalogue["manager"])
    assert letter.kind == "refusal" and letter.task_id == establishment.pk
    told = Notification.objects.filter(user=new_company.applicant, application=new_company)
    assert len([n for n in told if "is withdrawn: it needs the result" in n.text_en]) == len(
        waiting
    )


def test_by_default_a_matter_waits_only_for_the_results_it_asks_for(demo_catalogue):
    application = _new_company(demo_catalogue)
    kitchen = application.matters.get(matter__code="green-kitchen-waste-declaration")
    assert kitchen.after == [ESTABLISHMENT]
    services.approve(application.matters.first(), demo_catalogue["reviewer.market"])
    kitchen.refresh_from_db()
    assert kitchen.state == "reviewing"  # the food licence is still being reviewed
