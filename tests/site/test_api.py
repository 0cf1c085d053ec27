import json

import pytest
import schemathesis
from django.db import DatabaseError
from django.test import override_settings
from hypothesis import HealthCheck, settings

from tongban.wsgi import application

PROBLEM = "application/problem+json"


@pytest.mark.django_db
def test_health_checks_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "status"),
    [(DatabaseError("gone"), 503), (RuntimeError("boom"), 500)],
    ids=["database-down", "unexpected"],
)
def test_failures_are_problems_not_error_pages(client, monkeypatch, error, status):
    def broken_cursor(*args, **kwargs):
        raise error

    monkeypatch.setattr("tongban.api.connection.cursor", broken_cursor)
    response = client.get("/api/v1/health")
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == status
    assert str(error) not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_path_is_a_problem_not_an_html_page(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["title"] == "Not Found" and body["instance"] == "/api/v1/no-such-thing"


@pytest.mark.django_db
def test_a_wrong_method_is_a_problem(client):
    response = client.post("/api/v1/health")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/health" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=20, suppress_health_check=list(HealthCheck), deadline=None)
def test_every_operation_honours_its_schema(case):
    response = case.call()
    case.validate_response(response)
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert str(headers["content-type"]).count(PROBLEM), headers
        json.loads(response.text)
