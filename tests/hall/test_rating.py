"""Rating a hall visit: the counter's rating tablet, the visitor's page behind the ticket QR,
the manager's follow-ups, devices and figures; their API."""

import hashlib
from datetime import datetime, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.ratings.helpers import serve
from tongban.audit.models import AuditEntry
from tongban.hall import devices, rating, tickets
from tongban.hall.models import Device, Hall
from tongban.ratings.models import FollowUp, Rating

PENGPU = "jingan-pengpu-xincun-community"
API = "/api/v1/hall"
# A Tuesday morning: the pages read the clock, so it is pinned.
MORNING = datetime(2025, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    """timezone.now pinned to MORNING; ``clock.now`` moves it."""
    with patch("django.utils.timezone.now", return_value=MORNING) as now:
        yield now


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def tablet(client, hall: Hall, number: int = 1) -> str:
    """The client as the rating tablet of counter ``number``; the tablet's address."""
    _, key = devices.create(hall, "rater", "Tablet", hall.counters.get(number=number))
    url = reverse("hall:rater", args=[PENGPU])
    assert client.get(url, {"key": key}).status_code == 302
    return url


def test_the_tablet_offers_the_last_visitor_of_its_counter_once(english, hall, demo, clock):
    url = tablet(english, hall)
    idle = english.get(url).content.decode()
    assert "The next visitor can rate here once served." in idle
    assert 'http-equiv="refresh" content="5"' in idle  # refreshes itself without JavaScript
    assert 'hx-trigger="every 5s"' in idle  # and with
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=12))
    page = english.get(url).content.decode()
    assert f'value="{ticket.token}"' in page and "Very dissatisfied" in page
    thanks = english.post(url, {"ticket": ticket.token, "grade": "very_satisfied"}, follow=True)
    assert "Thank you for rating the service." in thanks.content.decode()
    assert str(ticket.token) not in thanks.content.decode()
    assert Rating.objects.get(ticket=ticket).source == "rater"
    again = english.post(url, {"ticket": ticket.token, "grade": "dissatisfied"}, follow=True)
    assert "already been rated" in again.content.decode() and again.status_code == 200
    assert Rating.objects.get().grade == "very_satisfied"
    odd = english.post(url, {"ticket": "not-a-token", "grade": "satisfied"}, follow=True)
    assert odd.status_code == 200 and "can no longer be rated here" in odd.content.decode()


def test_the_tablet_speaks_chinese_first_and_forgets_old_visits(client, hall, demo, clock):
    url = tablet(client, hall)
    serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=40))
    page = client.get(url).content.decode()
    assert "非常满意" not in page  # finished long ago: not the person at the counter
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=12))
    page = client.get(url).content.decode()
    assert "非常满意" in page and ticket.number in page


def test_a_tablet_is_a_rater_of_one_counter_of_its_hall(client, hall):
    with pytest.raises(devices.CaseError):
        devices.create(hall, "rater", "No counter")
    other = Hall.objects.exclude(pk=hall.pk).first()
    with pytest.raises(devices.CaseError):
        devices.create(hall, "rater", "Elsewhere", other.counters.first())
    _, kiosk = devices.create(hall, "kiosk", "Kiosk")
    assert client.get(reverse("hall:rater", args=[PENGPU]), {"key": kiosk}).status_code == 403


def test_the_status_page_links_to_rating_once_done(english, hall, demo, clock):
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=30))
    for headers in ({}, {"HX-Request": "true"}):  # without and with JavaScript
        page = english.get(reverse("hall:status", args=[ticket.token]), headers=headers)
        assert reverse("hall:rate", args=[ticket.token]) in page.content.decode()
    url = reverse("hall:rate", args=[ticket.token])
    form = english.get(url).content.decode()
    assert "Staff attitude" in form and "非常满意" in form
    done = english.post(url, {"grade": "dissatisfied", "reasons": ["waiting"],
                              "comment": "45 minutes."}, follow=True)  # fmt: skip
    assert "This visit was rated: Dissatisfied." in done.content.decode()
    rated = Rating.objects.get(ticket=ticket)
    assert (rated.source, rated.reasons, rated.comment) == ("qr", ["waiting"], "45 minutes.")
    assert FollowUp.objects.get(rating=rated).state == "revisiting"
    again = english.post(url, {"grade": "very_satisfied"}, follow=True)
    assert "already been rated" in again.content.decode()
    page = english.get(reverse("hall:status", args=[ticket.token])).content.decode()
    assert url not in page


