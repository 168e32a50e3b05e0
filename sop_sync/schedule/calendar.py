"""The Indonesian working-day calendar: hari kerja, jam kerja, libur nasional, cuti bersama.

Working time is one block of ``minutes_per_day`` from ``day_start`` on every working day
(Perpres 21/2023: 37.5 hours over Monday to Friday, 450 minutes a day). Breaks are not
modelled, so "3 hari kerja" is exactly ``3 * minutes_per_day`` minutes of working time.

End-of-day convention, used everywhere: a period that ends exactly when a day closes is due at
that day's ``day_end`` (15:00), not at the next working day's ``day_start``. A moment at
``day_end`` is therefore a valid *due* moment but not one at which work can start;
:meth:`WorkCalendar.start_of_work` moves it to the next opening.

Datetimes are wall-clock times of the agency; naive or aware, results keep the ``tzinfo`` of
the input (Indonesia has no daylight saving time, so wall-clock arithmetic is exact).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from sop_sync.errors import InputError

LAST_DAY = date(9998, 12, 31)
"""The last day sop-sync plans: a year before ``date.max``, so that no ``+ 1 day`` the
calendar takes on the way (the next working day, the next opening) can overflow."""

LAST_WORDS = "the last day sop-sync plans"

AGENCY_CLOSURE = "Libur instansi"
"""The name :meth:`WorkCalendar.holiday_name` gives a day in ``extra_closures``."""

_ONE_DAY = timedelta(days=1)
_WEEKDAYS = frozenset(range(7))


@functools.lru_cache(maxsize=32)
def _national_holidays(year: int) -> Mapping[date, str]:
    """Public holidays and cuti bersama of ``year``, with their Indonesian names."""
    import holidays  # loaded on first use: commands that schedule nothing start faster

    table = holidays.country_holidays(
        "ID", years=year, categories=("public", "government"), language="id"
    )
    # Read-only: the table is shared by every calendar through the cache.
    return MappingProxyType(dict(table))


class BeyondCalendarError(InputError):
    """A date or a period that would end after :data:`LAST_DAY`."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or f"the dates would run past {LAST_DAY}, {LAST_WORDS}")


def _check(day: date) -> date:
    """``day``, or :class:`BeyondCalendarError` when it is after :data:`LAST_DAY`."""
    if day > LAST_DAY:
        raise BeyondCalendarError()
    return day


