"""The visitor's side: the kiosk, remote tickets, the status page behind the QR code."""

from datetime import date

import pytest
from django.urls import reverse

from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.guidance.services import sheet_token
from tongban.hall import counters, devices, tickets
from tongban.hall.models import Hall, Ticket

PENGPU = "jingan-pengpu-xincun-community"
DISTRICT = "jingan-administrative-service-centre"
NATIONAL_DAY = date(2026, 10, 1)
A_SATURDAY = date(2026, 11, 7)

pytestmark = pytest.mark.usefixtures("centre_open")


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


def kiosk(client, hall: Hall, role: str = "kiosk"):
    """The client as a kiosk of the hall, its key given once."""
    _, key = devices.create(hall, role, "Kiosk 1")
    client.get(reverse("hall:kiosk", args=[hall.centre.code]), {"key": key})
    return client


def test_a_kiosk_gives_a_numbered_ticket_with_a_qr_to_its_status(client, hall):
    kiosk(client, hall)
    page = client.get(reverse("hall:kiosk", args=[PENGPU])).content.decode()
    assert "户籍和身份证" in page  # Chinese first
    response = client.post(reverse("hall:kiosk", args=[PENGPU]),
                           {"queue": "household", "priority": "elderly", "phone": "138 0013 8000"},
                           follow=True)  # fmt: skip
    ticket = Ticket.objects.get()
    assert (ticket.number, ticket.priority, ticket.phone, ticket.channel) == (
        "C001", "elderly", "13800138000", "kiosk")  # fmt: skip
    page = response.content.decode()
    assert "C001" in page and "<svg" in page and str(ticket.token) in page


def test_the_kiosk_is_for_devices_of_its_own_hall(client, hall):
    assert client.get(reverse("hall:kiosk", args=[PENGPU])).status_code == 403
    kiosk(client, Hall.objects.get(centre__code=DISTRICT))
    assert client.get(reverse("hall:kiosk", args=[PENGPU])).status_code == 403
    client.logout()
    _, key = devices.create(hall, "board", "Board 1")
    assert client.get(reverse("hall:kiosk", args=[PENGPU]), {"key": key}).status_code == 403
    device, key = devices.create(hall, "kiosk", "Kiosk 2")
    devices.revoke(device)
    assert client.get(reverse("hall:kiosk", args=[PENGPU]), {"key": key}).status_code == 403


def test_a_scanned_sheet_picks_the_queue_and_names_what_the_centre_does_not_handle(client, hall):
    kiosk(client, hall)
    token = sheet_token("sscard-lost", {"also_lost": ["id-card"], "doctor": False})
    sheet = f"https://example.org/guide/sheet/{token}/"
    response = client.post(reverse("hall:kiosk", args=[PENGPU]), {"sheet": sheet}, follow=True)
    ticket = Ticket.objects.get()
    assert sorted(ticket.matters.values_list("code", flat=True)) == [
        "hr-social-security-card-loss-report",
        "hr-social-security-card-reissue",
    ]
    assert ticket.number == "A001"
    id_card = Matter.objects.get(version=public_version(), code="ps-id-card-loss-report")
    assert id_card.name_zh in response.content.decode()  # named: handled elsewhere
    bad = client.post(reverse("hall:kiosk", args=[PENGPU]), {"sheet": "nonsense"}, follow=True)
    assert Ticket.objects.count() == 1 and bad.status_code == 200


def test_the_kiosk_search_finds_matters_handled_here(client, hall):
    kiosk(client, hall)
    matter = Matter.objects.filter(version=public_version(), counter="community").first()
    page = client.get(reverse("hall:kiosk", args=[PENGPU]), {"q": matter.name_zh}).content.decode()
    assert f'value="{matter.code}"' in page
    client.post(reverse("hall:kiosk", args=[PENGPU]), {"matter": matter.code})
    assert list(Ticket.objects.get().matters.all()) == [matter]


