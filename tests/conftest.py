from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tongban.accounts.demo import create_demo_accounts
from tongban.catalogue.loader import load_districts
from tongban.catalogue.queries import forget_served_version

DATA = Path(settings.PROJECT_DIR) / "data"


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request that switched language leaves it active in the thread: reset it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_served_version():
    """Each test's database is rolled back: forget the version an earlier test served."""
    forget_served_version()


@pytest.fixture
def demo(db):
    """The demo organisations and accounts, as `make demo` loads them, without the matters."""
    load_districts([DATA / "jingan", DATA / "baoshan"], matters=False)
    return {account.username: user for account, user in create_demo_accounts()}


@pytest.fixture
def demo_catalogue(demo):
    """The demo with Jing'an's catalogue of matters (slower: a few seconds)."""
    load_districts([DATA / "jingan"])
    return demo


@pytest.fixture
def login(client, demo):
    """Sign the test client in as a demo account."""

    def log_in(username: str):
        client.force_login(demo[username], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return log_in
