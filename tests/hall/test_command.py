from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tongban.hall.models import Device


def test_a_device_key_is_made_shown_once_and_revoked(demo_catalogue):
    out = StringIO()
    call_command("hall", "device", "board", "Board 1", stdout=out)
    key = out.getvalue().split("key (shown once): ")[1].split()[0]
    device = Device.objects.get()
    assert device.key_prefix == key[:12] and key not in device.key_hash
    client = Client()
    board = "/hall/jingan-pengpu-xincun-community/board/"
    assert client.get(board, {"key": key}, follow=True).status_code == 200
    call_command("hall", "revoke", key[:12], stdout=StringIO())
    assert Client().get(board, {"key": key}).status_code == 403
    assert client.get(board).status_code == 403  # the open session ends with the key
    with pytest.raises(CommandError):
        call_command("hall", "revoke", "nope", stdout=StringIO())


@pytest.mark.usefixtures("centre_open")
def test_the_demo_prints_a_kiosk_and_a_board_that_open_and_the_next_demo_replaces_them(
    demo_catalogue,
):
    from tongban.hall.demo import demo_devices
    from tongban.hall.models import Hall

    hall = Hall.objects.get(centre__code="jingan-pengpu-xincun-community")
    first = dict(demo_devices(hall))
    for page in first.values():
        assert Client().get(page, follow=True).status_code == 200
    second = dict(demo_devices(hall))
    assert Client().get(first["kiosk"]).status_code == 403
    assert Client().get(second["kiosk"], follow=True).status_code == 200
    assert hall.devices.filter(revoked_at__isnull=True).count() == 2
