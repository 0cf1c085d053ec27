"""Opening hours on the official calendar: the examples of the source and random hours."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.core.opening import (
    KINDS,
    DayKind,
    OpeningHours,
    Period,
    day_kind,
    parse_hours,
)

PENGPU = OpeningHours.parse(
    {"working_days": "8:30-16:30", "weekends": "8:30-11:30", "holidays": "8:30-11:30"}
)
DISTRICT = OpeningHours.parse({"working_days": "9:00-17:00"})


def test_the_kinds_of_day_follow_the_official_calendar():
    assert day_kind(date(2026, 9, 30)) == DayKind.WORKING_DAY  # a Wednesday
    assert day_kind(date(2026, 10, 1)) == DayKind.HOLIDAY  # National Day
    assert day_kind(date(2026, 10, 3)) == DayKind.HOLIDAY  # a Saturday inside it
    assert day_kind(date(2026, 10, 10)) == DayKind.WORKING_DAY  # a Saturday worked in exchange
    assert day_kind(date(2026, 10, 11)) == DayKind.WEEKEND
    assert day_kind(date(2030, 1, 1)) == DayKind.WORKING_DAY  # beyond the calendar: Mon-Fri


def test_pengpu_xincun_opens_every_day():
    assert PENGPU.is_open(datetime(2026, 10, 1, 9, 0))  # National Day morning
    assert not PENGPU.is_open(datetime(2026, 10, 1, 11, 30))
    assert PENGPU.is_open(datetime(2026, 10, 10, 16, 29))  # the adjusted working Saturday
    assert PENGPU.is_open(datetime(2026, 10, 12, 12, 15))  # over lunch
    assert not PENGPU.is_open(datetime(2026, 10, 12, 16, 30))
    assert PENGPU.next_opening(datetime(2026, 10, 11, 12, 0)) == datetime(2026, 10, 12, 8, 30)


def test_the_district_centre_closes_for_the_holiday():
    assert DISTRICT.hours_on(date(2026, 10, 3)) == ()
    assert DISTRICT.next_opening(datetime(2026, 9, 30, 17, 0)) == datetime(2026, 10, 8, 9, 0)


def test_an_aware_moment_is_read_in_shanghai_time():
    one_am_utc = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)  # 9:00 in Shanghai
    assert DISTRICT.is_open(one_am_utc)
    opens = DISTRICT.next_opening(datetime(2026, 9, 30, 10, 0, tzinfo=UTC))
    assert opens == datetime(2026, 10, 8, 1, 0, tzinfo=UTC)
    assert opens.utcoffset() == timedelta(hours=8)


def test_the_description_is_generated_in_both_languages():
    assert PENGPU.description() == {
        "en": "Monday to Friday 8:30–16:30; weekends and public holidays 8:30–11:30",
        "zh": "周一至周五 8:30–16:30；双休日及法定节假日 8:30–11:30",
    }
    assert DISTRICT.description() == {
        "en": "Monday to Friday 9:00–17:00; closed on weekends and public holidays",
        "zh": "周一至周五 9:00–17:00；双休日及法定节假日休息",
    }
    lunch = OpeningHours.parse(
        {"working_days": "9:00-12:00, 13:30-17:00", "weekends": "9:00-12:00", "holidays": "closed"}
    )
    assert lunch.description() == {
        "en": "Monday to Friday 9:00–12:00, 13:30–17:00; weekends 9:00–12:00; "
        "closed on public holidays",
        "zh": "周一至周五 9:00–12:00，13:30–17:00；双休日 9:00–12:00；法定节假日休息",
    }
    every_day = OpeningHours.parse(dict.fromkeys(KINDS, "8:00-9:00"))
    assert every_day.description()["en"] == "Every day 8:00–9:00"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("9-17", "write hours as 8:30-16:30"),
        ("25:00-26:00", "25:00 is not a time of day"),
        ("10:00-9:00", "closes before it opens"),
        ("8:00-12:00, 11:00-13:00", "overlap"),
        ("", "write hours as"),
    ],
)
def test_bad_hours_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_hours(text)


@pytest.mark.parametrize(
    "data",
    [
        {"mondays": []},
        {"weekends": [{"opens": "9:00"}]},
        {"weekends": [{"opens": "nine", "closes": "10:00"}]},
        {"weekends": ["09:00-10:00"]},
        ["09:00"],
    ],
)
def test_bad_data_is_refused(data):
    with pytest.raises(ValueError):
        OpeningHours.from_data(data)


# Random hours: up to three periods a kind of day, on a grid of quarter hours so that
# periods often touch, and random moments over years inside and beyond the calendar.
minutes = st.integers(min_value=0, max_value=24 * 4 - 1).map(lambda q: q * 15)


@st.composite
def hours(draw) -> tuple[Period, ...]:
    edges = sorted(set(draw(st.lists(minutes, max_size=6))))
    pairs = zip(edges[::2], edges[1::2], strict=False)
    return tuple(Period(time(a // 60, a % 60), time(b // 60, b % 60)) for a, b in pairs)


opening_hours = st.builds(OpeningHours, hours(), hours(), hours())
moments = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1))


@given(opening_hours, moments)
def test_is_open_agrees_with_hours_on(opening, moment):
    inside = [p for p in opening.hours_on(moment.date()) if p.opens <= moment.time() < p.closes]
    assert opening.is_open(moment) == bool(inside)


@given(opening_hours, moments, st.integers(min_value=0, max_value=999))
def test_next_opening_is_open_and_nothing_before_it_is(opening, moment, permille):
    opens = opening.next_opening(moment)
    if opens is None:
        assert not any(opening.hours_on(moment.date() + timedelta(days=d)) for d in range(400))
        return
    assert opens >= moment and opening.is_open(opens)
    assert opens == moment or not opening.is_open(moment + (opens - moment) * permille // 1000)
    # Whatever is open between them would open at a period start between them.
    day = moment.date()
    while day <= opens.date():
        for period in opening.hours_on(day):
            assert not moment < datetime.combine(day, period.opens) < opens
        day += timedelta(days=1)


@given(opening_hours)
def test_the_data_and_the_texts_read_back(opening):
    assert OpeningHours.from_data(opening.as_data()) == opening
    assert OpeningHours.parse(opening.texts()) == opening
    description = opening.description()
    assert description["en"][0].isupper() and description["zh"]
