"""Limits on the expensive public endpoints, per client address (django-ratelimit).

The counts live in the "ratelimit" cache, a database table shared by every app server
(settings.CACHES). A limited page answers with the 429 page, a limited API call with a 429
problem (tongban.api).
"""

from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.decorators import ratelimit


def client_address(request: HttpRequest) -> str:
    """The client's address as the login throttling sees it (TRUSTED_PROXY_COUNT). Without
    one (a proxy on a Unix socket that does not pass it on) all such calls count as one
    client rather than fail."""
    return get_client_ip_address(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind


def _rate(group: str, request: HttpRequest) -> str | None:
    return settings.TONGBAN_RATE_LIMITS.get(group)


def limited(group: str) -> Callable:
    """Allow a client address settings.TONGBAN_RATE_LIMITS[group] calls (e.g. "20/m") of
    the decorated view; no limit when the group is not set."""
    return ratelimit(group=group, key="ip", rate=_rate, block=True)
