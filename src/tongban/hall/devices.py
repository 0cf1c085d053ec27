"""Kiosks, display boards and counters' rating tablets: devices, not people. Each has a key
for one hall and one role (a rating tablet also one counter), shown once when created,
kept only as a hash, revocable by the centre's manager (the command or the manager's
device pages).

A device sends its key as ``Authorization: Bearer <key>`` (API) or opens its page once
with ``?key=<key>``, which keeps the device in the page session.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from tongban.audit.services import record
from tongban.core.moves import CaseError

from .models import Counter, Device, Hall

SESSION_KEY = "hall_device"


def _hash(key: str) -> str:
    # Keys are 32 random bytes: a fast hash is enough (no password to stretch).
    return hashlib.sha256(key.encode()).hexdigest()


def create(hall: Hall, role: str, name: str, counter: Counter | None = None) -> tuple[Device, str]:
    """A new device and its key (shown once). A rating tablet stands at one counter of the
    hall; kiosks and boards at none."""
    name = name.strip()[:80]
    if role not in Device.Role.values:
        raise CaseError(_("Choose a kind of device."), "role")
    if not name:
        raise CaseError(_("Name the device, e.g. where it stands."), "name")
    if (role == Device.Role.RATER) != (counter is not None):
        raise CaseError(_("A rating tablet stands at one counter; other devices at none."),
                        "counter")  # fmt: skip
    if counter is not None and counter.hall_id != hall.pk:
        raise CaseError(_("Choose a counter of this hall."), "counter")
    key = secrets.token_urlsafe(32)
    device = Device.objects.create(
        hall=hall, role=role, name=name, counter=counter, key_prefix=key[:12], key_hash=_hash(key)
    )  # audited with its changes by the registry (apps.py), as is a revocation
    return device, key


def revoke(device: Device) -> Device:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    return device


def authenticate(key: str, role: str) -> Device | None:
    """The live device of this role with this key; every use is recorded, a refused key
    audited."""
    found = Device.objects.select_related("hall__centre", "counter")
    device = found.filter(key_prefix=key[:12]).first()
    if (
        device is None
        or device.revoked_at is not None
        or device.role != role
        or not secrets.compare_digest(device.key_hash, _hash(key))
    ):
        record("device-refused", object_type="hall.device", object_label=key[:12],
               after={"role": role})  # fmt: skip
        return None
    _seen(device)
    return device


def _seen(device: Device) -> None:
    """Note the use, at most once a minute: a board polling every second must not write
    every second."""
    now = timezone.now()
    if device.last_used_at is None or now - device.last_used_at > timedelta(minutes=1):
        Device.objects.filter(pk=device.pk).update(last_used_at=now)


class DeviceKey(HttpBearer):
    """API authentication of a device of one role."""

    def __init__(self, role: str):
        self.role = role
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Device | None:
        device = authenticate(token, self.role)
        if device is not None:
            request.device = device
        return device


def device_page(role: str) -> Callable:
    """A page for a device of ``role``: the key arrives once in ``?key=``, then the session
    remembers the device (until it is revoked)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            key = request.GET.get("key")
            if key:
                device = authenticate(key, role)
                if device is None:
                    raise PermissionDenied
                request.session[SESSION_KEY] = device.pk
                return redirect(request.path)
            device = _session_device(request, role)
            if device is None:
                raise PermissionDenied
            request.device = device
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _session_device(request: HttpRequest, role: str) -> Device | None:
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    device = (
        Device.objects.select_related("hall__centre", "counter")
        .filter(pk=pk, role=role, revoked_at__isnull=True)
        .first()
    )
    if device is not None:
        _seen(device)
    return device
