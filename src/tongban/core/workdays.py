"""Deadline arithmetic in Chinese official working days.

The official calendar (holidays and the weekends worked in exchange) comes from
`chinese_calendar`, which covers a fixed range of years (2004-2026 in 1.11.0). Outside
that range a working day is simply Monday to Friday: such dates are provisional, and
`calendar_confirmed` says so. The range is probed, not hard-coded, so a newer release of
`chinese_calendar` extends it without a change here.

Intervals follow the convention of counting deadlines: the start day itself never
counts, the end day does, i.e. a range is the half-open interval (start, end].
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache, lru_cache

import chinese_calendar

__all__ = [
    "add_working_days",
    "calendar_confirmed",
    "is_public_holiday",
    "is_working_day",
    "shift_for_pause",
    "working_days_between",
    "working_days_between_except",
]


@cache
def _year_covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def calendar_confirmed(day: date) -> bool:
    """True when the official calendar covers `day`'s year (else the date is provisional)."""
    return _year_covered(day.year)


def is_working_day(day: date) -> bool:
    """The official calendar when the year is covered, otherwise Monday to Friday."""
    if _year_covered(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_public_holiday(day: date) -> bool:
    """A day off of an official holiday (春节, 国庆节 ...), weekends inside it included.

    Unknown, hence False, outside the years the official calendar covers.
    """
    if not _year_covered(day.year) or chinese_calendar.is_workday(day):
        return False
    _, holiday = chinese_calendar.get_holiday_detail(day)
    return holiday is not None


@lru_cache(maxsize=64)
def _working_days_of(year: int) -> tuple[date, ...]:
    """The working days of `year`, in order."""
    day, end = date(year, 1, 1), date(year, 12, 31)
    days = []
    while True:
        if is_working_day(day):
            days.append(day)
        if day == end:
            return tuple(days)
        day += timedelta(days=1)


def _rank(day: date) -> int:
    """How many working days of `day`'s year fall on or before `day`."""
    return bisect_right(_working_days_of(day.year), day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start not counted; 0 returns start)."""
    if days < 0:
        raise ValueError(f"days must be >= 0, not {days}")
    if days == 0:
        return start
    year, k = start.year, _rank(start) + days
    while k > len(_working_days_of(year)):
        k -= len(_working_days_of(year))
        year += 1
    return _working_days_of(year)[k - 1]


def working_days_between(start: date, end: date) -> int:
    """The number of working days d with start < d <= end (0 when end <= start)."""
    if end <= start:
        return 0
    whole_years = sum(len(_working_days_of(y)) for y in range(start.year, end.year))
    return whole_years + _rank(end) - _rank(start)


def working_days_between_except(start: date, end: date, paused: Iterable[tuple[date, date]]) -> int:
    """Working days in (start, end] outside every pause.

    A pause (P, R) means the clock stopped after day P and restarted on day R: the days
    P+1 .. R, i.e. the interval (P, R], do not count (the applicant owed a supplement).
    Day P still counts, as does R+1. Overlapping or repeated pauses are merged, so no
    day is subtracted twice; pauses with R <= P are empty and ignored.
    """
    total = working_days_between(start, end)
    merged: list[list[date]] = []
    for p, r in sorted(pause for pause in paused if pause[1] > pause[0]):
        if merged and p <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], r)
        else:
            merged.append([p, r])
    for p, r in merged:
        total -= working_days_between(max(p, start), min(r, end))
    return total


def shift_for_pause(due: date, paused_from: date, resumed_on: date) -> date:
    """The due date moved later by the working days in (paused_from, resumed_on]."""
    return add_working_days(due, working_days_between(paused_from, resumed_on))