def _as_date(day: date) -> date:
    # A datetime is a date, but never equal to one: set and dict lookups would silently miss.
    return day.date() if isinstance(day, datetime) else day


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours of one agency.

    A day is a working day unless it is a weekend day, a national holiday or cuti bersama
    (when ``use_national_holidays``), or in ``extra_closures``; a day in ``extra_open_days``
    is a working day whatever else it is.
    """

    minutes_per_day: int = 450  # 7.5 hours, Perpres 21/2023
    day_start: time = time(7, 30)
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
    extra_closures: frozenset[date] = frozenset()  # agency-specific closed days
    extra_open_days: frozenset[date] = frozenset()  # e.g. a Saturday make-up day
    use_national_holidays: bool = True

    def __post_init__(self) -> None:
        """Reject a calendar that cannot be computed with."""
        if self.minutes_per_day <= 0:
            raise ValueError(f"minutes_per_day must be positive, got {self.minutes_per_day}")
        if self.day_start.tzinfo is not None:
            raise ValueError("day_start must be a wall-clock time without tzinfo")
        offset = datetime.combine(date.min, self.day_start) - datetime.min
        if offset + timedelta(minutes=self.minutes_per_day) >= _ONE_DAY:
            raise ValueError(
                f"a working day of {self.minutes_per_day} minutes from "
                f"{self.day_start:%H:%M} runs past midnight"
            )
        if not self.weekend <= _WEEKDAYS:
            raise ValueError(f"weekend holds weekdays 0 (Monday) to 6 (Sunday), got {self.weekend}")
        if self.weekend == _WEEKDAYS:
            raise ValueError("weekend cannot cover every day of the week")
        both = self.extra_closures & self.extra_open_days
        if both:
            listed = ", ".join(sorted(day.isoformat() for day in both))
            raise ValueError(f"days both in extra_closures and extra_open_days: {listed}")

    def day_end(self) -> time:
        """Return when a working day closes: ``day_start`` plus ``minutes_per_day``."""
        start = datetime.combine(date.min, self.day_start)
        return (start + timedelta(minutes=self.minutes_per_day)).time()

    def holiday_name(self, day: date) -> str | None:
        """Return the Indonesian name of the holiday on ``day``, "Libur instansi", or None.

        A national holiday keeps its name even on a day in ``extra_open_days``.
        """
        day = _as_date(day)
        if self.use_national_holidays:
            name = _national_holidays(day.year).get(day)
            if name is not None:
                return name
        if day in self.extra_closures:
            return AGENCY_CLOSURE
        return None

    def is_working_day(self, day: date) -> bool:
        """Tell whether the office is open on ``day``."""
        day = _as_date(day)
        if day in self.extra_open_days:
            return True
        if day.weekday() in self.weekend:
            return False
        return self.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """Return the first working day on or after ``day``."""
        day = _check(_as_date(day))
        while not self.is_working_day(day):
            day = _check(day + _ONE_DAY)
        return day

    def start_of_work(self, moment: datetime) -> datetime:
        """Return the first moment at or after ``moment`` at which work can happen.

        Inside working hours: unchanged. Before ``day_start`` on a working day: ``day_start``
        that day. At or after ``day_end``, or on a closed day: the next working day's opening.
        """
        day = _check(moment.date())
        if self.is_working_day(day):
            clock = moment.time()
            if clock < self.day_start:
                return self._at(day, self.day_start, moment)
            if clock < self.day_end():
                return moment
        return self._at(self.next_working_day(day + _ONE_DAY), self.day_start, moment)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """Return the due moment after ``minutes`` of working time from ``start``.

        ``start`` is normalised with :meth:`start_of_work` first, so 0 minutes gives the
        normalised start. Work that ends exactly at a day's close is due at ``day_end``.
        """
        if minutes < 0:
            raise ValueError(f"minutes cannot be negative, got {minutes}")
        moment = self.start_of_work(start)
        if minutes > ((LAST_DAY - moment.date()).days + 1) * self.minutes_per_day:
            raise BeyondCalendarError()  # more than every remaining day could hold
        remaining = timedelta(minutes=minutes)
        closing = self.day_end()
        while True:
            left_today = self._at(moment.date(), closing, moment) - moment
            if remaining <= left_today:
                return moment + remaining
            remaining -= left_today
            tomorrow = self.next_working_day(_check(moment.date() + _ONE_DAY))
            moment = self._at(tomorrow, self.day_start, moment)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the due moment after ``days`` hari kerja (``days * minutes_per_day`` minutes)."""
        if days < 0:
            raise ValueError(f"days cannot be negative, got {days}")
        return self.add_working_minutes(start, days * self.minutes_per_day)

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """Return the due moment after ``days`` hari kalender from ``start``.

        ``start`` is normalised with :meth:`start_of_work`; the period then runs ``days * 24``
        hours of wall-clock time, through weekends and holidays, and is not moved off a closed
        day (a calendar-day deadline falls where it falls). By the end-of-day convention a
        period that starts at ``day_start`` ends at ``day_end`` of its last day: from Monday
        07:30, 3 calendar days are due Wednesday 15:00; from Monday 10:00, Thursday 10:00.
        """
        if days < 0:
            raise ValueError(f"days cannot be negative, got {days}")
        moment = self.start_of_work(start)
        if days == 0:
            return moment
        from_opening = moment.time() == self.day_start
        if days - from_opening > (LAST_DAY - moment.date()).days:
            raise BeyondCalendarError()
        if from_opening:
            last_day = moment.date() + timedelta(days=days - 1)
            return self._at(last_day, self.day_end(), moment)
        return moment + timedelta(days=days)

    def working_days_between(self, first: date, last: date) -> int:
        """Count the working days from ``first`` to ``last``, both included."""
        return sum(1 for day in _days(_as_date(first), _as_date(last)) if self.is_working_day(day))

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """List the named closed days from ``first`` to ``last``, both included, in date order.

        Holidays on a weekend are listed; days in ``extra_open_days`` are not.
        """
        named = (
            (day, self.holiday_name(day))
            for day in _days(_as_date(first), _as_date(last))
            if day not in self.extra_open_days
        )
        return [(day, name) for day, name in named if name is not None]

    @staticmethod
    def _at(day: date, clock: time, like: datetime) -> datetime:
        return datetime.combine(day, clock, tzinfo=like.tzinfo)
