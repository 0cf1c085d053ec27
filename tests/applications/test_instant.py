"""Instant matters (即办件) are decided on acceptance by the accepting clerk (issue 11, point 7)."""

import pytest
from django.urls import reverse

from tongban.applications import selectors, services
from tongban.applications.services import CaseError, clocks
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.notifications.models import Notification

from .cases import fill_and_upload, start_supermarket
from .test_joint import NEW_COMPANY, supermarket_plan

pytestmark = pytest.mark.django_db

SIGNBOARD, KITCHEN = "green-shop-signboard", "green-kitchen-waste-declaration"
API = "/api/v1"


@pytest.fixture
def submitted(demo_catalogue):
    """The supermarket, submitted: food licence and fire check, and two instant green matters."""
    applicant = demo_catalogue["jingan.fresh"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    return application


def _states(application) -> dict[str, tuple[str, str]]:
    return {
        t.matter.code: (t.state, t.decided_by.username if t.decided_by else "")
        for t in application.matters.select_related("matter", "decided_by")
    }


def test_the_catalogue_counts_instant_matters(demo_catalogue):
    matters = Matter.objects.filter(version=public_version())
    assert matters.filter(kind=Matter.Kind.INSTANT).count() == 145
    assert not matters.filter(on_the_spot=True).exclude(kind=Matter.Kind.INSTANT).exists()


def test_the_clerk_approves_instant_matters_on_accepting(submitted, demo_catalogue):
    assert set(services.instant_decidable(submitted)) == {SIGNBOARD, KITCHEN}
    services.accept(submitted, demo_catalogue["clerk"])
    states = _states(submitted)
    assert states[SIGNBOARD] == states[KITCHEN] == ("approved", "clerk")
    assert states["market-food-business-licence"] == ("reviewing", "")
    green = demo_catalogue["reviewer.green"]
    # Not sent to the department: no task in its inbox, no "new matter" notice.
    assert not selectors.review_tasks(green, clocks.today(), state="reviewing")
    assert not Notification.objects.filter(user=green, text_en__contains="New matter").exists()
    market = demo_catalogue["reviewer.market"]
    assert Notification.objects.filter(user=market, text_en__contains="New matter").exists()


def test_the_clerk_may_refuse_an_instant_matter_with_its_reason(submitted, demo_catalogue):
    services.accept(submitted, demo_catalogue["clerk"], {KITCHEN: "Not a catering business"})
    kitchen = submitted.matters.get(matter__code=KITCHEN)
    assert kitchen.state == "refused" and kitchen.reason == "Not a catering business"
    assert _states(submitted)[SIGNBOARD] == ("approved", "clerk")


@pytest.mark.parametrize(
    "refusals", [{KITCHEN: "  "}, {"market-food-business-licence": "No"}, {"nothing": "No"}]
)
def test_a_refusal_without_reason_or_of_a_matter_not_instant_accepts_nothing(
    submitted, demo_catalogue, refusals
):
    with pytest.raises(CaseError) as error:
        services.accept(submitted, demo_catalogue["clerk"], refusals)
    assert error.value.field == "refuse"
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert set(submitted.matters.values_list("state", flat=True)) == {"reviewing"}
    assert not submitted.matters.exclude(started_on=None).exists()


def test_an_instant_matter_waiting_for_a_result_goes_to_its_department(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    guide, plan = supermarket_plan(NEW_COMPANY)
    application = services.start_from_plan(applicant, public_version(), guide, plan)
    # Both green matters need the business licence this application issues.
    assert services.instant_decidable(application) == {}


def test_an_application_accepted_by_itself_approves_its_instant_matters(demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    code = "devreform-investment-project-filing"
    matter = Matter.objects.get(version=public_version(), code=code)
    assert matter.channels == ["online"] and matter.kind == Matter.Kind.INSTANT
    application = services.start_from_matter(applicant, matter)
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    application.refresh_from_db()
    assert application.accepted_by is None and application.state == "decided"
    assert _states(application)[code] == ("approved", "")


def test_the_accept_form_decides_instant_matters(client, login, submitted):
    login("clerk")
    page = client.get(reverse("applications:case", args=[submitted.number])).content.decode()
    assert 'name="decision-green-kitchen-waste-declaration"' in page
    assert "is an instant matter: you decide it now" in page
    url = reverse("applications:accept", args=[submitted.number])
    unreasoned = client.post(url, {f"decision-{KITCHEN}": "refuse", f"reason-{KITCHEN}": ""})
    assert unreasoned.status_code == 422
    text = unreasoned.content.decode()
    assert "A refusal needs its reason" in text
    assert f'id="refuse-{KITCHEN}" name="decision-{KITCHEN}" value="refuse" checked' in text
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    done = client.post(url, {f"decision-{KITCHEN}": "refuse", f"reason-{KITCHEN}": "No kitchen",
                             f"decision-{SIGNBOARD}": "approve"})  # fmt: skip
    assert done.status_code == 302
    assert _states(submitted)[KITCHEN] == ("refused", "clerk")
    assert _states(submitted)[SIGNBOARD] == ("approved", "clerk")


def test_the_api_accepts_with_instant_refusals(client, login, submitted):
    login("clerk")
    url = f"{API}/applications/{submitted.number}/accept"
    wrong = client.post(url, {"refuse": [{"matter": "nothing", "reason": "x"}]},
                        content_type="application/json")  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["field"] == "refuse"
    body = {"refuse": [{"matter": KITCHEN, "reason": "No kitchen"}]}
    case = client.post(url, body, content_type="application/json").json()
    matters = {m["code"]: m for m in case["matters"]}
    assert matters[KITCHEN]["kind"] == "instant" and matters[KITCHEN]["state"] == "refused"
    assert matters[SIGNBOARD]["state"] == "approved"
    assert matters["market-food-business-licence"]["kind"] == "promised"
