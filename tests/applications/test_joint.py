"""The main journey of a new business: one application, accepted at one counter."""

import pytest

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.applications import issuing, selectors, services
from tongban.applications.services import clocks
from tongban.applications.services.drafting import accepting_counter
from tongban.applications.states import outcome
from tongban.catalogue.models import Department, Matter
from tongban.catalogue.queries import public_version
from tongban.notifications.models import Notification

from .cases import fill_and_upload, start_supermarket

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
