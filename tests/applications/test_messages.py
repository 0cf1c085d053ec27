"""Messages reach the staff: an applicant's message the accepting centre's clerks and the
departments still deciding; a reviewer's comment the other departments' reviewers."""

import pytest
from django.urls import reverse

from tongban.applications import services
from tongban.notifications.models import Notification

from .cases import fill_and_upload, start_supermarket

pytestmark = pytest.mark.django_db


def accepted(accounts):
    applicant = accounts["jingan.fresh"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    services.accept(application, accounts["clerk"])
    return application


def told(user, words: str) -> int:
    return Notification.objects.filter(user=user, text_en__contains=words).count()


def test_a_message_from_the_applicant_reaches_the_centre_and_open_departments(
    client, login, demo_catalogue
):
    application = accepted(demo_catalogue)
    # The greening department's only matter, instant, was decided at acceptance.
    assert not application.matters.filter(department__code="jingan-greening", state="reviewing")
    login("jingan.fresh")
    url = reverse("applications:message", args=[application.number])
    client.post(url, {"body": "The fire exit plan is attached"})
    words = "a message from the applicant"
    for username in ("clerk", "reviewer.market", "reviewer.fire"):
        assert told(demo_catalogue[username], words) == 1, username
    for username in ("reviewer.green", "clerk.pengpu", "reviewer.health", "jingan.fresh"):
        assert told(demo_catalogue[username], words) == 0, username

    client.post(f"/api/v1/applications/{application.number}/messages", {"body": "And one more"},
                content_type="application/json")  # fmt: skip
    assert told(demo_catalogue["reviewer.fire"], words) == 2
    login("reviewer.fire")
    assert words in client.get(reverse("applications:notifications")).content.decode()


def test_a_comment_reaches_the_other_departments_on_the_case(client, login, demo_catalogue):
    application = accepted(demo_catalogue)
    market = application.matters.filter(department__code="jingan-market").first()
    login("reviewer.market")
    answer = client.post(f"/api/v1/reviews/{market.pk}/comment", {"body": "Fire first"},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 201
    words = "another department commented"
    assert told(demo_catalogue["reviewer.fire"], words) == 1
    assert told(demo_catalogue["reviewer.green"], words) == 1
    assert told(demo_catalogue["reviewer.market"], words) == 0
    assert told(demo_catalogue["jingan.fresh"], words) == 0
    login("reviewer.green")
    notices = client.get("/api/v1/notifications").json()["items"]
    assert any(words in n["text"]["en"] for n in notices)