def test_the_rating_page_refuses_what_cannot_be_rated(english, hall, demo, clock):
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=30))
    url = reverse("hall:rate", args=[ticket.token])
    bad = english.post(url, {"grade": "great"}, follow=True)
    assert "Choose one of the five grades." in bad.content.decode()
    clock.return_value = MORNING + timedelta(days=settings.TONGBAN_RATING_OPEN_DAYS)
    assert "Rating this visit has closed." in english.get(url).content.decode()
    assert not Rating.objects.exists()
    fresh = tickets.issue(hall, channel="kiosk", queue=ticket.queue)
    assert english.get(reverse("hall:rate", args=[fresh.token])).status_code == 404
    assert english.post(reverse("hall:rate", args=[fresh.token]),
                        {"grade": "satisfied"}).status_code == 404  # fmt: skip


def test_the_manager_creates_a_device_sees_its_key_once_and_revokes_it(
    client, login, hall, demo, clock
):
    login("manager.pengpu")
    url = reverse("hall:devices")
    counter = hall.counters.get(number=3)
    made = client.post(url, {"role": "rater", "name": "Tablet 3", "counter": counter.pk})
    device = Device.objects.get(name="Tablet 3")
    page = made.content.decode()
    key = page.split('<code id="device-key">')[1].split("</code>")[0]
    assert device.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(
        device.__dict__)  # fmt: skip
    assert made["Cache-Control"] == "no-store"
    listing = client.get(url).content.decode()
    assert "Tablet 3" in listing and key not in listing
    refused = client.post(url, {"role": "rater", "name": "Tablet X"})
    assert "A rating tablet stands at one counter" in refused.content.decode()

    device_client = type(client)()
    rater = reverse("hall:rater", args=[PENGPU])
    assert device_client.get(rater, {"key": key}).status_code == 302
    assert device_client.get(rater).status_code == 200
    bearer = {"Authorization": f"Bearer {key}"}
    assert device_client.get(f"{API}/rater/ticket", headers=bearer).status_code == 200
    client.post(reverse("hall:revoke_device", args=[device.pk]))
    assert device_client.get(rater).status_code == 403  # at once, in the session too
    assert device_client.get(f"{API}/rater/ticket", headers=bearer).status_code == 401
    changes = AuditEntry.objects.filter(object_type="hall.device", object_id=device.pk)
    assert {e.action for e in changes} >= {"create", "update"}
    assert changes.get(action="update").actor_id == demo["manager.pengpu"].pk

    login("manager")  # another centre's manager
    assert client.post(reverse("hall:revoke_device", args=[device.pk])).status_code == 404
    assert "Tablet 3" not in client.get(url).content.decode()
    login("clerk.pengpu")
    assert client.get(url).status_code == 403


def test_the_command_makes_a_rater_for_a_counter(hall, capsys):
    call_command("hall", "device", "rater", "Tablet 1", "--counter", "1")
    assert "/rater/?key=" in capsys.readouterr().out
    assert Device.objects.get(role="rater").counter.number == 1


def test_the_manager_follows_up_a_bad_rating(client, login, hall, demo, clock):
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=30))
    bad = rating.rate(ticket, "very_dissatisfied", Rating.Source.QR, comment="Rude.")
    follow_up = bad.follow_up
    login("manager.pengpu")
    page = client.get(reverse("hall:follow_ups")).content.decode()
    assert ticket.number in page and "Rude." in page and "overdue" not in page
    act = reverse("hall:follow_up", args=[follow_up.pk])
    for action in ("revisit", "verify", "rectify"):
        client.post(act, {"action": action})
    refused = client.post(act, {"action": "close"}, follow=True).content.decode()
    assert "Say what was fed back" in refused
    client.post(act, {"action": "close", "note": "Apologised; clerk coached."})
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.note) == ("closed", "Apologised; clerk coached.")
    login("manager")
    assert client.post(act, {"action": "close", "note": "x"}).status_code == 404


def test_overdue_follow_ups_come_first(client, login, hall, demo, clock):
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=30))
    rating.rate(ticket, "dissatisfied", Rating.Source.RATER)
    clock.return_value = MORNING + timedelta(days=10)
    login("manager.pengpu")
    assert "overdue" in client.get(reverse("hall:follow_ups")).content.decode()


def test_the_history_shows_ratings_of_both_channels_with_csv(client, login, hall, demo, clock):
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=30))
    rating.rate(ticket, "dissatisfied", Rating.Source.RATER)
    login("manager.pengpu")
    query = {"day": "2025-06-10"}
    page = client.get(reverse("hall:history"), query).content.decode()
    assert "1 at the counter, 0 online" in page and "100.0%" in page
    csv = client.get(reverse("hall:history_csv", args=["ratings"]), query)
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "grade,grade_zh,bad,counter,online,all"
    assert "dissatisfied,不满意,True,1,0,1" in lines