def test_the_status_page_shows_the_people_ahead_a_range_and_the_call(client, hall, demo):
    first = tickets.issue(hall, channel="kiosk", queue=hall.counters.get(number=23).skills.get())
    second = tickets.issue(hall, channel="kiosk", queue=first.queue)
    from tongban.accounts.models import User
    from tongban.accounts.services import make_staff

    clerk = make_staff(User(username="clerk.x"), ["clerk"], centre=hall.centre)
    desk = counters.sign_in(hall.counters.get(number=23), clerk)
    page = client.get(reverse("hall:status", args=[second.token])).content.decode()
    assert "1 person ahead of you." in page and "Expected wait:" in page
    tickets.call_next(desk, clerk)
    tickets.finish(tickets.start(first, clerk), clerk, "advice")
    tickets.call_next(desk, clerk)
    page = client.get(reverse("hall:status", args=[second.token])).content.decode()
    assert "Please go to counter 23." in page


def test_an_unknown_ticket_is_not_found(client, db):
    import uuid

    assert client.get(reverse("hall:status", args=[uuid.uuid4()])).status_code == 404


def test_a_remote_ticket_needs_an_id_and_keeps_to_the_daily_limit(client, hall):
    url = reverse("hall:remote", args=[PENGPU])
    missing = client.post(url, {"queue": hall.counters.get(number=18).skills.get().pk})
    assert "Give your resident ID number, or log in." in missing.content.decode()
    body = {"queue": hall.counters.get(number=18).skills.get().pk,
            "resident_id": "110101199003074477"}  # fmt: skip
    taken = client.post(url, body)
    ticket = Ticket.objects.get()
    assert taken.url == reverse("hall:status", args=[ticket.token])
    assert (ticket.channel, ticket.resident_id) == ("remote", "110101199003074477")
    again = client.post(url, body)
    assert "as many remote tickets today as this centre allows" in again.content.decode()
    assert Ticket.objects.count() == 1


