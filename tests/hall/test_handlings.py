"""At the counter: a case taken on the visitor's behalf, city-wide for family members,
related matters, and what the visitor brings (tongban.hall.handlings)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.applications.cases import pdf_file
from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core.moves import CaseError
from tongban.guidance.services import sheet_token
from tongban.hall import counters, handlings, tickets
from tongban.hall.handlings import Beneficiary
from tongban.hall.models import Hall, Handling, Ticket

PENGPU = "jingan-pengpu-xincun-community"
LI_MING = "310106198503154216"  # registered in Jing'an, as the centre
WIFE = "310113198811054018"  # registered in Baoshan
NEWBORN = "hcs-newborn-resident-insurance"
MATERNITY = "hr-maternity-benefit"
BIRTH = "health-birth-registration"
NOON = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


@pytest.fixture
def clerk(demo_catalogue, files):
    return demo_catalogue["clerk.pengpu"]


def matter(code: str) -> Matter:
    return Matter.objects.get(version=public_version(), code=code)


def serving(hall, clerk, *codes: str, number: int = 1) -> Ticket:
    """A visitor at the clerk's counter, served, for these matters."""
    ticket = tickets.issue(hall, channel="kiosk", matters=[matter(c) for c in codes], now=NOON)
    counter = hall.counters.get(number=number)
    counters.sign_in(counter, clerk)
    assert tickets.call_next(counter, clerk, now=NOON) == ticket
    return tickets.start(ticket, clerk, now=NOON)


def contact(**more) -> dict:
    return {"phone": "13800138000", "address": "1 Gonghe Road", **more}


def scanned(ticket, clerk, case) -> Application:
    """The principal materials the visitor shows, scanned into the case."""
    for line in case.materials.filter(principal=True):
        handlings.scan_material(ticket, clerk, case.number, line.key, pdf_file(), "scan.pdf")
    return case


def test_a_case_taken_by_resident_id_goes_through_the_online_services(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN)
    case = handlings.start_case(ticket, clerk, " 310106 19850315 4216 ", [NEWBORN], **contact())
    scanned(ticket, clerk, case)
    assert (case.channel, case.counter_number, case.centre.code) == ("counter", 1, PENGPU)
    assert case.applicant.username == "li.ming" and case.state == "draft"
    assert list(case.matters.values_list("matter__code", flat=True)) == [NEWBORN]
    assert case.materials.exists()  # merged as online
    assert not Handling.objects.filter(ticket=ticket).exists()  # not until accepted
    made = handlings.accept_case(ticket, clerk, case.number, commitment=True, now=NOON)
    case.refresh_from_db()
    assert case.state != "draft" and case.accepted_by == clerk and case.submitted_at
    [handling] = made
    assert (handling.matter.code, handling.outcome, handling.application) == (
        NEWBORN, "accepted", case)  # fmt: skip
    assert not handling.city_wide  # Li Ming is registered in the centre's district
    assert Application.objects.filter(channel="online").exclude(pk=case.pk).count() == (
        Application.objects.count() - 1)  # fmt: skip


def test_the_handling_is_recorded_once_even_after_finishing_twice(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN, "health-birth-registration")
    case = scanned(
        ticket, clerk, handlings.start_case(ticket, clerk, LI_MING, [NEWBORN], **contact())
    )
    handlings.accept_case(ticket, clerk, case.number, commitment=True, now=NOON)
    with pytest.raises(CaseError, match="already handled"):
        handlings.start_case(ticket, clerk, LI_MING, [NEWBORN], **contact())
    with pytest.raises(CaseError, match="number of the case"):
        tickets.finish(ticket, clerk, "accepted", now=NOON)  # one matter is left
    tickets.finish(ticket, clerk, "on_the_spot", now=NOON, result="Record printed")
    tickets.finish(ticket, clerk, "on_the_spot", now=NOON)
    rows = Handling.objects.filter(ticket=ticket).order_by("matter__code")
    assert [(h.matter.code, h.outcome) for h in rows] == [
        (NEWBORN, "accepted"), ("health-birth-registration", "on_the_spot")]  # fmt: skip


