"""The reads pages and API share (selectors) and the one overdue / due-soon rule."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.applications import selectors, services
from tongban.applications.models import Application, ApplicationMatter
from tongban.applications.services import clocks
from tongban.audit.models import AuditEntry
from tongban.core import deadlines, workdays

from .cases import fill_and_upload, start_supermarket

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _submitted(users) -> Application:
    applicant = users["jingan.fresh"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    return application


def _accepted(users) -> Application:
    application = _submitted(users)
    services.accept(application, users["clerk"])
    return application


def _sign_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_api_acceptance_queue_keeps_to_the_clerks_counter(client, demo_catalogue):
    mine, other = _submitted(demo_catalogue), _submitted(demo_catalogue)
    Application.objects.filter(pk=other.pk).update(counter="another-counter")
    clerk = demo_catalogue["clerk"]
    clerk.counter = mine.counter
    clerk.save(update_fields=["counter"])
    listed = _sign_in(client, clerk).get(f"{API}/acceptance").json()
    assert [a["number"] for a in listed["items"]] == [mine.number]
    assert listed["count"] == 1
    page = client.get(reverse("applications:acceptance")).content.decode()
    assert mine.number in page and other.number not in page


def test_reviews_due_are_filtered_in_the_database_not_in_python(client, demo_catalogue):
    for _ in range(3):
        _accepted(demo_catalogue)
    reviewer = demo_catalogue["reviewer.market"]
    late = max(ApplicationMatter.objects.values_list("due_on", flat=True)) + timedelta(days=1)
    _sign_in(client, reviewer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clocks, "today", lambda: late)
        with CaptureQueriesContext(connection) as queries:
            listed = client.get(f"{API}/reviews?due=overdue&per_page=1").json()
    assert listed["count"] == 3 and len(listed["items"]) == 1
    reads = [q["sql"] for q in queries if 'FROM "applications_applicationmatter"' in q["sql"]]
    rows = [sql for sql in reads if "COUNT(" not in sql]
    # Only the page of tasks is read: every open task was loaded before.
    assert rows and all("LIMIT" in sql for sql in rows), rows


def test_the_staff_case_page_records_reading_the_applicants_data(client, demo_catalogue):
    application = _submitted(demo_catalogue)
    clerk = demo_catalogue["clerk"]
    url = reverse("applications:case", args=[application.number])
    page = _sign_in(client, clerk).get(url)
    assert page.status_code == 200 and "13800138000" in page.content.decode()
    read = AuditEntry.objects.filter(
        action="read", object_type="applications.application", object_id=str(application.pk)
    ).last()
    assert read is not None and read.actor_id == clerk.pk
    assert "phone" in read.after["fields"] and "address" in read.after["fields"]


def test_the_applicant_reading_their_own_case_is_not_recorded(demo_catalogue):
    application = _submitted(demo_catalogue)
    selectors.shared_data(demo_catalogue["jingan.fresh"], application)
    assert not AuditEntry.objects.filter(action="read").exists()


def test_python_and_sql_say_the_same_of_every_due_date(demo_catalogue, settings):
    task = _accepted(demo_catalogue).matters.first()
    day = clocks.today()
    for soon_days in (0, 2, 5):
        settings.TONGBAN_DUE_SOON_DAYS = soon_days
        for offset in range(-3, 12):
            ApplicationMatter.objects.filter(pk=task.pk).update(due_on=day + timedelta(offset))
            task.refresh_from_db()
            status = clocks.due_status(task, day)
            for due in (deadlines.OVERDUE, deadlines.SOON):
                in_sql = ApplicationMatter.objects.filter(clocks.due_filter(due, day), pk=task.pk)
                assert in_sql.exists() == (status == due), (soon_days, offset, due)
            clock = clocks.clock(task, day)
            assert (clock["overdue"], clock["soon"]) == (
                status == deadlines.OVERDUE,
                status == deadlines.SOON,
            )


def test_due_soon_means_at_most_the_setting_in_working_days_left():
    day = workdays.add_working_days(workdays.add_working_days(clocks.today(), 1), 0)
    second, third = workdays.add_working_days(day, 2), workdays.add_working_days(day, 3)
    assert deadlines.due_status(day - timedelta(days=1), day, 2) == deadlines.OVERDUE
    assert deadlines.due_status(day, day, 2) == deadlines.SOON
    assert deadlines.due_status(second, day, 2) == deadlines.SOON
    assert deadlines.due_status(third, day, 2) == ""
    assert deadlines.due_status(third, day, 3) == deadlines.SOON
    assert deadlines.due_status(day, day, 0) == deadlines.SOON


def test_a_paused_task_is_neither_overdue_nor_soon(demo_catalogue):
    task = _accepted(demo_catalogue).matters.select_related("application").first()
    key = task.application.materials.values_list("key", flat=True).first()
    reviewer = next(
        user
        for user in demo_catalogue.values()
        if user.department_id == task.department_id and user.username.startswith("reviewer")
    )
    services.request_supplement(task, reviewer, material_keys=[key], reason="Sign page 2")
    task.refresh_from_db()
    late = task.due_on + timedelta(days=30)
    assert clocks.due_status(task, late) == ""
    overdue = ApplicationMatter.objects.filter(clocks.due_filter(deadlines.OVERDUE, late))
    assert not overdue.filter(pk=task.pk).exists()