def _json(client, method: str, url: str, body: dict | None = None, **headers):
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


def test_the_api_rates_from_the_tablet_and_the_qr_code(client, hall, demo, clock):
    _, key = devices.create(hall, "rater", "Tablet", hall.counters.get(number=1))
    bearer = {"Authorization": f"Bearer {key}"}
    assert client.get(f"{API}/rater/ticket", headers=bearer).json()["ticket"] is None
    first = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=20))
    shown = client.get(f"{API}/rater/ticket", headers=bearer).json()
    assert (shown["counter"], shown["ticket"]) == (1, first.number)
    wrong = _json(client, "post", f"{API}/rater/rating", {"ticket": shown["token"],
                                                          "grade": "good"}, **bearer)  # fmt: skip
    assert wrong.status_code == 422 and wrong["Content-Type"] == "application/problem+json"
    assert wrong.json()["field"] == "grade"
    made = _json(client, "post", f"{API}/rater/rating",
                 {"ticket": shown["token"], "grade": "satisfied"}, **bearer)  # fmt: skip
    assert made.status_code == 201 and made.json()["grade"]["zh"] == "满意"
    twice = _json(client, "post", f"{API}/tickets/{first.token}/rating", {"grade": "satisfied"})
    assert twice.status_code == 409 and "already" in twice.json()["detail"]

    second = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=15))
    visit = client.get(f"{API}/tickets/{second.token}/rating").json()
    assert visit["open"] and visit["rating"] is None
    posted = _json(client, "post", f"{API}/tickets/{second.token}/rating",
                   {"grade": "very_dissatisfied", "reasons": ["attitude"]})  # fmt: skip
    assert posted.status_code == 201 and posted.json()["bad"]
    assert client.get(f"{API}/tickets/{second.token}/rating").json()["rating"]["grade"][
        "code"] == "very_dissatisfied"  # fmt: skip
    odd = _json(client, "post", f"{API}/tickets/{second.token}/rating", {"grade": 5})
    assert odd.status_code == 422
    assert _json(client, "post", f"{API}/rater/rating", {"grade": "satisfied"}).status_code == 401


def test_the_api_gives_the_manager_follow_ups_and_devices(client, login, hall, demo, clock):
    ticket = serve(hall, demo["clerk.pengpu"], MORNING - timedelta(minutes=20))
    bad = rating.rate(ticket, "dissatisfied", Rating.Source.QR)
    assert client.get(f"{API}/manage/follow-ups").status_code == 401
    login("manager.pengpu")
    [row] = client.get(f"{API}/manage/follow-ups").json()
    assert (row["service"], row["state"], row["actions"]) == (
        ticket.number, "revisiting", ["revisit", "exclude"])  # fmt: skip
    url = f"{API}/manage/follow-ups/{bad.follow_up.pk}"
    assert _json(client, "post", url, {"action": "close"}).status_code == 409
    excluded = _json(client, "post", url, {"action": "exclude"})
    assert excluded.status_code == 422 and excluded.json()["field"] == "note"
    done = _json(client, "post", url, {"action": "exclude", "note": "A test by staff."})
    assert done.json()["state"] == "excluded" and done.json()["rating"]["excluded"]
    assert client.get(f"{API}/manage/follow-ups").json() == []

    made = _json(client, "post", f"{API}/manage/devices",
                 {"role": "rater", "name": "Tablet 2", "counter": 2})  # fmt: skip
    assert made.status_code == 201 and made.json()["counter"] == 2
    key = made.json()["key"]
    listed = client.get(f"{API}/manage/devices").json()
    assert [d["name"] for d in listed] == ["Tablet 2"] and key not in str(listed)
    nowhere = _json(client, "post", f"{API}/manage/devices",
                    {"role": "rater", "name": "T", "counter": 99})  # fmt: skip
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "counter"
    revoked = _json(client, "post", f"{API}/manage/devices/{made.json()['id']}/revoke")
    assert revoked.json()["revoked_at"] is not None
    assert devices.authenticate(key, "rater") is None
    login("manager")
    other = _json(client, "post", f"{API}/manage/devices/{made.json()['id']}/revoke")
    assert other.status_code == 404
    login("clerk.pengpu")
    assert client.get(f"{API}/manage/devices").status_code == 403
