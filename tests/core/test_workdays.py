"""Deadlines in official working days agree with chinese_calendar and with plain counting."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.workdays import (
    add_working_days,
    calendar_confirmed,
    is_working_day,
    shift_for_pause,
    working_days_between,
    working_days_between_except,
)

ONE = timedelta(days=1)
# Both edges of the official calendar (2004-2026) and the weekday fallback beyond them.
dates = st.dates(min_value=date(2002, 6, 1), max_value=date(2028, 6, 30))
counts = st.integers(min_value=0, max_value=400)
# Pauses as (offset, length) near the start of the range, so that they often overlap it and
# each other (including one pause inside another).
pauses = st.lists(
    st.tuples(st.integers(min_value=-10, max_value=80), st.integers(min_value=-2, max_value=40)),
    max_size=4,
)


def days_in(start, end):
    """Every day d with start < d <= end."""
    return [start + ONE * i for i in range(1, (end - start).days + 1)]


def test_the_2026_calendar():
    national_day = [date(2026, 10, d) for d in range(1, 8)]
    assert not any(is_working_day(d) for d in national_day)
    assert not any(chinese_calendar.is_workday(d) for d in national_day)
    adjusted = [
        d
        for d in chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
        if d.weekday() >= 5
    ]
    assert date(2026, 10, 10) in adjusted and date(2026, 10, 10).weekday() == 5
    assert all(is_working_day(d) for d in adjusted)
    assert not is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert is_working_day(date(2026, 9, 30)) and is_working_day(date(2026, 10, 8))
    # Across National Day: Thu 8th, Fri 9th, then the worked Saturday 10th.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 9, 29), date(2026, 10, 10)) == 4
    assert calendar_confirmed(date(2026, 12, 31)) and calendar_confirmed(date(2004, 1, 1))


def test_the_whole_2026_calendar_is_followed():
    for day in days_in(date(2025, 12, 31), date(2026, 12, 31)):
        assert is_working_day(day) == chinese_calendar.is_workday(day), day


def test_years_outside_the_calendar_fall_back_to_monday_to_friday():
    assert not calendar_confirmed(date(2027, 1, 1)) and not calendar_confirmed(date(2003, 6, 1))
    assert is_working_day(date(2027, 1, 1))  # a Friday: New Year is not known yet
    assert not is_working_day(date(2027, 1, 2)) and not is_working_day(date(2027, 1, 3))
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 4)
    assert not calendar_confirmed(add_working_days(date(2026, 12, 1), 40))
    week = days_in(date(2027, 3, 7), date(2027, 3, 14))  # Monday 8th .. Sunday 14th
    assert [is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_bad_and_empty_arguments():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 5, 6), -1)
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert working_days_between(date(2026, 5, 8), date(2026, 5, 6)) == 0
    assert working_days_between(date(2026, 5, 6), date(2026, 5, 6)) == 0


@settings(max_examples=300)
@given(dates, counts)
def test_adding_lands_on_the_nth_working_day(start, n):
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    if n > 0:
        assert due > start and is_working_day(due)
        assert working_days_between(start, due - ONE) == n - 1  # and not on a later one


@settings(max_examples=200)
@given(dates, st.integers(min_value=0, max_value=60))
def test_counting_agrees_with_checking_each_day(start, length):
    end = start + ONE * length
    expected = sum(is_working_day(d) for d in days_in(start, end))
    assert working_days_between(start, end) == expected


@settings(max_examples=300)
@given(dates, dates, counts)
def test_monotonic(a, b, n):
    a, b = min(a, b), max(a, b)
    assert add_working_days(a, n) <= add_working_days(b, n)
    assert add_working_days(a, n) < add_working_days(a, n + 1)
    assert working_days_between(a, b) <= working_days_between(a, b + ONE * 7)
    assert working_days_between(a, b) >= working_days_between(a + ONE, b)


@settings(max_examples=300)
@given(dates, dates, dates, dates)
def test_a_pause_removes_exactly_its_working_days(start, end, p, r):
    p, r = min(p, r), max(p, r)
    in_pause = working_days_between(max(start, p), min(end, r))
    without = working_days_between_except(start, end, [(p, r)])
    assert without + in_pause == working_days_between(start, end)


@settings(max_examples=200)
@given(dates, st.integers(min_value=0, max_value=90), pauses)
def test_overlapping_pauses_count_once(start, length, offsets):
    end = start + ONE * length
    paused = [(start + ONE * o, start + ONE * (o + n)) for o, n in offsets]
    stopped = {d for p, r in paused for d in days_in(p, r)}
    expected = sum(is_working_day(d) for d in days_in(start, end) if d not in stopped)
    assert working_days_between_except(start, end, paused) == expected
    assert working_days_between_except(start, end, paused + paused) == expected


def test_nested_and_repeated_pauses():
    start, end = date(2026, 6, 1), date(2026, 6, 30)  # (Monday 1st, Tuesday 30th]
    assert working_days_between(start, end) == 20  # 21 weekdays less Dragon Boat Festival
    outer, inner = (date(2026, 6, 5), date(2026, 6, 19)), (date(2026, 6, 8), date(2026, 6, 10))
    # (Fri 5th, Fri 19th] holds 9 working days: Dragon Boat Festival is Friday 19th.
    assert not is_working_day(date(2026, 6, 19))
    assert working_days_between_except(start, end, [outer]) == 20 - 9
    assert working_days_between_except(start, end, [outer, inner, outer]) == 20 - 9
    assert working_days_between_except(start, end, [inner]) == 20 - 2  # Tue 9th, Wed 10th
    assert working_days_between_except(start, end, [(date(2026, 6, 10), date(2026, 6, 5))]) == 20


@settings(max_examples=300)
@given(dates, dates, dates)
def test_a_pause_moves_the_due_date_later_by_its_working_days(due, p, r):
    p, r = min(p, r), max(p, r)
    shifted = shift_for_pause(due, p, r)
    assert shifted >= due
    assert working_days_between(due, shifted) == working_days_between(p, r)
    assert shift_for_pause(due, r, p) == due  # resuming before pausing is no pause
