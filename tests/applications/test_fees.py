"""Fees: assessed at approval, billed at the decision, paid through the payment adapter
before the results are issued, with a receipt; zero-fee matters skip paying."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tongban.applications import selectors, services
from tongban.applications.services import fees
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core.moves import CaseError
from tongban.notifications.models import Notification

from .cases import decided, fill_and_upload

pytestmark = pytest.mark.django_db

GREEN_SPACE = "green-temporary-green-space"  # one fee, its amount varies


def _matter(code: str) -> Matter:
    return Matter.objects.get(version=public_version(), code=code)


def json(client, url: str, body: dict | None = None):
    return client.post(f"/api/v1{url}", body or {}, content_type="application/json")


@pytest.mark.parametrize(
    ("code", "given", "due"),
    [
        ("plan-real-estate-certificate-replacement", None, Decimal("10.00")),  # one fixed fee
        ("plan-real-estate-transfer-registration", Decimal("550"), Decimal("550.00")),
        ("market-food-business-licence", Decimal("99"), None),  # the catalogue lists no fee
    ],
)
def test_a_fee_is_assessed(demo_catalogue, code, given, due):
    assert fees.assess(_matter(code), given) == due


@pytest.mark.parametrize(
    ("code", "given"),
    [
        ("plan-real-estate-transfer-registration", None),  # housing 80 or non-housing 550
        (GREEN_SPACE, None),  # the amount varies
        (GREEN_SPACE, Decimal("-1")),
        (GREEN_SPACE, Decimal("NaN")),
    ],
)
def test_a_fee_the_reviewer_must_assess(demo_catalogue, code, given):
    with pytest.raises(CaseError) as refused:
        fees.assess(_matter(code), given)
    assert refused.value.field == "fee"


def test_fees_are_paid_before_the_results_are_issued(client, login, demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    application = services.start_from_matter(applicant, _matter(GREEN_SPACE))
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    services.accept(application, demo_catalogue["clerk"])
    task = application.matters.get()

    login("reviewer.green")
    page = reverse("applications:task", args=[task.pk])
    assert "Fee due (yuan)" in client.get(page).content.decode()
    action = reverse("applications:task_action", args=[task.pk, "approve"])
    unassessed = client.post(action, {"scope": "Site hoarding"})
    assert unassessed.status_code == 422 and "Assess the fee" in unassessed.content.decode()
    assert client.post(action, {"fee": "lots"}).status_code == 422
    assert json(client, f"/reviews/{task.pk}/approve", {"fee": -5}).status_code == 422
    assert json(client, f"/reviews/{task.pk}/approve", {"fee": "1200"}).status_code == 200

    number = application.number
    login("manager")
    unpaid = json(client, f"/applications/{number}/issue")
    assert unpaid.status_code == 409 and "paid" in unpaid.json()["detail"]
    assert "has not paid yet" in client.get(reverse("applications:case", args=[number])).text

    login("li.ming")
    assert client.post(reverse("applications:pay", args=[number])).status_code == 404
    login("jingan.fresh")
    case = client.get(f"/api/v1/applications/{number}").json()
    assert case["fees"]["state"] == "due" and case["fees"]["amount"] == "1200.00"
    assert case["fees"]["lines"][0]["matter"] == GREEN_SPACE and "pay" in case["actions"]
    detail = reverse("applications:detail", args=[number])
    assert "Pay 1200.00 yuan" in client.get(detail).content.decode()
    paid = client.post(reverse("applications:pay", args=[number]), follow=True)
    payment = selectors.payment_of(application)
    assert payment.state == "paid" and payment.reference.startswith("DP") and payment.receipt
    assert payment.receipt in paid.content.decode()
    again = json(client, f"/applications/{number}/pay")
    assert again.status_code == 409
    answer = client.get(f"/api/v1/applications/{number}").json()["fees"]
    assert answer["receipt"] == payment.receipt and answer["paid_at"]
    clerk = demo_catalogue["clerk"]
    assert Notification.objects.filter(user=clerk, text_en__contains="fees are paid").exists()

    login("manager")
    issued = json(client, f"/applications/{number}/issue")
    assert issued.status_code == 200 and len(issued.json()) == 1


def test_zero_fee_matters_skip_paying(client, login, demo_catalogue):
    application = decided(demo_catalogue)
    assert selectors.payment_of(application) is None
    login("jingan.fresh")
    case = client.get(f"/api/v1/applications/{application.number}").json()
    assert case["fees"] is None and "pay" not in case["actions"]
    refused = json(client, f"/applications/{application.number}/pay")
    assert refused.status_code == 409
