"""Issue 11 point 12: supplement due dates have consequences (docs/case-rules.md).

A tolerated material and a reviewer's supplement request are owed by a date: the tick
reminds the applicant once before it, the case shows "supplement overdue" after it, and
TONGBAN_SUPPLEMENT_OVERDUE decides what follows ("lapse" by default, or "escalate").
"""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from tongban.applications import services
from tongban.applications.models import Application, ApplicationMaterial, ApplicationMatter
from tongban.applications.services import clocks, supplements
from tongban.audit.models import AuditEntry
from tongban.notifications.models import Notification

from .cases import fill_and_upload, pdf_file, start_food_licence, start_supermarket

pytestmark = pytest.mark.django_db

ACCEPTED = date(2026, 3, 2)  # a Monday
DUE = date(2026, 3, 9)  # five working days later
SOON = date(2026, 3, 5)  # two working days left, the due day counted
BEFORE = date(2026, 3, 4)  # not yet due soon
AFTER = date(2026, 3, 10)
FOOD = "market-food-business-licence"
FIRE = "fire-assembly-venue-opening-check"


def on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clocks, "today", lambda: day)


@pytest.fixture
def owed(demo_catalogue, monkeypatch):
    """The supermarket, accepted on ACCEPTED without its floor plan (容缺), which is for the
    food business licence and the fire safety check."""
    shop = demo_catalogue["jingan.fresh"]
    application = start_supermarket(shop)
    fill_and_upload(application, shop, leave_out="floor-plan")
    on(monkeypatch, ACCEPTED)
    services.submit(application, shop, commitment=True)
    services.accept(application, demo_catalogue["clerk"])
    assert application.materials.get(key="floor-plan").due_on == DUE
    return application


def notices(username: str, text: str) -> int:
    return Notification.objects.filter(user__username=username, text_en__contains=text).count()


def task(application: Application, code: str) -> ApplicationMatter:
    return application.matters.get(matter__code=code)


def tick() -> None:
    call_command("applications", "tick", stdout=open("/dev/null", "w"))  # noqa: SIM115


# --- reminders -------------------------------------------------------------------------


def test_the_applicant_is_reminded_once_per_due_date(owed, monkeypatch):
    on(monkeypatch, BEFORE)
    tick()
    assert notices("jingan.fresh", "is due by") == 0
    on(monkeypatch, SOON)
    tick()
    tick()
    assert notices("jingan.fresh", "committed to supply later, is due by 2026-03-09") == 1
    on(monkeypatch, date(2026, 3, 6))
    tick()
    assert notices("jingan.fresh", "is due by") == 1


def test_a_reviewer_request_is_reminded_once(owed, demo_catalogue,
                                             monkeypatch):  # fmt: skip
    on(monkeypatch, date(2026, 3, 3))
    fire = task(owed, FIRE)
    ask = {"material_keys": [], "reason": "Sign page 2.", "days": 2}
    request = services.request_supplement(fire, demo_catalogue["reviewer.fire"], **ask)
    assert request.due_on == date(2026, 3, 5)
    for _ in range(3):
        tick()
    assert notices("jingan.fresh", "the supplement asked for") == 1
    request.refresh_from_db()
    assert request.reminded_for == request.due_on


# --- lapse (the default) ---------------------------------------------------------------


def test_lapse_is_the_default():
    assert supplements.policy() == supplements.LAPSE


def test_an_overdue_tolerated_material_ends_its_matters(owed, monkeypatch):
    on(monkeypatch, DUE)
    assert services.act_on_overdue() == (0, 0)
    on(monkeypatch, AFTER)
    tick()
    tick()
    for code in (FOOD, FIRE):
        ended = task(owed, code)
        assert ended.state == "withdrawn" and "deemed withdrawn" in ended.reason
        entry = AuditEntry.objects.get(object_type="applications.applicationmatter",
                                       object_id=str(ended.pk), after__action="lapse")  # fmt: skip
        assert entry.after["state"] == "withdrawn"
    # The instant signboard filing was approved on acceptance; nothing else was owed for it.
    assert task(owed, "green-shop-signboard").state == "approved"
    line = owed.materials.get(key="floor-plan")
    assert line.status == ApplicationMaterial.Status.LAPSED
    assert notices("jingan.fresh", "ended as withdrawn") == 2
    assert notices("reviewer.market", "ended as withdrawn") == 1
    owed.refresh_from_db()
    # Every matter is decided: the lapsed ones and the instant ones approved on acceptance.
    assert owed.state == "decided" and not services.overdue_of(owed)
    with pytest.raises(services.CaseError):
        services.upload(owed, owed.applicant, "floor-plan", pdf_file(), "plan.pdf")


def test_the_grace_delays_the_lapse(owed, monkeypatch, settings):
    settings.TONGBAN_SUPPLEMENT_GRACE_DAYS = 2
    on(monkeypatch, date(2026, 3, 11))
    tick()
    assert task(owed, FOOD).state == "reviewing"
    assert [o.ends_after for o in services.overdue_of(owed)] == [date(2026, 3, 11)]
    on(monkeypatch, date(2026, 3, 12))
    tick()
    assert task(owed, FOOD).state == "withdrawn"


