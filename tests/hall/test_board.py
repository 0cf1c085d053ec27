import pytest
from django.urls import reverse

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.hall import counters, devices, tickets
from tongban.hall.models import Hall, MatterGroup

PENGPU = "jingan-pengpu-xincun-community"


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


def board(client, hall: Hall):
    _, key = devices.create(hall, "board", "Board 1")
    client.get(reverse("hall:board", args=[PENGPU]), {"key": key})
    return client


def test_the_board_shows_a_call_at_the_next_poll_and_answers_304_until_then(client, hall):
    household = MatterGroup.objects.get(code="household")
    ticket = tickets.issue(hall, channel="kiosk", queue=household)
    board(client, hall)
    page = client.get(reverse("hall:board", args=[PENGPU])).content.decode()
    assert "户籍和身份证" in page and "Household registration and ID cards" in page
    panel = client.get(reverse("hall:board_panel", args=[PENGPU]))
    etag = panel["ETag"]
    unchanged = client.get(reverse("hall:board_panel", args=[PENGPU]), HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    clerk = make_staff(User(username="clerk.x"), ["clerk"], centre=hall.centre)
    desk = counters.sign_in(hall.counters.get(number=7), clerk)
    tickets.call_next(desk, clerk)
    changed = client.get(reverse("hall:board_panel", args=[PENGPU]), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert f'data-call="{ticket.number}|7|' in changed.content.decode()


def test_a_board_key_shows_its_own_hall_only(client, hall):
    assert client.get(reverse("hall:board", args=[PENGPU])).status_code == 403
    board(client, hall)
    other = "jingan-administrative-service-centre"
    assert client.get(reverse("hall:board", args=[other])).status_code == 403
    assert client.get(reverse("hall:board_panel", args=[other])).status_code == 403


def test_the_board_api_lists_the_calls_for_a_board_key(client, hall):
    _, key = devices.create(hall, "board", "Board 1")
    _, kiosk = devices.create(hall, "kiosk", "Kiosk 1")
    tickets.issue(hall, channel="kiosk", queue=MatterGroup.objects.get(code="household"))
    url = f"/api/v1/hall/{PENGPU}/board"
    assert client.get(url, headers={"Authorization": f"Bearer {kiosk}"}).status_code == 401
    shown = client.get(url, headers={"Authorization": f"Bearer {key}"}).json()
    assert shown["called"] == [] and [q["waiting"] for q in shown["waiting"]] == [1]
    other = "/api/v1/hall/jingan-administrative-service-centre/board"
    assert client.get(other, headers={"Authorization": f"Bearer {key}"}).status_code == 403
