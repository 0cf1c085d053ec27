"""At the counter, on the pages (no JavaScript) and over the API: a case for the visitor,
city-wide for a family member, related matters, a scanned sheet, a case number."""

import pytest
from django.urls import reverse

from tests.applications.cases import pdf_file
from tongban.applications.models import Application
from tongban.guidance.services import sheet_token
from tongban.hall.models import Handling, Ticket

from .test_handlings import LI_MING, MATERNITY, NEWBORN, NOON, WIFE, contact, serving
from .test_handlings import clerk as clerk  # noqa: F401 (fixtures)
from .test_handlings import hall as hall  # noqa: F401

API = "/api/v1/hall"
JSON = "application/json"


def post(client, action: str, data: dict | None = None, **more):
    return client.post(reverse("hall:act", args=[action]), data or {}, follow=True, **more)


@pytest.fixture
def at_counter(client, login, hall, clerk):  # noqa: F811
    """Li Ming at counter 1 for his newborn's insurance, the clerk signed in on the page."""
    ticket = serving(hall, clerk, NEWBORN)
    login("clerk.pengpu")
    return ticket


def test_the_clerk_takes_and_accepts_a_case_on_the_page(client, at_counter):
    ticket = at_counter
    page = client.get(reverse("hall:counter")).content.decode()
    assert "Take an application for the visitor" in page and "The family may also claim" in page
    assert f'name="matter" value="{MATERNITY}"' in page  # one click adds a related matter
    post(client, "add-matter", {"ticket": ticket.pk, "matter": MATERNITY})
    page = post(client, "case", {
        "ticket": ticket.pk, "resident_id": LI_MING, "matters": [NEWBORN, MATERNITY],
        f"for-{MATERNITY}": "spouse", f"name-{MATERNITY}": "Wang Fang", f"id-{MATERNITY}": WIFE,
        f"district-{MATERNITY}": "310113", **contact(),
    }).content.decode()  # fmt: skip
    case = Application.objects.get(tickets=ticket)
    assert f"Case {case.number} started" in page and "310*" in page
    assert LI_MING not in page and WIFE not in page
    for line in case.materials.filter(principal=True):
        post(client, "scan", {"ticket": ticket.pk, "case": case.number, "material": line.key,
                              "file": pdf_file()})  # fmt: skip
    assert "Scan in" not in client.get(reverse("hall:counter")).content.decode()
    page = post(client, "accept-case", {"ticket": ticket.pk, "case": case.number,
                                        "commitment": "on"}).content.decode()  # fmt: skip
    assert f"Case {case.number} is accepted: 2 matters handled." in page
    assert "Handled in this visit" in page and "city-wide" in page
    post(client, "finish", {"ticket": ticket.pk, "outcome": "accepted"})
    ticket.refresh_from_db()
    assert ticket.state == "done" and ticket.city_wide
    assert Handling.objects.filter(ticket=ticket).count() == 2


def test_the_page_says_what_is_wrong_instead_of_failing(client, at_counter):
    ticket = at_counter
    page = post(client, "case", {"ticket": ticket.pk, "resident_id": "3101",
                                 "matters": [NEWBORN]}).content.decode()  # fmt: skip
    assert "A resident ID number has 18 characters." in page
    page = post(client, "case", {"ticket": ticket.pk, "resident_id": LI_MING}).content.decode()
    assert "Choose the matters of the case." in page
    page = post(client, "scan", {"ticket": ticket.pk, "case": "x", "material": "y"})
    assert "Choose a file to upload." in page.content.decode()
    assert post(client, "accept-case", {"ticket": ticket.pk, "case": "nope"}).status_code == 404
    page = post(client, "bring", {"ticket": ticket.pk, "scan": "hello"}).content.decode()
    assert "This code is not a guidance sheet of this site." in page
    page = post(client, "bring", {"ticket": ticket.pk, "scan": "31010620260310000000"})
    assert "No case has this number." in page.content.decode()
    assert not Application.objects.filter(tickets=ticket).exists()


