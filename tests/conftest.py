from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import hypothesis
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from tongban.accounts.demo import DEMO_ACCOUNTS, create_demo_accounts
from tongban.accounts.models import User
from tongban.catalogue.loader import load_districts
from tongban.catalogue.queries import forget_served_version
from tongban.hall.content import load_halls

DATA = Path(settings.PROJECT_DIR) / "data"

# Tests assert no timings (docs/benchmarks.md holds them): no deadline per example.
hypothesis.settings.register_profile("tongban", deadline=None)
hypothesis.settings.load_profile("tongban")


def load_demo(*, matters: bool = True) -> None:
    """The demo as `make demo` loads it, without the cases: the organisations of both
    districts, the accounts, (``matters``) Jing'an's catalogue and its halls."""
    load_districts([DATA / "jingan", DATA / "baoshan"], matters=False)
    create_demo_accounts()
    if matters:
        load_districts([DATA / "jingan"])
    load_halls(DATA / "jingan" / "hall.yaml")


# What the demo wrote: the tables it filled, and whether they are filled now (a transactional
# test commits, and pytest-django empties the database after it).
_demo_tables: list[str] = []
_demo_in_database = False


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo, loaded once per run (per xdist worker) after migrate."""
    global _demo_in_database
    with django_db_blocker.unblock():
        before = _row_counts()
        load_demo()
        after = _row_counts()
    _demo_tables[:] = [table for table in after if after[table] != before[table]]
    shared = [table for table in _demo_tables if before[table]]
    assert not shared, f"the demo adds rows to tables migrate filled: {shared}"
    _demo_in_database = True


def _transactional(item: pytest.Item) -> bool:
    """Whether pytest-django runs the test outside a transaction (and flushes after it)."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.fixture(autouse=True)
def _demo_only_when_asked(request):
    """A test that asks for the demo (demo, demo_catalogue, login) has it; any other test
    starts from the database as migrate left it.

    In a transaction the demo's rows are deleted and come back at the rollback. A
    transactional test commits: the first one empties the database, as pytest-django
    does after each of them, and `demo` loads what it needs.
    """
    global _demo_in_database
    item = request.node
    if _transactional(item):
        request.getfixturevalue("django_db_setup")
        if _demo_in_database:
            with request.getfixturevalue("django_db_blocker").unblock():
                call_command("flush", interactive=False, verbosity=0)
            _demo_in_database = False
    elif "demo" not in item.fixturenames and (
        item.get_closest_marker("django_db") or "db" in item.fixturenames
    ):
        request.getfixturevalue("db")
        with connection.cursor() as cursor:
            for table in _demo_tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request that switched language leaves it active in the thread: reset it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_served_version():
    """Each test's database is rolled back: forget the version an earlier test served."""
    forget_served_version()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Nor may a test read what an earlier one cached (ids are reused after a rollback)."""
    cache.clear()


@pytest.fixture
def files(settings, tmp_path):
    """Uploads and signing keys in the test's own folder, e-mail kept in memory."""
    settings.TONGBAN_UPLOAD_DIR = tmp_path / "uploads"
    settings.TONGBAN_SIGNING_DIR = tmp_path / "signing"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path


@pytest.fixture
def demo(request, db):
    """The demo accounts by username; their organisations are in the database."""
    if _transactional(request.node):
        load_demo(matters=False)
    elif not _demo_in_database:  # emptied by a transactional test that ran before this one
        load_demo()
    users = {user.username: user for user in User.objects.filter(username__in=_DEMO_USERNAMES)}
    return {username: users[username] for username in _DEMO_USERNAMES}


_DEMO_USERNAMES = [account.username for account in DEMO_ACCOUNTS]


@pytest.fixture
def demo_catalogue(request, demo):
    """The demo with Jing'an's catalogue of matters."""
    if _transactional(request.node):
        load_districts([DATA / "jingan"])
    return demo


@pytest.fixture
def login(client, demo):
    """Sign the test client in as a demo account."""

    def log_in(username: str):
        client.force_login(demo[username], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return log_in


@pytest.fixture
def queued(settings):
    """Tasks are stored for a worker, as in production, instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def shanghai_clock(monkeypatch):
    """``set_to(hour, minute=0, day=None)``: the clock shows that Shanghai time (today by
    default) and runs on from there."""
    real = timezone.now

    def set_to(hour: int, minute: int = 0, day: date | None = None) -> datetime:
        started = real()
        local = datetime.combine(day or timezone.localdate(started), time(hour, minute),
                                 tzinfo=ZoneInfo(settings.TIME_ZONE))  # fmt: skip
        monkeypatch.setattr(timezone, "now", lambda: local + (real() - started))
        return local

    return set_to


@pytest.fixture
def centre_open(shanghai_clock):
    """10:00 today: Pengpu Xincun is open then every day of the year (kiosk and remote
    tickets are refused while a centre is closed)."""
    return shanghai_clock(10)
