"""Every page without arguments, and the staff pages that take one, as every demo account:
a page the account may not see answers 403 or 404; a signed-in person is never sent to the
log-in page (which sends them back: a redirect loop)."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

from tongban.accounts.demo import DEMO_ACCOUNTS

STAFF_PAGES_WITH_ARGUMENTS = ["/guide/open-supermarket/graph/"]


def _plain_routes(patterns, prefix: str = "") -> list[str]:
    """The URLs of the patterns that take no argument."""
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(pattern, URLResolver):
            found += _plain_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append("/" + route)
    return found


PAGES = sorted(set(_plain_routes(get_resolver().url_patterns)) | set(STAFF_PAGES_WITH_ARGUMENTS))


@pytest.mark.parametrize("username", [account.username for account in DEMO_ACCOUNTS])
def test_a_signed_in_person_is_refused_not_sent_round_in_circles(client, login, username):
    login(username)
    log_in_page = resolve_url(settings.LOGIN_URL)
    for page in PAGES:
        if page.startswith(("/accounts/logout", "/i18n/")):
            continue
        response = client.get(page)
        assert response.status_code < 500, page
        if response.status_code in (301, 302):
            assert not response["Location"].startswith(log_in_page), (page, username)
