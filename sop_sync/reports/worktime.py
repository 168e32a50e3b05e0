"""Working time between two moments on the working-day calendar, and how reports write it.

Moments are the agency's wall-clock time, as the calendar reads them: a tracker that reports
aware UTC times (GitLab) is converted with :func:`to_local` first (Indonesia has no daylight
saving time, so a fixed offset is exact: WIB +7, WITA +8, WIT +9).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.sop.durations import Duration, Unit

WIB = dt.timedelta(hours=7)
"""Waktu Indonesia Barat, the default wall clock of an agency."""
_ONE_DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class _KeptCalendar(WorkCalendar):
    """The same calendar, each day's answer kept: a report asks about the same days often."""

    _open: dict[dt.date, bool] = dataclasses.field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def is_working_day(self, day: dt.date) -> bool:
        """Tell whether the office is open on ``day`` (asked once per day and calendar)."""
        day = day.date() if isinstance(day, dt.datetime) else day
        found = self._open.get(day)
        if found is None:
            found = self._open[day] = super().is_working_day(day)
        return found


def kept(calendar: WorkCalendar) -> WorkCalendar:
    """``calendar`` answering each day from memory after the first time (same results)."""
    if isinstance(calendar, _KeptCalendar):
        return calendar
    values = {f.name: getattr(calendar, f.name) for f in dataclasses.fields(WorkCalendar)}
    return _KeptCalendar(**values)


def to_local(moment: dt.datetime, offset: dt.timedelta = WIB) -> dt.datetime:
    """``moment`` as naive wall-clock time: aware times are moved to ``offset`` first."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone(offset)).replace(tzinfo=None)


def working_minutes(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> int:
    """Minutes of working time from ``start`` to ``end`` (0 when ``end`` is not later).

    Only the opening hours of working days count: a step closed on Monday 09:00 that could
    start on Wednesday 14:00, with Thursday and Friday holidays, took 60 + 90 minutes.
    """
    if end <= start:
        return 0
    opening, closing = calendar.day_start, calendar.day_end()
    seconds = 0.0
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            low = max(start, dt.datetime.combine(day, opening))
            high = min(end, dt.datetime.combine(day, closing))
            if high > low:
                seconds += (high - low).total_seconds()
        day += _ONE_DAY
    return int(seconds // 60)


def standard_minutes(duration: Duration, minutes_per_day: int) -> int | None:
    """The Mutu Baku time in minutes (a range at its maximum), None when it sets none.

    Working units give working minutes; ``hari kalender`` gives wall-clock minutes (a report
    compares it with the elapsed time, weekends and holidays included).
    """
    if duration.unit is None or duration.maximum is None:
        return None
    per_unit = {
        Unit.MENIT: 1,
        Unit.JAM: 60,
        Unit.HARI_KERJA: minutes_per_day,
        Unit.HARI_KALENDER: 24 * 60,
    }
    return duration.maximum * per_unit[duration.unit]


def tanggal(value: dt.date | None) -> str:
    """``DD-MM-YYYY``, or a dash."""
    return "—" if value is None else f"{value:%d-%m-%Y}"


def tanggal_jam(value: dt.datetime | None) -> str:
    """``DD-MM-YYYY HH.MM``, or a dash."""
    return "—" if value is None else f"{value:%d-%m-%Y %H.%M}"


def durasi(minutes: int | None, minutes_per_day: int, *, calendar_days: bool = False) -> str:
    """Working time as people say it: ``45 menit``, ``3 jam 20 menit``, ``2,7 hari kerja``.

    From one working day up, in hari kerja with one decimal (the Indonesian comma);
    ``calendar_days`` writes wall-clock time in ``hari kalender`` (24 hours a day).
    """
    if minutes is None:
        return "—"
    per_day = 24 * 60 if calendar_days else minutes_per_day
    if minutes >= per_day:
        days = f"{minutes / per_day:.1f}".replace(".", ",").removesuffix(",0")
        return f"{days} hari {'kalender' if calendar_days else 'kerja'}"
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} jam"] if hours else []) + ([f"{rest} menit"] if rest or not hours else [])
    return " ".join(parts)


def terlambat(days: int) -> str:
    """``tepat waktu`` or ``terlambat N hari kerja``."""
    return "tepat waktu" if days <= 0 else f"terlambat {days} hari kerja"
