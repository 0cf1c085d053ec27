"""The staff pages, driven as a browser without JavaScript would: plain GETs and POSTs."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tongban.applications import access, selectors, services, stats
from tongban.applications.models import Note
from tongban.applications.services import clocks
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version

from .cases import fill_and_upload, start_food_licence, start_supermarket, tolerable_key

pytestmark = pytest.mark.django_db

LI_MING_ID = "310106198503154216"


@pytest.fixture
def as_user(client, demo_catalogue):
    def sign_in(username: str):
        client.force_login(
            demo_catalogue[username], backend="django.contrib.auth.backends.ModelBackend"
        )
        return client

    return sign_in


def submitted(accounts, username: str = "jingan.fresh", *, leave_out: bool = True):
    """A supermarket application of ``username``, submitted, one material to come later."""
    applicant = accounts[username]
    application = start_supermarket(applicant)
    fill_and_upload(
        application, applicant, leave_out=tolerable_key(application) if leave_out else None
    )
    services.submit(application, applicant, commitment=True)
    application.refresh_from_db()
    assert application.state == "submitted"
    return application


def accepted(accounts, **kwargs):
    application = submitted(accounts, **kwargs)
    services.accept(application, accounts["clerk"])
    application.refresh_from_db()
    return application


def task_of(application, department: str):
    return application.matters.select_related("matter").get(department__code=department)


def decide_all(application, accounts):
    reviewers = {
        "jingan-market": "reviewer.market",
        "jingan-fire-rescue": "reviewer.fire",
        "jingan-greening": "reviewer.green",
    }
    for task in application.matters.filter(state="reviewing").select_related("department"):
        services.approve(task, accounts[reviewers[task.department.code]], scope="Retail")
    application.refresh_from_db()
    assert application.state == "decided"


def url(name: str, *args) -> str:
    return reverse(f"applications:{name}", args=args)


# --- acceptance ---------------------------------------------------------------------


def submitted_by_person(accounts):
    """Li Ming's application for a personal matter, submitted."""
    person = accounts["li.ming"]
    matter = Matter.objects.get(version=public_version(), code="hcs-insurance-transfer")
    application = services.start_from_matter(person, matter)
    fill_and_upload(application, person)
    services.submit(application, person)
    return application


def test_a_persons_resident_id_is_masked_for_the_clerk(as_user, demo_catalogue):
    application = submitted_by_person(demo_catalogue)
    page = as_user("clerk").get(url("case", application.number)).content.decode()
    assert LI_MING_ID not in page
    assert "310***********4216" in page  # the resident ID, masked


def test_the_clerk_accepts_through_the_pages(as_user, demo_catalogue):
    application = submitted(demo_catalogue)
    client = as_user("clerk")
    queue = client.get(url("acceptance")).content.decode()
    assert application.number in queue
    assert "<caption" in queue and 'scope="col"' in queue

    page = client.get(url("case", application.number)).content.decode()
    assert url("accept", application.number) in page
    assert url("document", application.materials.exclude(document=None).first().document_id) in page

    response = client.post(url("accept", application.number), follow=True)
    assert response.redirect_chain[-1][0] == url("case", application.number)
    assert "is accepted" in response.content.decode()
    application.refresh_from_db()
    assert application.state == "in_review" and application.accepted_by == demo_catalogue["clerk"]
    # The timeline shows the moves from the audit trail; accepting twice is a message.
    assert "in review" in response.content.decode()
    again = client.post(url("accept", application.number), follow=True)
    assert again.status_code == 200 and "cannot be done now" in again.content.decode()
    assert application.number not in client.get(url("acceptance")).content.decode()