def test_supplied_in_time_nothing_lapses(owed, monkeypatch):
    on(monkeypatch, DUE)
    services.upload(owed, owed.applicant, "floor-plan", pdf_file(), "plan.pdf")
    on(monkeypatch, AFTER)
    tick()
    assert not owed.matters.filter(state="withdrawn").exists()


def test_an_unanswered_request_ends_its_matter_and_the_application(demo_catalogue,
                                                                   monkeypatch):  # fmt: skip
    shop = demo_catalogue["jingan.fresh"]
    owed = start_food_licence(shop)
    fill_and_upload(owed, shop)
    on(monkeypatch, ACCEPTED)
    services.submit(owed, shop)
    services.accept(owed, demo_catalogue["clerk"])
    licence = owed.matters.get()
    services.request_supplement(licence, demo_catalogue["reviewer.market"], material_keys=[],
                                reason="Sign it.", days=1)  # fmt: skip
    on(monkeypatch, date(2026, 3, 11))
    tick()
    owed.refresh_from_db()
    assert set(owed.matters.values_list("state", flat=True)) == {"withdrawn"}
    assert owed.state == "withdrawn" and "deemed withdrawn" in owed.reason
    assert not owed.matters.filter(paused_on__isnull=False).exists()
    assert not owed.matters.filter(supplements__answered_at__isnull=True).exists()


# --- escalate --------------------------------------------------------------------------


@pytest.fixture
def escalate(settings):
    settings.TONGBAN_SUPPLEMENT_OVERDUE = "escalate"


def test_escalate_tells_the_managers_once_and_flags_the_case(escalate, owed, monkeypatch,
                                                             demo_catalogue):  # fmt: skip
    on(monkeypatch, AFTER)
    tick()
    tick()
    assert notices("manager", "a supplement is overdue since 2026-03-09") == 1
    assert notices("jingan.fresh", "the service centre has been told") == 1
    assert task(owed, FOOD).state == "reviewing"
    [late] = services.overdue_of(owed)
    assert late.escalated_at is not None and late.ends_after is None
    # The rule that an overdue tolerated material blocks approval stays.
    with pytest.raises(services.CaseError):
        services.approve(task(owed, FOOD), demo_catalogue["reviewer.market"])


def test_a_wrong_setting_is_refused(settings):
    settings.TONGBAN_SUPPLEMENT_OVERDUE = "ignore"
    with pytest.raises(ImproperlyConfigured):
        supplements.policy()


# --- pages and API ---------------------------------------------------------------------


def test_staff_pages_show_the_overdue_supplement(owed, monkeypatch, client, login):
    on(monkeypatch, DUE)
    login("reviewer.market")
    assert "supplement overdue" not in client.get("/staff/reviews/").content.decode()
    on(monkeypatch, AFTER)
    assert "supplement overdue" in client.get("/staff/reviews/").content.decode()
    food = task(owed, FOOD)
    page = client.get(f"/staff/reviews/{food.pk}/").content.decode()
    assert 'id="supplement-overdue"' in page and "end as withdrawn" in page
    login("manager")
    assert "supplement overdue" in client.get("/staff/applications/").content.decode()
    page = client.get(f"/staff/applications/{owed.number}/").content.decode()
    assert 'id="supplement-overdue"' in page


def test_the_applicant_sees_it_on_the_page_and_the_api(owed, monkeypatch, client, login):
    login("jingan.fresh")
    on(monkeypatch, DUE)
    assert (
        'id="supplement-overdue"'
        not in client.get(f"/applications/{owed.number}/").content.decode()
    )
    assert client.get(f"/api/v1/applications/{owed.number}").json()["overdue_supplements"] == []
    on(monkeypatch, AFTER)
    page = client.get(f"/applications/{owed.number}/").content.decode()
    assert 'id="supplement-overdue"' in page and "2026-03-09" in page
    [late] = client.get(f"/api/v1/applications/{owed.number}").json()["overdue_supplements"]
    assert late == {"kind": "material", "material": "floor-plan", "request": None,
                    "matters": [FOOD, FIRE], "due_on": "2026-03-09", "consequence": "lapse",
                    "ends_after": "2026-03-09", "escalated_at": None}  # fmt: skip
    tick()
    page = client.get(f"/applications/{owed.number}/").content.decode()
    assert "deemed withdrawn" in page and "not supplied in time" in page


def test_escalation_on_the_pages_and_the_api(escalate, owed, monkeypatch, client, login):
    on(monkeypatch, AFTER)
    tick()
    login("reviewer.market")
    [row] = client.get("/api/v1/reviews", {"state": "reviewing"}).json()["items"]
    assert row["matter"] == FOOD and row["supplement_overdue"] is True
    case = client.get(f"/api/v1/reviews/{row['id']}").json()["case"]
    [late] = case["overdue_supplements"]
    assert late["consequence"] == "escalate" and late["escalated_at"] is not None
    page = client.get(f"/staff/reviews/{row['id']}/").content.decode()
    assert "managers were told on" in page
    login("jingan.fresh")
    page = client.get(f"/applications/{owed.number}/").content.decode()
    assert 'id="supplement-overdue"' in page and "managers were told on" in page
    assert "end as withdrawn" not in page
