"""The expensive public endpoints are rate-limited per address; normal use is not."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.applications.cases import SUPERMARKET
from tongban.guidance.services import sheet_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
RESOLVE = {"scenario": "supermarket-small", "answers": SUPERMARKET}


@pytest.fixture
def limits(settings):
    """Tight limits; the counts are kept in the shared database cache."""
    settings.TONGBAN_RATE_LIMITS = {"guidance-resolve": "2/m", "verify-file": "1/m",
                                    "sheet-pdf": "0/m"}  # fmt: skip
    yield settings.TONGBAN_RATE_LIMITS
    caches["ratelimit"].clear()


def resolve(client):
    return client.post(f"{API}/guidance/resolve", RESOLVE, content_type="application/json")


def test_resolving_too_often_is_a_429_problem(client, demo_catalogue, limits):
    assert [resolve(client).status_code for _ in range(2)] == [200, 200]
    limited = resolve(client)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["status"] == 429
    elsewhere = client.post(f"{API}/guidance/resolve", RESOLVE,
                            content_type="application/json", REMOTE_ADDR="10.0.0.9")  # fmt: skip
    assert elsewhere.status_code == 200


def test_checking_files_too_often_is_a_429_problem(client, db, limits):
    assert client.post(f"{API}/verify").status_code == 422  # counted, though invalid
    assert client.post(f"{API}/verify").status_code == 429


def test_a_limited_sheet_pdf_is_the_429_page(client, demo_catalogue, limits):
    token = sheet_token("supermarket-small", SUPERMARKET)
    response = client.get(reverse("guidance:sheet_pdf", args=[token]))
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Too many requests" in response.content.decode()
    assert client.get(reverse("guidance:sheet", args=[token])).status_code == 200


def test_the_limits_are_counted_in_the_shared_database_cache(settings):
    assert settings.RATELIMIT_USE_CACHE == "ratelimit"
    backend = settings.CACHES["ratelimit"]["BACKEND"]
    assert backend == "django.core.cache.backends.db.DatabaseCache"


def test_a_person_answering_questions_is_not_limited(client, demo_catalogue):
    """Thirty plans in a row, as someone revising their answers: all served."""
    assert {resolve(client).status_code for _ in range(30)} == {200}
