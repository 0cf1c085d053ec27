"""When a service centre is open: its hours on the official calendar.

A centre has hours for three kinds of day: working days (Monday to Friday, and the
weekends worked in exchange for a public holiday), the other weekend days, and public
holidays (the days off of an official holiday, weekends inside it included); each is a
list of periods, or none when closed. Which kind a day is comes from `core.workdays`.

Times are wall-clock times in Shanghai: an aware datetime is converted first, a naive one
is taken as Shanghai time. A period opens at its first minute and is closed at its last
(8:30–16:30 is open at 8:30 and at 16:29:59, closed at 16:30). Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .workdays import is_public_holiday, is_working_day

__all__ = ["CLOSED", "KINDS", "DayKind", "OpeningHours", "Period", "day_kind", "parse_hours"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOSED = "closed"
# How far next_opening looks ahead: a centre open on public holidays only opens again
# within a year of the official calendar.
HORIZON_DAYS = 400


class DayKind(StrEnum):
    WORKING_DAY = "working_days"
    WEEKEND = "weekends"
    HOLIDAY = "holidays"


KINDS = tuple(kind.value for kind in DayKind)


def day_kind(day: date) -> DayKind:
    if is_working_day(day):
        return DayKind.WORKING_DAY
    return DayKind.HOLIDAY if is_public_holiday(day) else DayKind.WEEKEND


def _clock(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"


@dataclass(frozen=True, order=True)
class Period:
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(f"{self}: closes before it opens")

    def __contains__(self, moment: time) -> bool:
        return self.opens <= moment < self.closes

    def __str__(self) -> str:
        return f"{_clock(self.opens)}–{_clock(self.closes)}"


Hours = tuple[Period, ...]

_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*[-–—~]\s*(\d{1,2}):(\d{2})")
SYNTAX = "write hours as 8:30-16:30 (several periods separated by commas) or closed"


def _time(hour: str, minute: str) -> time:
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"{hour}:{minute} is not a time of day") from None


def _ordered(periods: list[Period]) -> Hours:
    periods = sorted(periods)
    for before, after in zip(periods, periods[1:], strict=False):
        if after.opens < before.closes:
            raise ValueError(f"{before} and {after} overlap")
    return tuple(periods)


def parse_hours(text: str) -> Hours:
    """Hours of one kind of day from "8:30-11:30, 13:30-17:00" or "closed"."""
    if text.strip().lower() == CLOSED:
        return ()
    periods = []
    for part in re.split(r"[,，、]", text):
        found = _PERIOD.fullmatch(part.strip())
        if found is None:
            raise ValueError(SYNTAX)
        periods.append(Period(_time(*found.group(1, 2)), _time(*found.group(3, 4))))
    return _ordered(periods)


def hours_text(hours: Hours) -> str:
    """The form parse_hours reads back."""
    return ", ".join(str(p).replace("–", "-") for p in hours) or CLOSED


# Labels of the kinds of day that share the same hours: English, English when closed,
# Chinese (closed: the label followed by 休息).
_LABELS: dict[frozenset[DayKind], tuple[str, str, str]] = {
    frozenset(DayKind): ("every day", "closed every day", "每天"),
    frozenset({DayKind.WORKING_DAY}): ("Monday to Friday", "closed Monday to Friday", "周一至周五"),
    frozenset({DayKind.WEEKEND}): ("weekends", "closed on weekends", "双休日"),
    frozenset({DayKind.HOLIDAY}): ("public holidays", "closed on public holidays", "法定节假日"),
    frozenset({DayKind.WEEKEND, DayKind.HOLIDAY}): (
        "weekends and public holidays",
        "closed on weekends and public holidays",
        "双休日及法定节假日",
    ),
    frozenset({DayKind.WORKING_DAY, DayKind.WEEKEND}): (
        "Monday to Sunday",
        "closed Monday to Sunday",
        "周一至周日",
    ),
    frozenset({DayKind.WORKING_DAY, DayKind.HOLIDAY}): (
        "Monday to Friday and public holidays",
        "closed Monday to Friday and on public holidays",
        "周一至周五及法定节假日",
    ),
}


@dataclass(frozen=True)
class OpeningHours:
    working_days: Hours = ()
    weekends: Hours = ()
    holidays: Hours = ()

    def __post_init__(self) -> None:
        for kind in DayKind:
            object.__setattr__(self, kind.value, _ordered(list(getattr(self, kind.value))))

    def hours_on(self, day: date) -> Hours:
        """The periods the centre is open on `day` (none when closed)."""
        return getattr(self, day_kind(day).value)

    def is_open(self, moment: datetime) -> bool:
        local = _local(moment)
        return any(local.time() in period for period in self.hours_on(local.date()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """`moment` when open, else when the centre opens next (None: not within a year).

        The answer is aware (in Shanghai time) when `moment` is, naive otherwise.
        """
        local = _local(moment)
        if self.is_open(local):
            return local
        for offset in range(HORIZON_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            for period in self.hours_on(day):
                start = datetime.combine(day, period.opens, tzinfo=local.tzinfo)
                if start > local:
                    return start
        return None

    def description(self) -> dict[str, str]:
        """The hours in words, generated from the data: {"en": ..., "zh": ...}."""
        groups: dict[Hours, set[DayKind]] = {}
        for kind in DayKind:
            groups.setdefault(getattr(self, kind.value), set()).add(kind)
        english, chinese = [], []
        for hours, kinds in groups.items():
            label, closed, label_zh = _LABELS[frozenset(kinds)]
            periods = [str(p) for p in hours]
            english.append(f"{label} {', '.join(periods)}" if hours else closed)
            chinese.append(f"{label_zh} {'，'.join(periods)}" if hours else f"{label_zh}休息")
        text = "; ".join(english)
        return {"en": text[0].upper() + text[1:], "zh": "；".join(chinese)}

    def as_data(self) -> dict[str, list[dict[str, str]]]:
        """Plain data for JSON: {"working_days": [{"opens": "08:30", "closes": "16:30"}], ...}."""
        return {
            kind.value: [
                {"opens": p.opens.isoformat("minutes"), "closes": p.closes.isoformat("minutes")}
                for p in getattr(self, kind.value)
            ]
            for kind in DayKind
        }

    @classmethod
    def from_data(cls, data: dict) -> OpeningHours:
        """The inverse of as_data; ValueError when `data` is not of its shape."""
        _check_kinds(data)
        try:
            return cls(
                **{
                    kind: [
                        Period(time.fromisoformat(p["opens"]), time.fromisoformat(p["closes"]))
                        for p in periods
                    ]
                    for kind, periods in data.items()
                }
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"each period has opens and closes as HH:MM ({error})") from None

    @classmethod
    def parse(cls, texts: dict[str, str]) -> OpeningHours:
        """From the texts of content files: {"working_days": "8:30-16:30", ...}; a kind of
        day not given is closed."""
        return cls(**{kind: parse_hours(text) for kind, text in texts.items()})

    def texts(self) -> dict[str, str]:
        """The inverse of parse."""
        return {kind.value: hours_text(getattr(self, kind.value)) for kind in DayKind}


def _check_kinds(data: object) -> None:
    if not isinstance(data, dict) or not set(data) <= set(KINDS):
        raise ValueError(f"give the hours of {', '.join(KINDS)}")


def _local(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(SHANGHAI)
