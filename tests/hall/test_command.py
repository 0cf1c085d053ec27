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