def test_finishing_as_accepted_needs_no_number_when_every_matter_is_in_a_case(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN)
    case = scanned(
        ticket, clerk, handlings.start_case(ticket, clerk, LI_MING, [NEWBORN], **contact())
    )
    handlings.accept_case(ticket, clerk, case.number, commitment=True, now=NOON)
    tickets.finish(ticket, clerk, "accepted", now=NOON)
    assert Handling.objects.filter(ticket=ticket).count() == 1
    assert list(ticket.applications.all()) == [case]


def test_a_wifes_maternity_benefit_registered_in_baoshan_counts_the_ticket_city_wide(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN, MATERNITY)
    Ticket.objects.filter(pk=ticket.pk).update(city_wide=False)  # only what is handled counts
    wife = Beneficiary("spouse", "Wang Fang", WIFE, "310113")
    case = handlings.start_case(ticket, clerk, LI_MING, [NEWBORN, MATERNITY], **contact(),
                                beneficiaries={MATERNITY: wife})  # fmt: skip
    scanned(ticket, clerk, case)
    made = handlings.accept_case(ticket, clerk, case.number, commitment=True, now=NOON)
    assert {h.matter.code: h.city_wide for h in made} == {NEWBORN: False, MATERNITY: True}
    ticket.refresh_from_db()
    assert ticket.city_wide
    task = case.matters.get(matter__code=MATERNITY, lead=True)
    assert task.department.region.code == "310113"  # routed to her district
    assert task.beneficiary_id_number == WIFE


def test_a_visitor_without_an_account_gets_one_they_can_claim(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN)
    with pytest.raises(CaseError, match="full name"):
        handlings.start_case(ticket, clerk, "310104199203155526", [NEWBORN], **contact())
    new = {"name": "Zhao Lei", "district": "310106", "email": "zhao@example.cn"}
    case = handlings.start_case(ticket, clerk, "310104199203155526", [NEWBORN], **new, **contact())
    person = case.applicant
    assert (person.kind, person.full_name, person.email) == (
        "person",
        "Zhao Lei",
        "zhao@example.cn",
    )
    assert person.registration_district.code == "310106"
    assert list(PasswordResetForm().get_users("zhao@example.cn")) == [person]  # to claim it
    assert "310104199203155526" not in person.username
    ticket.refresh_from_db()
    assert ticket.resident_id == "310104199203155526"