def test_a_scanned_sheet_on_the_page_adds_matters_and_lists_materials(client, at_counter):
    ticket = at_counter
    answers = {"born": True, "married": True, "insured": ["mother"], "born_in_shanghai": True}
    token = sheet_token("baby-other-district", answers)
    page = post(client, "bring", {"ticket": ticket.pk, "scan": f"http://x/guide/s/{token}/"})
    page = page.content.decode()
    assert "Added from the sheet:" in page and "Materials on the visitor's sheet" in page
    assert ticket.matters.filter(code=MATERNITY).exists()


def test_a_case_number_opens_the_case_page(client, at_counter, clerk):  # noqa: F811
    ticket = at_counter
    case = Application.objects.filter(state="submitted").first() or _accepted(ticket, clerk)
    answer = post(client, "bring", {"ticket": ticket.pk, "scan": case.number})
    assert answer.redirect_chain[-1][0] == reverse("applications:case", args=[case.number])


def _accepted(ticket: Ticket, clerk) -> Application:  # noqa: F811
    from tongban.hall import handlings

    from .test_handlings import scanned

    case = handlings.start_case(ticket, clerk, LI_MING, [NEWBORN], **contact())
    handlings.accept_case(ticket, clerk, scanned(ticket, clerk, case).number, commitment=True,
                          now=NOON)  # fmt: skip
    return case


def test_the_api_takes_scans_and_accepts_a_case(client, at_counter):
    ticket = at_counter
    body = {"resident_id": LI_MING, "matters": [NEWBORN], **contact()}
    made = client.post(f"{API}/tickets/{ticket.pk}/cases", body, content_type=JSON)
    assert made.status_code == 201
    case = made.json()
    assert case["channel"] == "counter" and case["applicant"].startswith("310")
    assert LI_MING not in made.content.decode()
    for line in case["materials"]:
        if line["principal"]:
            answer = client.post(f"{API}/tickets/{ticket.pk}/cases/{case['number']}/materials",
                                 {"material": line["key"], "file": pdf_file()})  # fmt: skip
            assert answer.status_code == 201
    accepted = client.post(f"{API}/tickets/{ticket.pk}/cases/{case['number']}/accept",
                           {"commitment": True}, content_type=JSON).json()  # fmt: skip
    assert [h["matter"] for h in accepted["handlings"]] == [NEWBORN]
    assert accepted["case"]["state"] != "draft"
    again = client.post(f"{API}/tickets/{ticket.pk}/finish", {"outcome": "accepted"},
                        content_type=JSON)  # fmt: skip
    assert again.json()["state"] == "done"
    assert client.get(f"{API}/cases/{case['number']}").json()["number"] == case["number"]
    assert Handling.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("cases", {"resident_id": "12345", "matters": [NEWBORN]}, 422, "resident_id"),
        ("cases", {"resident_id": LI_MING, "matters": ["nothing"]}, 422, "matters"),
        ("cases", {"resident_id": LI_MING}, 422, None),
        ("sheet", {"scan": "not a sheet"}, 422, "scan"),
        ("cases/31010620260310000000/accept", {}, 404, None),
    ],
)
def test_the_api_answers_bad_input_with_problem_details(client, at_counter, path, body, status,
                                                        field):  # fmt: skip
    answer = client.post(f"{API}/tickets/{at_counter.pk}/{path}", body, content_type=JSON)
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/problem+json"
    if field:
        assert answer.json()["field"] == field


def test_the_api_offers_related_matters_and_finds_no_unknown_case(client, at_counter):
    [baby] = client.get(f"{API}/tickets/{at_counter.pk}/related").json()
    assert baby["event"] == "having-a-baby"
    assert MATERNITY in [m["code"] for m in baby["here"]]
    assert client.get(f"{API}/cases/31010620260310000000").status_code == 404
    assert client.get(f"{API}/cases/A023").status_code == 422
