"""Ratings (好差评): five grades, one rating per service, follow-ups of bad ratings in
working days, exclusion after review."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.audit.models import AuditEntry
from tongban.core.moves import CaseError
from tongban.hall import rating
from tongban.hall.models import Hall
from tongban.ratings import grades, services, stats
from tongban.ratings.models import FollowUp, Rating
from tongban.ratings.services import AlreadyRated

from .helpers import serve

SHANGHAI = ZoneInfo("Asia/Shanghai")
PENGPU = "jingan-pengpu-xincun-community"
# Tuesday before the 2025 National Day holiday (1–8 October; Saturday 11 October worked).
BEFORE_HOLIDAY = datetime(2025, 9, 30, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def hall(demo_catalogue) -> Hall:
    return Hall.objects.get(centre__code=PENGPU)


@pytest.fixture
def visit(hall, demo):
    return serve(hall, demo["clerk.pengpu"], BEFORE_HOLIDAY)


def test_five_grades_the_last_two_bad():
    assert [g.zh for g in grades.GRADES] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [grades.is_bad(code) for code in grades.CODES] == [False, False, False, True, True]


def test_the_former_stars_map_to_grades():
    """The mapping the data migration (ratings 0002) applies to the online stars."""
    assert [grades.from_stars(n) for n in (5, 4, 3, 2, 1)] == list(grades.CODES)
    with pytest.raises(ValueError, match="stars"):
        grades.from_stars(0)


@given(st.integers(min_value=1, max_value=5))
def test_stars_and_grades_round_trip(stars):
    assert 5 - grades.CODES.index(grades.from_stars(stars)) == stars
    assert grades.is_bad(grades.from_stars(stars)) == (stars <= 2)


def test_a_ticket_is_rated_once_whichever_way_comes_first(visit):
    now = BEFORE_HOLIDAY + timedelta(minutes=12)
    first = rating.rate(visit, "satisfied", Rating.Source.RATER, ["attitude", "waiting"],
                        " Kind. ", now=now)  # fmt: skip
    assert (first.channel, first.grade, first.comment, first.label) == (
        "counter", "satisfied", "Kind.", visit.number)  # fmt: skip
    assert first.reasons == ["attitude", "waiting"]  # in the list's order
    with pytest.raises(AlreadyRated):
        rating.rate(visit, "very_dissatisfied", Rating.Source.QR, now=now)
    assert Rating.objects.get(ticket=visit).grade == "satisfied"
    assert not FollowUp.objects.exists()
    assert AuditEntry.objects.filter(object_type="ratings.rating", action="create").exists()


def test_bad_input_and_closed_ratings_are_refused(visit, hall):
    now = BEFORE_HOLIDAY + timedelta(minutes=12)
    with pytest.raises(CaseError) as error:
        rating.rate(visit, "5", Rating.Source.QR, now=now)
    assert error.value.field == "grade"
    with pytest.raises(CaseError) as error:
        rating.rate(visit, "satisfied", Rating.Source.QR, ["nonsense"], now=now)
    assert error.value.field == "reasons"
    late = visit.finished_at + timedelta(days=7)
    assert not rating.can_rate(visit, late) and rating.can_rate(visit, late - timedelta(1))
    with pytest.raises(CaseError, match="closed"):
        rating.rate(visit, "satisfied", Rating.Source.QR, now=late)
    waiting = serve(hall, visit.counter.clerk, BEFORE_HOLIDAY + timedelta(hours=1))
    waiting.state = "serving"
    with pytest.raises(CaseError, match="served"):
        rating.rate(waiting, "satisfied", Rating.Source.QR, now=late)
    assert not Rating.objects.exists()


def test_a_bad_grade_opens_a_follow_up_due_in_working_days(visit, settings):
    settings.TONGBAN_RATING_REVISIT_DAYS, settings.TONGBAN_RATING_RECTIFY_DAYS = 3, 15
    bad = rating.rate(visit, "dissatisfied", Rating.Source.QR,
                      now=BEFORE_HOLIDAY + timedelta(minutes=30))  # fmt: skip
    follow_up = bad.follow_up
    assert follow_up.opened_on == date(2025, 9, 30)
    # 1–8 October are the holiday; 9, 10 and the worked Saturday 11 October count.
    assert follow_up.revisit_due == date(2025, 10, 11)
    assert follow_up.rectify_due == date(2025, 10, 28)
    assert follow_up.due_on == follow_up.revisit_due
    centre = visit.hall.centre
    assert not services.is_overdue(follow_up, date(2025, 10, 11))
    assert services.is_overdue(follow_up, date(2025, 10, 12))
    assert list(services.overdue(centre, date(2025, 10, 12))) == [follow_up]
    services.step(follow_up, "revisit", None)
    follow_up.refresh_from_db()
    assert follow_up.due_on == date(2025, 10, 28)
    assert list(services.overdue(centre, date(2025, 10, 12))) == []
    assert list(services.overdue(centre, date(2025, 10, 29))) == [follow_up]


def test_deadlines_are_settings(settings):
    settings.TONGBAN_RATING_REVISIT_DAYS, settings.TONGBAN_RATING_RECTIFY_DAYS = 1, 2
    friday = date(2025, 6, 6)
    assert services.deadlines(friday) == (date(2025, 6, 9), date(2025, 6, 10))


def test_a_follow_up_moves_step_by_step_and_closes_with_a_note(visit, demo):
    bad = rating.rate(visit, "very_dissatisfied", Rating.Source.RATER,
                      now=BEFORE_HOLIDAY + timedelta(minutes=12))  # fmt: skip
    manager = demo["manager.pengpu"]
    follow_up = bad.follow_up
    with pytest.raises(CaseError, match="cannot be done now"):
        services.step(follow_up, "close", manager, "Too early")
    for action in ("revisit", "verify", "rectify"):
        follow_up = services.step(follow_up, action, manager)
    with pytest.raises(CaseError) as error:
        services.step(follow_up, "close", manager, "  ")
    assert error.value.field == "note"
    follow_up = services.step(follow_up, "close", manager, "Called back; queue signs fixed.")
    assert (follow_up.state, follow_up.note) == ("closed", "Called back; queue signs fixed.")
    assert follow_up.closed_at is not None and not follow_up.is_open
    moves = AuditEntry.objects.filter(object_type="ratings.followup", action="transition")
    assert moves.count() == 4 and {e.actor_id for e in moves} == {manager.pk}
    with pytest.raises(CaseError):
        services.step(follow_up, "nonsense", manager)


def test_an_excluded_rating_leaves_the_figures_and_ends_its_follow_up(visit, demo):
    bad = rating.rate(visit, "very_dissatisfied", Rating.Source.QR,
                      now=BEFORE_HOLIDAY + timedelta(minutes=12))  # fmt: skip
    centre, day = visit.hall.centre, date(2025, 9, 30)
    assert stats.summary(centre, day, day, day)["all"]["bad"] == 1
    with pytest.raises(CaseError) as error:
        services.exclude(bad, demo["manager.pengpu"], "")
    assert error.value.field == "note"
    services.exclude(bad, demo["manager.pengpu"], "Rated the wrong centre (said so by phone).")
    bad.refresh_from_db()
    assert bad.excluded_at and bad.follow_up.state == "excluded"
    summary = stats.summary(centre, day, day, day)
    assert summary["all"]["total"] == 0 and summary["follow_ups_open"] == 0
    with pytest.raises(CaseError, match="already"):
        services.exclude(bad, demo["manager.pengpu"], "again")


def test_the_figures_count_both_channels_together_and_apart(visit, hall, demo):
    rating.rate(visit, "very_satisfied", Rating.Source.RATER,
                now=BEFORE_HOLIDAY + timedelta(minutes=12))  # fmt: skip
    other = serve(hall, demo["clerk.pengpu"], BEFORE_HOLIDAY + timedelta(hours=1))
    rating.rate(other, "dissatisfied", Rating.Source.QR,
                now=BEFORE_HOLIDAY + timedelta(hours=2))  # fmt: skip
    day = date(2025, 9, 30)
    summary = stats.summary(hall.centre, day, day, date(2025, 10, 20))
    assert summary["counter"]["total"] == 2 and summary["online"]["total"] == 0
    assert summary["all"]["grades"]["very_satisfied"] == 1 and summary["all"]["bad_share"] == 50
    assert (summary["follow_ups_open"], summary["follow_ups_overdue"]) == (1, 1)
    rows = {row["grade"]: row for row in stats.rows(summary)}
    assert rows["dissatisfied"] == {"grade": "dissatisfied", "grade_zh": "不满意", "bad": True,
                                    "counter": 1, "online": 0, "all": 1}  # fmt: skip
