"""The main journey of a new business: one application, accepted at one counter."""

import pytest

from tongban.applications import services
from tongban.applications.services.drafting import accepting_counter
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version

from .cases import fill_and_upload, start_supermarket

pytestmark = pytest.mark.django_db

API = "/api/v1"


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
