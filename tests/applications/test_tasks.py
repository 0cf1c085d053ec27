"""Slow work off the request: issued PDFs are prepared by a background task.

The suite runs tasks immediately (tests/settings.py); the tests marked ``queued`` switch to
the database backend to see what a request leaves for the worker.
"""

from datetime import timedelta

from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tongban.applications import issuing
from tongban.applications import tasks as results
from tongban.applications.models import Delivery, Document, IssuedDocument
from tongban.applications.services import clocks
from tongban.notifications.models import Notification

from .cases import decided

PREPARE = "tongban.applications.tasks.prepare_results"
ISSUED_NOTICE = "The results of"


def issued_notices(application) -> int:
    return Notification.objects.filter(
        application=application, text_en__startswith=ISSUED_NOTICE
    ).count()


def test_issue_runs_the_task_at_once_in_the_tests(demo_catalogue):
    application = decided(demo_catalogue)
    issued = issuing.issue(application, demo_catalogue["manager"])
    assert issued and all(d.ready and d.sha256 for d in issued)
    assert issued_notices(application) == 1
    assert not DBTaskResult.objects.exists()


def test_issue_leaves_the_pdfs_to_the_worker(queued, client, demo_catalogue):
    application = decided(demo_catalogue)
    issued = issuing.issue(application, demo_catalogue["manager"])
    assert issued and all(d.path == "" and d.sha256 == "" for d in issued)
    prepare = DBTaskResult.objects.filter(task_path=PREPARE)
    assert [row.args_kwargs["args"] for row in prepare] == [[application.pk]]
    application.refresh_from_db()
    assert application.state == "issued"
    # Told, and handed over or posted, once the PDFs are ready.
    assert issued_notices(application) == 0
    assert not Delivery.objects.filter(application=application).exists()
    vault = Document.objects.filter(owner=application.applicant, origin="issued")
    assert not vault.exists()

    # Meanwhile the pages and the API say "being prepared" and do not offer the file.
    serial = issued[0].serial
    client.force_login(application.applicant)
    page = client.get(reverse("applications:detail", args=[application.number]))
    assert b"being prepared" in page.content
    assert reverse("applications:issued", args=[application.number, serial]).encode() not in (
        page.content
    )
    download = client.get(reverse("applications:issued", args=[application.number, serial]))
    assert download.status_code == 409 and b"is being prepared" in download.content
    api_download = client.get(f"/api/v1/applications/{application.number}/issued/{serial}")
    assert api_download.status_code == 409
    assert api_download["Content-Type"] == "application/problem+json"
    detail = client.get(f"/api/v1/applications/{application.number}").json()
    assert [d["ready"] for d in detail["issued"]] == [False] * len(issued)
    check = client.get(f"/api/v1/verify/{serial}").json()
    assert check["genuine"] and not check["ready"] and check["sha256"] == ""
    verify_page = client.get(reverse("verify", args=[serial]))
    assert verify_page.status_code == 200 and b"being prepared" in verify_page.content
    client.force_login(demo_catalogue["manager"])
    staff_page = client.get(reverse("applications:case", args=[application.number]))
    assert staff_page.content.count(b"being prepared") >= len(issued)

    # The worker's run makes them ready and tells the applicant once.
    assert results.prepare_results.call(application.pk) == len(issued)
    assert all(d.ready for d in IssuedDocument.objects.filter(pk__in=[d.pk for d in issued]))
    assert issued_notices(application) == 1
    assert vault.count() == len(issued)
    assert Delivery.objects.get(application=application).state == "ready"
    download = client.get(reverse("applications:issued", args=[application.number, serial]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    check = client.get(f"/api/v1/verify/{serial}").json()
    assert check["ready"] and len(check["sha256"]) == 64

    # A second run (a retry, another worker) changes nothing.
    assert results.prepare_results.call(application.pk) == 0
    assert vault.count() == len(issued) and issued_notices(application) == 1
    assert Delivery.objects.filter(application=application).count() == 1


def test_a_document_filled_by_another_run_is_not_taken_twice(queued, demo_catalogue, monkeypatch):
    application = decided(demo_catalogue)
    first, *others = issuing.issue(application, demo_catalogue["manager"])
    render = results._render

    def render_while_another_worker_stores(application, task, document):
        if document.pk == first.pk:
            IssuedDocument.objects.filter(pk=first.pk).update(
                path="ab/elsewhere.pdf", sha256="f" * 64
            )
        return render(application, task, document)

    monkeypatch.setattr(results, "_render", render_while_another_worker_stores)
    assert results.prepare_results.call(application.pk) == len(others)
    first.refresh_from_db()
    assert first.path == "ab/elsewhere.pdf"
    vault = Document.objects.filter(owner=application.applicant, origin="issued")
    assert vault.count() == len(others)  # the other run put the first one there
    assert issued_notices(application) == 1


def test_tick_queues_again_what_a_worker_left(queued, demo_catalogue, monkeypatch, settings):
    settings.TONGBAN_RESULTS_RETRY_MINUTES = 15
    application = decided(demo_catalogue)
    issuing.issue(application, demo_catalogue["manager"])
    prepare = DBTaskResult.objects.filter(task_path=PREPARE)
    assert issuing.requeue_unprepared() == 0  # the worker may still be at it
    later = clocks.now() + timedelta(minutes=16)
    monkeypatch.setattr(clocks, "now", lambda: later)
    assert issuing.requeue_unprepared() == 1
    assert prepare.count() == 2
    results.prepare_results.call(application.pk)
    assert issuing.requeue_unprepared() == 0