def test_the_api_issues_kiosk_tickets_and_tells_where_they_stand(client, hall):
    url = f"/api/v1/hall/{PENGPU}/tickets"
    _, key = devices.create(hall, "kiosk", "Kiosk 1")
    _, board = devices.create(hall, "board", "Board 1")
    body = {"queue": "household", "priority": "pregnant"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert client.post(url, body, content_type="application/json",
                       headers={"Authorization": f"Bearer {board}"}).status_code == 401  # fmt: skip
    made = client.post(url, body, content_type="application/json",
                       headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert made.status_code == 201 and made.json()["number"] == "C001"
    wrong = client.post(url, {"queue": "market"}, content_type="application/json",
                        headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert wrong.status_code == 422
    seen = client.get(f"/api/v1/hall/tickets/{made.json()['token']}").json()
    assert (seen["number"], seen["state"], seen["wait"]) == ("C001", "waiting", None)
    queues = client.get(f"/api/v1/hall/{PENGPU}/queues").json()
    assert [q["prefix"] for q in queues] == ["A", "B", "C", "D", "E", "L"]
    district = Hall.objects.get(centre__code=DISTRICT).centre.code
    other = client.post(f"/api/v1/hall/{district}/tickets", {"queue": "market"},
                        content_type="application/json",
                        headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert other.status_code == 409


def test_a_visitor_is_told_once_when_their_turn_is_near(
    client, hall, settings, tmp_path, django_capture_on_commit_callbacks
):
    import json

    from tongban.accounts.models import User
    from tongban.accounts.services import make_staff

    settings.TONGBAN_SMS_DIR = tmp_path / "sms"
    Hall.objects.filter(pk=hall.pk).update(near_turn_ahead=1)
    queue = hall.counters.get(number=23).skills.get()
    first, second, third = (
        tickets.issue(hall, channel="kiosk", queue=queue, phone=f"1380013800{i}") for i in range(3)
    )
    clerk = make_staff(User(username="clerk.x"), ["clerk"], centre=hall.centre)
    desk = counters.sign_in(hall.counters.get(number=23), clerk)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.call_next(desk, clerk)  # first called: second has 0 ahead, third 1
    told = {t.number: t.near_turn_told for t in Ticket.objects.all()}
    assert told == {first.number: False, second.number: True, third.number: True}
    texts = [json.loads(p.read_text()) for p in settings.TONGBAN_SMS_DIR.iterdir()]
    assert sorted(t["to"] for t in texts) == ["13800138001", "13800138002"]
    assert all(second.number in t["text"] or third.number in t["text"] for t in texts)
    page = client.get(reverse("hall:status", args=[third.token])).content.decode()
    assert "Your turn is near" in page
    tickets.finish(tickets.start(first, clerk), clerk, "advice")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tickets.call_next(desk, clerk)
    assert len(callbacks) == 1
    assert len(list(settings.TONGBAN_SMS_DIR.iterdir())) == 2  # nobody told twice


def test_kiosk_and_remote_tickets_wait_for_the_centre_to_open(client, hall, shanghai_clock):
    kiosk(client, hall)
    shanghai_clock(7, 30, day=date(2026, 11, 10))  # a Tuesday: Pengpu opens at 8:30
    page = client.get(reverse("hall:kiosk", args=[PENGPU])).content.decode()
    assert "将于2026-11-10 08:30重新开放" in page and 'name="queue"' not in page  # Chinese first
    refused = client.post(reverse("hall:kiosk", args=[PENGPU]), {"queue": "household"},
                          follow=True)  # fmt: skip
    assert "将于2026-11-10 08:30重新开放" in refused.content.decode()
    remote = client.post(reverse("hall:remote", args=[PENGPU]),
                         {"queue": hall.counters.get(number=18).skills.get().pk,
                          "resident_id": "110101199003074477"})  # fmt: skip
    assert "The centre is closed now." in remote.content.decode()
    _, key = devices.create(hall, "kiosk", "Kiosk 2")
    api = client.post(f"/api/v1/hall/{PENGPU}/tickets", {"queue": "household"},
                      content_type="application/json",
                      headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert api.status_code == 409 and "opens again" in api.json()["detail"]
    assert not Ticket.objects.exists()
    shanghai_clock(8, 30, day=date(2026, 11, 10))
    client.post(reverse("hall:kiosk", args=[PENGPU]), {"queue": "household"})
    assert Ticket.objects.get().number == "C001"


@pytest.mark.parametrize(
    ("day", "hour", "open_"),
    [(NATIONAL_DAY, 10, True), (NATIONAL_DAY, 12, False), (A_SATURDAY, 11, True)],
)
def test_pengpu_gives_tickets_every_day_of_the_year_in_its_hours(hall, day, hour, open_,
                                                                 shanghai_clock):  # fmt: skip
    now = shanghai_clock(hour, day=day)
    assert (tickets.closed_until(hall, now) is None) is open_


def test_the_district_centre_is_closed_on_saturdays(shanghai_clock, demo_catalogue):
    district = Hall.objects.get(centre__code=DISTRICT)
    now = shanghai_clock(10, day=A_SATURDAY)
    opens = tickets.closed_until(district, now)
    assert opens is not None and opens.date() == date(2026, 11, 9) and opens.hour >= 8


def test_a_status_page_asks_again_often_near_the_turn_and_seldom_far_from_it(client, hall, demo):
    from tongban.hall.status import FAR_AHEAD

    queue = hall.counters.get(number=23).skills.get()
    waiting = [tickets.issue(hall, channel="kiosk", queue=queue) for _ in range(FAR_AHEAD + 3)]
    counters.sign_in(hall.counters.get(number=23), demo["clerk.pengpu"])
    near = client.get(reverse("hall:status", args=[waiting[0].token])).content.decode()
    far = client.get(reverse("hall:status", args=[waiting[-1].token])).content.decode()
    assert 'hx-trigger="every 10s"' in near and 'hx-trigger="every 30s"' in far
