"""The clerk's counter, on the page and over the API."""

import pytest
from django.urls import reverse

from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.hall import tickets
from tongban.hall.models import Hall, Handling, Ticket

PENGPU = "jingan-pengpu-xincun-community"
API = "/api/v1/hall"


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


def community(function: str, **more) -> Matter:
    return Matter.objects.filter(version=public_version(), counter="community",
                                 department__function=function, **more).first()  # fmt: skip


def post(client, action: str, data: dict | None = None):
    return client.post(reverse("hall:act", args=[action]), data or {}, follow=True)


def test_a_clerk_signs_in_calls_serves_and_finishes_on_the_spot(client, login, hall):
    matter = community("public-security", on_the_spot=True)
    ticket = tickets.issue(
        hall, channel="kiosk", matters=[matter], resident_id="110101199003074477"
    )
    login("clerk.pengpu")
    page = client.get(reverse("hall:counter")).content.decode()
    assert "Sign in to counter 1" in page
    counter = hall.counters.get(number=1)
    client.post(reverse("hall:sign_in"), {"counter": counter.pk})
    page = post(client, "call").content.decode()
    assert f"Called {ticket.number}." in page and "110*" in page and "4477" in page
    assert "110101199003074477" not in page
    post(client, "start", {"ticket": ticket.pk})
    page = post(client, "finish", {"ticket": ticket.pk, "outcome": "on_the_spot",
                                   "result": "Certificate printed"}).content.decode()  # fmt: skip
    assert f"{ticket.number} is finished." in page
    [handling] = Handling.objects.filter(ticket=ticket)
    assert (handling.matter, handling.outcome, handling.result) == (
        matter, "on_the_spot", "Certificate printed")  # fmt: skip
    assert "Nobody is waiting for this counter." in post(client, "call").content.decode()


def test_the_workspace_says_what_cannot_be_done_instead_of_failing(client, login, hall):
    login("clerk.pengpu")
    assert "Sign in to a counter first." in post(client, "call").content.decode()
    client.post(reverse("hall:sign_in"), {"counter": hall.counters.get(number=2).pk})
    ticket = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    post(client, "call")
    page = post(client, "finish", {"ticket": ticket.pk, "outcome": "advice"}).content.decode()
    assert "This cannot be done now: the ticket is called." in page
    page = post(client, "add-matter", {"ticket": ticket.pk, "matter": "x"}).content.decode()
    assert "No matter has this code." in page
    assert post(client, "nonsense").status_code == 404


def test_an_applicant_or_a_reviewer_has_no_counter(client, login, hall):
    login("li.ming")
    assert client.get(reverse("hall:counter")).status_code == 403
    assert client.get(f"{API}/counters").status_code == 403


def test_several_matters_in_one_visit_and_city_wide(client, login, hall):
    first = community("public-security")
    city_wide = community("healthcare-security", city_wide=True)
    ticket = tickets.issue(hall, channel="kiosk", matters=[first])
    login("clerk.pengpu")
    client.post(reverse("hall:sign_in"), {"counter": hall.counters.get(number=1).pk})
    post(client, "call")
    post(client, "start", {"ticket": ticket.pk})
    post(client, "add-matter", {"ticket": ticket.pk, "matter": city_wide.code})
    post(client, "finish", {"ticket": ticket.pk, "outcome": "on_the_spot"})
    ticket.refresh_from_db()
    assert ticket.city_wide
    handled = {h.matter.code: h.city_wide for h in Handling.objects.filter(ticket=ticket)}
    assert handled == {first.code: first.city_wide, city_wide.code: True}


def test_the_api_runs_the_counter(client, login, hall):
    ticket = tickets.issue(hall, channel="kiosk", matters=[community("public-security")])
    login("clerk.pengpu")
    counter = hall.counters.get(number=3)
    assert client.post(f"{API}/counters/{counter.pk}/sign-in").json()["clerk"] == "clerk.pengpu"
    called = client.post(f"{API}/counters/{counter.pk}/call-next").json()
    assert called["ticket"]["number"] == ticket.number
    assert client.post(f"{API}/tickets/{ticket.pk}/start").json()["state"] == "serving"
    body = {"outcome": "advice"}
    done = client.post(f"{API}/tickets/{ticket.pk}/finish", body, content_type="application/json")
    again = client.post(f"{API}/tickets/{ticket.pk}/finish", body, content_type="application/json")
    assert done.json() == again.json() and done.json()["state"] == "done"
    nobody = client.post(f"{API}/counters/{counter.pk}/call-next").json()
    assert nobody == {"ticket": None, "message": "Nobody is waiting for this counter."}
    bad = client.post(f"{API}/tickets/{ticket.pk}/finish", {"outcome": 3},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422


def test_a_second_clerk_at_a_taken_counter_is_refused_over_the_api(client, login, hall, demo):
    from tongban.accounts.models import User
    from tongban.accounts.services import make_staff
    from tongban.hall import counters

    counter = hall.counters.get(number=4)
    other = make_staff(User(username="clerk.other"), ["clerk"], centre=hall.centre)
    counters.sign_in(counter, other)
    login("clerk.pengpu")
    refused = client.post(f"{API}/counters/{counter.pk}/sign-in")
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert client.post(f"{API}/tickets/999999/start").status_code == 404
    assert Ticket.objects.count() == 0
