"""What a case issues: documents only where the catalogue names a result, refusal letters
titled for the matter's type, validity from the issue date, revocation, and the vault."""

import pytest
from django.urls import reverse

from tongban.applications import issuing, services
from tongban.applications.models import Document
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version, result_evidence

from .cases import decided

pytestmark = pytest.mark.django_db


def _matter(code: str) -> Matter:
    return Matter.objects.get(version=public_version(), code=code)


def test_a_result_is_evidence_of_the_type_named_like_it(demo_catalogue):
    assert result_evidence(_matter("market-food-business-licence")) == "food-licence-certificate"
    assert result_evidence(_matter("market-food-licence-change")) == "food-licence-certificate"
    assert result_evidence(_matter("market-company-establishment")) == "business-licence"
    assert result_evidence(_matter("green-kitchen-waste-declaration")) == ""


def test_the_vault_offers_an_issued_certificate_to_the_next_application(
    client, login, demo_catalogue
):
    application = decided(demo_catalogue)
    applicant = application.applicant
    issuing.issue(application, demo_catalogue["manager"])
    licence = Document.objects.get(owner=applicant, origin="issued",
                                   evidence="food-licence-certificate")  # fmt: skip

    change = services.start_from_matter(applicant, _matter("market-food-licence-change"))
    assert [d.pk for d in services.vault_offers(change)["food-licence-certificate"]] == [licence.pk]
    login("jingan.fresh")
    page = client.get(reverse("applications:detail", args=[change.number]))
    assert f'value="{licence.pk}"' in page.content.decode()
    answer = client.get(f"/api/v1/applications/{change.number}").json()
    line = next(m for m in answer["materials"] if m["key"] == "food-licence-certificate")
    assert line["offers"] == [licence.pk]