def test_rejecting_needs_a_reason(as_user, demo_catalogue):
    application = submitted(demo_catalogue)
    client = as_user("clerk")
    response = client.post(url("reject", application.number), {"reason": "  "})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="reject-reason-error"' in page and "Give the reason for rejecting" in page
    application.refresh_from_db()
    assert application.state == "submitted"

    response = client.post(url("reject", application.number), {"reason": "Wrong district"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "rejected" and application.reason == "Wrong district"


# --- review -------------------------------------------------------------------------


def test_reviewers_decide_ask_and_comment_through_the_pages(as_user, demo_catalogue):
    application = accepted(demo_catalogue)
    fire = task_of(application, "jingan-fire-rescue")
    market = task_of(application, "jingan-market")
    client = as_user("reviewer.fire")
    inbox = client.get(url("inbox")).content.decode()
    assert url("task", fire.pk) in inbox and url("task", market.pk) not in inbox
    page = client.get(url("task", fire.pk)).content.decode()
    assert fire.matter.name_en in page and "Approve" in page

    # A comment is read by the other departments, on their own task page.
    response = client.post(
        url("task_action", fire.pk, "comment"), {"body": "Fire exits checked on the plan"}
    )
    assert response.status_code == 302
    assert client.post(url("task_action", fire.pk, "comment"), {"body": ""}).status_code == 422
    client.post(url("task_action", fire.pk, "inspection"), {"body": "Visited on site"})
    assert Note.objects.filter(application=application, task=fire).count() == 2

    # Supplement: an unknown material or a bad number of days is said, not a crash.
    keys = list(application.materials.values_list("key", flat=True))
    bad = client.post(
        url("task_action", fire.pk, "supplement"),
        {"material_keys": ["no-such-material"], "reason": "Scan", "days": "5"},
    )
    assert bad.status_code == 422 and 'id="supplement-keys-error"' in bad.content.decode()
    bad = client.post(
        url("task_action", fire.pk, "supplement"),
        {"material_keys": [keys[0]], "reason": "Scan", "days": "five"},
    )
    assert bad.status_code == 422 and 'id="supplement-days-error"' in bad.content.decode()
    bad = client.post(
        url("task_action", fire.pk, "supplement"),
        {"material_keys": [keys[0]], "reason": "", "days": "5"},
    )
    assert bad.status_code == 422 and 'id="supplement-reason-error"' in bad.content.decode()
    ok = client.post(
        url("task_action", fire.pk, "supplement"),
        {"material_keys": [keys[0]], "reason": "Unreadable scan", "days": "5"},
    )
    assert ok.status_code == 302
    fire.refresh_from_db()
    assert fire.state == "supplement" and fire.paused_on is not None
    assert url("task", fire.pk) in client.get(url("inbox") + "?tab=supplement").content.decode()
    # Refusing needs a reason; with one it is decided.
    assert client.post(url("task_action", fire.pk, "refuse"), {"reason": ""}).status_code == 422
    response = client.post(
        url("task_action", fire.pk, "refuse"), {"reason": "Fire code art. 5: no second exit"}
    )
    assert response.status_code == 302
    fire.refresh_from_db()
    assert fire.state == "refused" and fire.paused_on is None

    market_client = as_user("reviewer.market")
    page = market_client.get(url("task", market.pk)).content.decode()
    assert "Fire exits checked on the plan" in page and "Visited on site" in page
    assert "refused" in page  # the other department's state
    assert market_client.get(url("task", fire.pk)).status_code == 404
    bad = market_client.post(
        url("task_action", market.pk, "approve"), {"valid_until": "31/12/2030", "scope": "Retail"}
    )
    assert bad.status_code == 422 and 'id="approve-valid-until-error"' in bad.content.decode()
    past = (clocks.today() - timedelta(days=1)).isoformat()
    bad = market_client.post(url("task_action", market.pk, "approve"), {"valid_until": past})
    assert bad.status_code == 422
    ok = market_client.post(
        url("task_action", market.pk, "approve"), {"valid_until": "", "scope": "Retail of food"}
    )
    assert ok.status_code == 302
    market.refresh_from_db()
    assert market.state == "approved" and market.result["scope"] == "Retail of food"
    assert market_client.post(url("task_action", market.pk, "approve")).status_code == 302
    assert market_client.post(url("task_action", market.pk, "nonsense")).status_code == 404
    # Comments and inspections are read by staff on the case page too.
    case_page = market_client.get(url("case", application.number)).content.decode()
    assert "Fire exits checked on the plan" in case_page


def test_an_overdue_tolerated_material_blocks_approval_on_the_page(
    as_user, demo_catalogue, monkeypatch
):
    application = accepted(demo_catalogue)
    line = application.materials.get(status="tolerated")
    task = next(
        t
        for t in application.matters.select_related("matter", "department")
        if t.matter.code in line.matter_codes
    )
    reviewer = next(u for u in demo_catalogue.values() if u.department_id == task.department_id)
    later = line.due_on + timedelta(days=1)
    monkeypatch.setattr(clocks, "today", lambda: later)
    client = as_user(reviewer.username)
    page = client.get(url("task", task.pk)).content.decode()
    assert "Approval blocked until supplied" in page
    response = client.post(url("task_action", task.pk, "approve"), follow=True)
    assert response.status_code == 200 and "cannot be approved" in response.content.decode()
    task.refresh_from_db()
    assert task.state == "reviewing"


def test_the_inbox_filters_by_due_date_in_one_query(
    as_user, demo_catalogue, monkeypatch, django_assert_num_queries
):
    application = accepted(demo_catalogue)
    fire = task_of(application, "jingan-fire-rescue")
    client = as_user("reviewer.fire")
    assert url("task", fire.pk) not in client.get(url("inbox") + "?tab=overdue").content.decode()
    late = fire.due_on + timedelta(days=1)
    monkeypatch.setattr(clocks, "today", lambda: late)
    page = client.get(url("inbox") + "?tab=overdue").content.decode()
    assert url("task", fire.pk) in page and "overdue" in page
    assert client.get(url("inbox") + "?tab=bogus&page=x").status_code == 200

    reviewer = demo_catalogue["reviewer.fire"]
    access.is_reviewer(reviewer)  # the permissions are cached on the user
    with django_assert_num_queries(1):
        rows = list(selectors.inbox_tasks(reviewer, "overdue", late))
        shown = [
            (t.application.number, t.application.title, t.matter.name, services.clock(t))
            for t in rows
        ]
    assert [number for number, *_ in shown] == [application.number]
    assert shown[0][3]["overdue"]


# --- issue, pickup and post ---------------------------------------------------------------


def test_issue_then_collect_with_the_pickup_code(as_user, demo_catalogue):
    application = accepted(demo_catalogue, leave_out=False)
    decide_all(application, demo_catalogue)
    clerk = as_user("clerk")
    page = clerk.get(url("case", application.number)).content.decode()
    assert url("issue", application.number) in page
    response = clerk.post(url("issue", application.number), follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == "issued"
    page = response.content.decode()
    serials = application.matters.filter(issued__isnull=False).values_list("issued__serial")
    for (document,) in serials:
        assert document in page
    assert url("collect", application.number) in page
    again = clerk.post(url("issue", application.number), follow=True)
    assert "issued together once every matter is decided" in again.content.decode()

    wrong = clerk.post(url("collect", application.number), {"code": "not-it"})
    assert wrong.status_code == 422
    assert 'id="collect-code-error"' in wrong.content.decode()
    assert (
        clerk.post(url("collect", application.number), {"code": "一二三四五六"}).status_code == 422
    )
    code = application.delivery.pickup_code
    response = clerk.post(url("collect", application.number), {"code": code})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "completed" and application.delivery.state == "collected"
    # The manager may issue but does not hand over at the counter.
    manager = as_user("manager")
    assert manager.post(url("collect", application.number), {"code": code}).status_code == 403


def test_tracking_a_parcel_by_post(as_user, demo_catalogue):
    shop = demo_catalogue["jingan.fresh"]
    application = start_food_licence(shop)
    fill_and_upload(application, shop)
    services.submit(application, shop)
    services.accept(application, demo_catalogue["clerk"])
    decide_all(application, demo_catalogue)
    services.set_delivery(application, shop, "post", "1 Gonghe Road, Shanghai")
    manager = as_user("manager")
    assert manager.post(url("issue", application.number)).status_code == 302
    application.refresh_from_db()
    assert application.delivery.state == "dispatched"
    assert (
        url("track", application.number)
        in manager.get(url("case", application.number)).content.decode()
    )
    manager.post(url("track", application.number))
    manager.post(url("track", application.number))
    application.refresh_from_db()
    assert application.state == "completed" and application.delivery.state == "delivered"
    response = manager.post(url("track", application.number), follow=True)
    assert "Nothing of this application is on its way" in response.content.decode()


def test_staff_message_the_applicant(as_user, demo_catalogue):
    application = accepted(demo_catalogue)
    client = as_user("clerk")
    bad = client.post(url("case", application.number), {"body": ""})
    assert bad.status_code == 422 and 'id="message-body-error"' in bad.content.decode()
    assert (
        client.post(url("case", application.number), {"body": "Bring the originals"}).status_code
        == 302
    )
    note = Note.objects.get(application=application)
    assert note.kind == "message" and note.author == demo_catalogue["clerk"]


# --- the centre's list, its export, statistics ------------------------------------------


def test_the_centre_list_filters_and_exports_csv_without_id_numbers(as_user, demo_catalogue):
    waiting = submitted(demo_catalogue)
    submitted_by_person(demo_catalogue)
    reviewing = accepted(demo_catalogue)
    draft = start_supermarket(demo_catalogue["jingan.fresh"])
    manager = as_user("manager")
    page = manager.get(url("centre")).content.decode()
    assert waiting.number in page and reviewing.number in page and draft.number not in page
    page = manager.get(url("centre"), {"state": "in_review"}).content.decode()
    assert reviewing.number in page and waiting.number not in page
    page = manager.get(
        url("centre"), {"department": "jingan-fire-rescue", "submitted_from": "not a date"}
    ).content.decode()
    assert "Some filters are not valid" in page and reviewing.number in page

    response = manager.get(url("centre"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == (
        "Case number,Title (English),Title (Chinese),State,Applicant,Submitted,"
        "Accepted,Decided,Issued,Matters,Overdue"
    )
    row = next(line for line in lines if line.startswith(reviewing.number))
    shop = ',in_review,"Jing\'an Fresh Market Co., Ltd.",'
    assert reviewing.title_zh in row and shop in row and row.endswith(",no")
    assert len(lines) == 4 and ",Li Ming," in text
    assert LI_MING_ID not in text

    overdue = manager.get(url("centre"), {"format": "csv", "overdue": "on"})
    assert len(b"".join(overdue.streaming_content).decode("utf-8-sig").splitlines()) == 1

    assert as_user("clerk").get(url("centre")).status_code == 200
    assert as_user("reviewer.fire").get(url("centre")).status_code == 403


def test_statistics_of_one_on_time_decision(as_user, demo_catalogue):
    application = accepted(demo_catalogue)
    market = task_of(application, "jingan-market")
    services.approve(market, demo_catalogue["reviewer.market"])
    centre = demo_catalogue["manager"].centre
    timeliness = stats.timeliness(centre)
    # The market decision and the two instant green matters decided on acceptance.
    assert (timeliness.decided, timeliness.on_time, timeliness.rate) == (3, 3, 100.0)
    assert timeliness.average_days == 0
    open_work = stats.open_work(centre)
    assert open_work["open"] == application.matters.count() - 3 and open_work["overdue"] == 0
    by_department = {row["code"]: row for row in stats.volume_by_department(centre)}
    assert by_department["jingan-market"]["approved"] == 1
    assert (
        sum(row["count"] for row in stats.volume_by_matter(centre)) == application.matters.count()
    )
    assert stats.ratings(centre)["total"] == 0
    tomorrow = clocks.today() + timedelta(days=1)
    assert stats.timeliness(centre, start=tomorrow).decided == 0

    page = as_user("manager").get(url("statistics")).content.decode()
    assert "100.0 %" in page and market.matter.name_en in page
    assert as_user("manager").get(url("statistics"), {"start": "bad"}).status_code == 200
    assert as_user("clerk").get(url("statistics")).status_code == 403


# --- who may see what ---------------------------------------------------------------------


def test_applicants_and_other_staff_cannot_reach_the_staff_pages(as_user, demo_catalogue):
    application = accepted(demo_catalogue)
    fire = task_of(application, "jingan-fire-rescue")
    number = application.number
    gets = [
        url("acceptance"),
        url("centre"),
        url("centre") + "?format=csv",
        url("case", number),
        url("inbox"),
        url("task", fire.pk),
        url("statistics"),
    ]
    posts = [
        url("accept", number),
        url("reject", number),
        url("issue", number),
        url("collect", number),
        url("track", number),
        url("case", number),
        url("task_action", fire.pk, "approve"),
        url("task_action", fire.pk, "comment"),
    ]
    for username in ("li.ming", "jingan.fresh"):
        client = as_user(username)
        for address in gets:
            assert client.get(address).status_code in (403, 404), address
        for address in posts:
            assert client.post(address, {"reason": "x", "body": "x"}).status_code in (403, 404)
    application.refresh_from_db()
    assert application.state == "in_review" and not Note.objects.exists()

    assert as_user("clerk.pengpu").get(url("case", number)).status_code == 404
    assert as_user("clerk.pengpu").post(url("accept", number)).status_code == 404
    assert as_user("reviewer.health").get(url("task", fire.pk)).status_code == 404
    assert as_user("reviewer.health").get(url("case", number)).status_code == 404
    assert as_user("reviewer.fire").get(url("acceptance")).status_code == 403
    assert as_user("clerk").get(url("inbox")).status_code == 403
    # A manager sees the case but does not accept at the counter.
    waiting = submitted(demo_catalogue, "jingan.fresh")
    assert as_user("manager").get(url("case", waiting.number)).status_code == 200
    assert as_user("manager").post(url("accept", waiting.number)).status_code == 403
    # Signed out: to the login page.
    client = as_user("clerk")
    client.logout()
    assert client.get(url("acceptance")).status_code == 302


def test_the_case_page_speaks_chinese(as_user, demo_catalogue):
    application = accepted(demo_catalogue)
    client = as_user("manager")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(url("case", application.number)).content.decode()
    assert 'lang="zh-Hans"' in page and application.title_zh in page
    assert task_of(application, "jingan-market").matter.name_zh in page
