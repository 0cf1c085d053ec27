"""The manager's hall: live view, counter control, history with CSV."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.hall import counters, stats, tickets
from tongban.hall.models import Hall, MatterGroup

PENGPU = "jingan-pengpu-xincun-community"


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


@pytest.fixture
def morning(hall, demo):
    """Three visits at counter 1: two served (5 and 10 minutes), one no-show."""
    clerk = demo["clerk.pengpu"]
    desk = counters.sign_in(hall.counters.get(number=1), clerk)
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    matter = Matter.objects.filter(version=public_version(), counter="community",
                                   department__function="public-security").first()  # fmt: skip
    for i, (wait, service) in enumerate([(2, 5), (4, 10)]):
        arrived = start + timedelta(minutes=20 * i)
        ticket = tickets.issue(hall, channel="kiosk", matters=[matter], now=arrived)
        called = tickets.call_next(desk, clerk, now=arrived + timedelta(minutes=wait))
        assert called == ticket
        tickets.start(ticket, clerk, now=arrived + timedelta(minutes=wait))
        tickets.finish(ticket, clerk, "on_the_spot",
                       now=arrived + timedelta(minutes=wait + service))  # fmt: skip
    missed = tickets.issue(hall, channel="kiosk", matters=[matter], now=start + timedelta(hours=1))
    tickets.call_next(desk, clerk, now=start + timedelta(hours=1, minutes=1))
    for _ in range(hall.recall_limit + 1):
        missed = tickets.recall(missed, clerk)
    return start


def test_the_history_counts_waits_services_and_no_shows(hall, morning):
    day = timezone.localdate(morning)
    figures = stats.history(hall, day, day)
    assert figures["visitors"] == 3 and figures["no_shows"] == 1
    assert figures["on_the_spot"] == {"handled": 2, "on_the_spot": 2, "percent": 100}
    [queue] = figures["queues"]
    assert (queue["prefix"], queue["visitors"], queue["service"]) == ("C", 3, 7.5)
    hours = {row["hour"]: row["arrivals"] for row in figures["hours"]}
    assert hours == {9: 2, 10: 1}
    [counter] = [row for row in figures["counters"] if row["serving"]]
    assert (counter["number"], counter["serving"]) == (1, 15)
    assert figures["matters"][0]["visits"] == 2


def test_the_history_page_has_a_table_beside_each_chart_and_csv(client, login, hall, morning):
    login("manager.pengpu")
    day = timezone.localdate(morning).isoformat()
    page = client.get(reverse("hall:history"), {"day": day}).content.decode()
    assert "3 visitors." in page and "tb-bars__bar" in page and "<table" in page
    csv = client.get(reverse("hall:history_csv", args=["queues"]), {"day": day})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("prefix,") and lines[1].startswith("C,")
    assert client.get(reverse("hall:history_csv", args=["nope"])).status_code == 404


def test_the_live_view_and_counter_control(client, login, hall, demo):
    household = MatterGroup.objects.get(code="household")
    tickets.issue(hall, channel="kiosk", queue=household)
    desk = counters.sign_in(hall.counters.get(number=2), demo["clerk.pengpu"])
    called = tickets.call_next(desk, demo["clerk.pengpu"])
    login("manager.pengpu")
    page = client.get(reverse("hall:manage")).content.decode()
    assert f"Called {called.number}" in page and "<strong>0</strong> waiting" in page
    client.post(reverse("hall:counter_skills", args=[desk.pk]), {"skills": ["household"]})
    assert list(desk.skills.values_list("code", flat=True)) == ["household"]
    assert AuditEntry.objects.filter(object_type="hall.counter", action="update").exists()
    client.post(reverse("hall:close_counter", args=[desk.pk]))
    called.refresh_from_db()
    assert (called.state, called.counter) == ("waiting", None)
    refused = client.post(reverse("hall:counter_skills", args=[desk.pk]), {}, follow=True)
    assert "A counter serves at least one queue." in refused.content.decode()


def test_only_the_centres_manager_sees_its_hall(client, login, hall):
    login("clerk.pengpu")
    assert client.get(reverse("hall:manage")).status_code == 403
    login("manager")  # the district centre's manager: its own hall
    assert client.get(reverse("hall:manage")).status_code == 200


def test_the_manager_api_gives_the_live_view_the_history_and_controls_counters(
    client, login, hall, morning, demo
):
    login("manager.pengpu")
    day = timezone.localdate(morning).isoformat()
    figures = client.get("/api/v1/hall/manage/history", {"day": day}).json()
    assert (figures["visitors"], figures["no_shows"]) == (3, 1)
    assert figures["queues"][0]["name"]["zh"] and figures["on_the_spot"]["percent"] == 100
    assert [row["grade"] for row in figures["ratings"] if row["bad"]] == [
        "dissatisfied", "very_dissatisfied"]  # fmt: skip
    bad_day = client.get("/api/v1/hall/manage/history", {"day": "31/02"})
    assert bad_day.status_code == 422
    assert bad_day["Content-Type"].startswith("application/problem+json")
    now = client.get("/api/v1/hall/manage/live").json()
    assert now["open"] == 1 and [c["doing"] for c in now["counters"]][:2] == ["idle", "closed"]
    desk = hall.counters.get(number=1)
    url = f"/api/v1/hall/manage/counters/{desk.pk}"
    unknown = client.put(f"{url}/skills", {"skills": ["nope"]}, content_type="application/json")
    assert unknown.status_code == 422
    moved = client.put(f"{url}/skills", {"skills": ["household"]}, content_type="application/json")
    assert moved.json()["skills"] == ["household"]
    assert client.post(f"{url}/close").json()["open"] is False
    login("clerk.pengpu")
    assert client.get("/api/v1/hall/manage/live").status_code == 403
