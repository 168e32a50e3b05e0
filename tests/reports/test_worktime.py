"""Working time on the calendar, lateness in hari kerja, and how reports write them."""

from __future__ import annotations

import datetime as dt

import pytest

from sop_sync.reports.worktime import (
    durasi,
    standard_minutes,
    tanggal,
    terlambat,
    to_local,
    working_minutes,
)
from sop_sync.rules.progress import late_days
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.sop.durations import parse_duration

CALENDAR = WorkCalendar()
PLAIN = WorkCalendar(use_national_holidays=False)


def test_working_minutes_within_one_day() -> None:
    """Monday 08.00 to 10.30: 150 minutes."""
    assert (
        working_minutes(PLAIN, dt.datetime(2026, 12, 7, 8), dt.datetime(2026, 12, 7, 10, 30)) == 150
    )


def test_working_minutes_skip_nights_weekends_and_holidays() -> None:
    """Wednesday 23-12 14.00 to Monday 28-12 09.00: 60 + 90 (Natal and the weekend skipped)."""
    start, end = dt.datetime(2026, 12, 23, 14), dt.datetime(2026, 12, 28, 9)
    assert working_minutes(CALENDAR, start, end) == 150
    assert working_minutes(PLAIN, start, end) == 60 + 450 + 450 + 90


def test_working_minutes_outside_hours_and_backwards_are_zero() -> None:
    """Saturday work counts nothing; an end before the start counts nothing."""
    saturday = dt.datetime(2026, 12, 12, 9)
    assert working_minutes(PLAIN, saturday, saturday + dt.timedelta(hours=5)) == 0
    assert working_minutes(PLAIN, saturday, saturday - dt.timedelta(hours=5)) == 0


def test_aware_times_become_the_agency_wall_clock() -> None:
    """GitLab's 01.30 UTC is 08.30 WIB (UTC+7) and 09.30 WITA (UTC+8)."""
    utc = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)
    assert to_local(utc) == dt.datetime(2026, 12, 7, 8, 30)
    assert to_local(utc, dt.timedelta(hours=8)) == dt.datetime(2026, 12, 7, 9, 30)
    assert to_local(dt.datetime(2026, 12, 7, 8, 30)) == dt.datetime(2026, 12, 7, 8, 30)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("2 jam", 120), ("1- 2 Jam", 120), ("90 mnt", 90), ("3 hari kerja", 1350),
     ("7 hari kalender", 7 * 1440), ("Tentatif", None),
     ("Selama sistem informasi digunakan", None)],
)  # fmt: skip
def test_standard_minutes(text: str, minutes: int | None) -> None:
    """A range counts at its maximum; tentative and ongoing set no standard."""
    assert standard_minutes(parse_duration(text), 450) == minutes


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0 menit"), (45, "45 menit"), (60, "1 jam"), (200, "3 jam 20 menit"),
     (450, "1 hari kerja"), (1200, "2,7 hari kerja"), (None, "—")],
)  # fmt: skip
def test_durasi(minutes: int | None, text: str) -> None:
    """Minutes and hours below a working day, hari kerja with a decimal comma from one day."""
    assert durasi(minutes, 450) == text


def test_dates_and_lateness_words() -> None:
    """DD-MM-YYYY; tepat waktu or terlambat N hari kerja."""
    assert tanggal(dt.date(2026, 1, 5)) == "05-01-2026"
    assert (terlambat(0), terlambat(3)) == ("tepat waktu", "terlambat 3 hari kerja")


def test_late_days_counts_working_days_after_the_due_date() -> None:
    """Due Friday 18-12: Saturday 0; Monday 21 1; Monday 28 4 (21-23 and 28; 24, 25 closed)."""
    friday = dt.date(2026, 12, 18)
    assert late_days(CALENDAR, friday, friday) == 0
    assert late_days(CALENDAR, friday, dt.date(2026, 12, 19)) == 0
    assert late_days(CALENDAR, friday, dt.date(2026, 12, 21)) == 1
    assert late_days(CALENDAR, friday, dt.date(2026, 12, 28)) == 4
