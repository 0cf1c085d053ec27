"""Text messages to visitors' mobiles, through an adapter with one call, ``send``.

``DemoSMS`` stands in for an SMS gateway: it appends each message to a file under
``var/sms/`` (like the demo e-mail under ``var/mail/``). ``TONGBAN_SMS_BACKEND`` names the
backend; a real gateway's adapter goes in ``BACKENDS``.
"""

import json
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from tongban.core.files import publish


class SMSBackend(Protocol):
    name: str

    def send(self, mobile: str, text: str) -> None: ...


class DemoSMS:
    """Writes every message to its own file in ``TONGBAN_SMS_DIR``."""

    name = "demo"

    def send(self, mobile: str, text: str) -> None:
        now = timezone.now()
        body = json.dumps({"to": mobile, "text": text, "at": now.isoformat()}, ensure_ascii=False)
        folder = settings.TONGBAN_SMS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        publish(folder / f"{now:%Y%m%d-%H%M%S-%f}-{mobile[-4:]}.json", body.encode())


BACKENDS: dict[str, SMSBackend] = {DemoSMS.name: DemoSMS()}


def send(mobile: str, text: str) -> None:
    BACKENDS[settings.TONGBAN_SMS_BACKEND].send(mobile, text)