@pytest.mark.parametrize(
    ("id_number", "codes", "message"),
    [
        ("310106198503154217", [NEWBORN], "check digit"),
        ("12345", [NEWBORN], "18 characters"),
        (LI_MING, ["health-birth-registration"], "Add health-birth-registration"),
        (LI_MING, [], "Choose the matters"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(hall, clerk, id_number, codes, message):
    ticket = serving(hall, clerk, NEWBORN)
    before = Application.objects.count(), User.objects.count()
    with pytest.raises(CaseError, match=message):
        handlings.start_case(ticket, clerk, id_number, codes, name="X", **contact())
    assert (Application.objects.count(), User.objects.count()) == before


def test_a_counter_without_the_skill_does_not_take_the_case(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN, number=21)  # medical insurance only
    ticket.matters.add(matter(MATERNITY))  # named at the kiosk, social insurance
    with pytest.raises(CaseError, match="does not handle"):
        handlings.start_case(ticket, clerk, LI_MING, [MATERNITY], **contact())


def test_a_precheck_error_is_said_and_the_case_stays_a_draft(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN)
    case = handlings.start_case(ticket, clerk, LI_MING, [NEWBORN], phone="13800138000")
    with pytest.raises(CaseError, match="missing"):
        handlings.accept_case(ticket, clerk, case.number, commitment=True, now=NOON)
    case.refresh_from_db()
    assert case.state == "draft" and not Handling.objects.filter(ticket=ticket).exists()
    with pytest.raises(Http404):
        handlings.accept_case(ticket, clerk, "31010620260310000000", commitment=True)


def test_related_matters_come_from_the_life_event(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN)
    [baby] = handlings.related(ticket, hall.counters.get(number=1))
    assert baby.event.code == "having-a-baby"
    codes = {m.code for m in baby.here}
    assert {MATERNITY, "health-birth-registration"} <= codes and NEWBORN not in codes
    assert all(m.events.filter(code="having-a-baby").exists() for m in baby.here)
    narrow = handlings.related(ticket, hall.counters.get(number=21))  # medical insurance only
    assert MATERNITY in {m.code for r in narrow for m in r.elsewhere}
    assert MATERNITY not in {m.code for r in narrow for m in r.here}


def test_a_scanned_sheet_adds_its_matters_to_the_visit(hall, clerk):
    ticket = serving(hall, clerk, NEWBORN)
    answers = {"born": True, "married": True, "hukou": "other-district", "insured": ["mother"],
               "born_in_shanghai": True}  # fmt: skip
    token = sheet_token("baby-other-district", answers)
    sheet = handlings.add_sheet(ticket, clerk, f"https://example.cn/guide/s/{token}/")
    codes = {m.code for m in ticket.matters.all()}
    assert {m.code for m in sheet.added} <= codes and sheet.added
    assert NEWBORN not in {m.code for m in sheet.added}  # already on the ticket
    assert sheet.plan.materials
    with pytest.raises(CaseError, match="not a guidance sheet"):
        handlings.add_sheet(ticket, clerk, "https://example.cn/guide/s/forged/")


def test_a_case_number_opens_only_what_the_clerk_may_see(hall, clerk, demo_catalogue):
    ticket = serving(hall, clerk, NEWBORN)
    case = handlings.start_case(ticket, clerk, LI_MING, [NEWBORN], **contact())
    with pytest.raises(Http404):
        handlings.find_case(clerk, case.number)  # a draft: not for staff yet
    scanned(ticket, clerk, case)
    handlings.accept_case(ticket, clerk, case.number, commitment=True, now=NOON)
    assert handlings.find_case(clerk, case.number) == case
    with pytest.raises(Http404):
        handlings.find_case(demo_catalogue["clerk"], case.number)  # another centre
    with pytest.raises(CaseError, match="neither"):
        handlings.find_case(clerk, "A023")


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    st.lists(st.sampled_from([NEWBORN, MATERNITY, BIRTH]), unique=True),
    st.sampled_from(["on_the_spot", "accepted", "advice"]),
    st.integers(1, 3),
)
def test_each_matter_of_a_visit_is_handled_once_whatever_is_accepted_and_finished(
    hall, clerk, in_case, outcome, finishes
):
    ticket = tickets.issue(hall, channel="kiosk", now=NOON,
                           matters=[matter(c) for c in (NEWBORN, MATERNITY, BIRTH)])  # fmt: skip
    counter = hall.counters.get(number=1)
    if counter.clerk_id != clerk.pk:
        counters.sign_in(counter, clerk)
    assert tickets.call_next(counter, clerk, now=NOON) == ticket
    tickets.start(ticket, clerk, now=NOON)
    if in_case:
        case = handlings.start_case(ticket, clerk, LI_MING, in_case, **contact())
        handlings.accept_case(ticket, clerk, scanned(ticket, clerk, case).number,
                              commitment=True, now=NOON)  # fmt: skip
    left = len(in_case) < 3
    if outcome == "accepted" and left:
        with pytest.raises(CaseError):
            tickets.finish(ticket, clerk, outcome, now=NOON)
        outcome = "on_the_spot"
    for _ in range(finishes):
        tickets.finish(ticket, clerk, outcome, now=NOON)
    rows = list(Handling.objects.filter(ticket=ticket).values_list("matter__code", "outcome"))
    expected = {code: "accepted" for code in in_case}
    if outcome != "advice":
        expected |= {code: outcome for code in (NEWBORN, MATERNITY, BIRTH) if code not in in_case}
    assert sorted(rows) == sorted(expected.items())
