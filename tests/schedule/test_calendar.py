"""Tests for the Indonesian working-day calendar, on real 2026 holidays."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_sync.schedule.calendar import AGENCY_CLOSURE, WorkCalendar

CAL = WorkCalendar()
WIB = timezone(timedelta(hours=7), "WIB")

# The holiday table of a year is computed on first use; keep that out of the deadline.
PROPERTY = settings(deadline=None, max_examples=200)
CALENDARS = st.sampled_from(
    [
        CAL,
        WorkCalendar(minutes_per_day=480, day_start=time(8, 0)),
        WorkCalendar(minutes_per_day=7, day_start=time(23, 50), weekend=frozenset({4, 5})),
        WorkCalendar(
            extra_closures=frozenset({date(2026, 12, 7)}),
            extra_open_days=frozenset({date(2026, 12, 5), date(2026, 3, 19)}),
        ),
    ]
)
MOMENTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31))
MINUTES = st.integers(min_value=0, max_value=30 * 450)


# --- examples on the 2026 calendar ------------------------------------------------------


def test_three_working_days_skip_nyepi_and_idul_fitri() -> None:
    """3 hari kerja from Tue 17 March 2026 07:30 are due Thu 26 March 15:00."""
    due = CAL.add_working_days(datetime(2026, 3, 17, 7, 30), 3)
    assert due == datetime(2026, 3, 26, 15, 0)


def test_900_minutes_are_two_full_days() -> None:
    """900 menit from Mon 7 December 2026 07:30 are due Tue 8 December 15:00."""
    due = CAL.add_working_minutes(datetime(2026, 12, 7, 7, 30), 900)
    assert due == datetime(2026, 12, 8, 15, 0)


def test_mid_day_start_carries_over_to_the_next_day() -> None:
    """A day of work from Wednesday 13:00 is due Thursday 13:00."""
    due = CAL.add_working_days(datetime(2026, 12, 2, 13, 0), 1)
    assert due == datetime(2026, 12, 3, 13, 0)


def test_mid_day_start_on_friday_carries_over_the_weekend() -> None:
    """A day of work from Friday 13:00 is due Monday 13:00."""
    due = CAL.add_working_days(datetime(2026, 12, 4, 13, 0), 1)
    assert due == datetime(2026, 12, 7, 13, 0)


def test_saturday_start_begins_on_monday() -> None:
    """An hour of work from Saturday 10:00 is due Monday 08:30."""
    due = CAL.add_working_minutes(datetime(2026, 12, 5, 10, 0), 60)
    assert due == datetime(2026, 12, 7, 8, 30)


def test_holiday_start_begins_after_the_holidays() -> None:
    """An hour of work from Nyepi (Thu 19 March 2026) is due Wed 25 March 08:30."""
    due = CAL.add_working_minutes(datetime(2026, 3, 19, 9, 0), 60)
    assert due == datetime(2026, 3, 25, 8, 30)


def test_after_hours_start_begins_the_next_working_day() -> None:
    """An hour of work from Monday 16:00 is due Tuesday 08:30."""
    due = CAL.add_working_minutes(datetime(2026, 12, 7, 16, 0), 60)
    assert due == datetime(2026, 12, 8, 8, 30)


def test_start_at_closing_time_begins_the_next_working_day() -> None:
    """A moment at 15:00 is normalised to 07:30 of the next working day."""
    assert CAL.start_of_work(datetime(2026, 12, 7, 15, 0)) == datetime(2026, 12, 8, 7, 30)


def test_early_start_waits_for_opening_time() -> None:
    """A moment before 07:30 on a working day is normalised to 07:30 that day."""
    assert CAL.start_of_work(datetime(2026, 12, 7, 6, 0)) == datetime(2026, 12, 7, 7, 30)


def test_moment_inside_working_hours_is_unchanged() -> None:
    """A moment inside working hours is already a start of work."""
    moment = datetime(2026, 12, 7, 11, 17, 5)
    assert CAL.start_of_work(moment) == moment


def test_zero_minutes_give_the_normalised_start() -> None:
    """0 menit from Saturday are due at Monday's opening."""
    assert CAL.add_working_minutes(datetime(2026, 12, 5, 10), 0) == datetime(2026, 12, 7, 7, 30)


def test_christmas_eve_and_christmas_are_closed() -> None:
    """24 December 2026 (cuti bersama Natal) and 25 December (Natal) are closed."""
    assert not CAL.is_working_day(date(2026, 12, 24))
    assert not CAL.is_working_day(date(2026, 12, 25))
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)


def test_work_past_wednesday_23_december_resumes_on_monday_28() -> None:
    """One minute more than a day from Wed 23 December 2026 07:30 is due Mon 28 at 07:31."""
    due = CAL.add_working_minutes(datetime(2026, 12, 23, 7, 30), 451)
    assert due == datetime(2026, 12, 28, 7, 31)


def test_holiday_names_are_indonesian() -> None:
    """holiday_name gives the Indonesian names of holidays and cuti bersama."""
    assert CAL.holiday_name(date(2026, 3, 19)) == "Hari Suci Nyepi"
    assert CAL.holiday_name(date(2026, 3, 18)) == "Cuti Bersama Hari Suci Nyepi"
    assert CAL.holiday_name(date(2026, 12, 25)) == "Hari Raya Natal"


def test_normal_day_has_no_holiday_name() -> None:
    """holiday_name is None on an ordinary working day."""
    assert CAL.holiday_name(date(2026, 12, 7)) is None


def test_datetime_is_accepted_where_a_date_is_expected() -> None:
    """A datetime passed as a day is looked up by its date."""
    assert CAL.holiday_name(datetime(2026, 3, 19, 9, 0)) == "Hari Suci Nyepi"
    assert not CAL.is_working_day(datetime(2026, 3, 19, 9, 0))


def test_extra_closures_are_closed_and_named() -> None:
    """An agency closure is not a working day and is called "Libur instansi"."""
    cal = WorkCalendar(extra_closures=frozenset({date(2026, 12, 7)}))
    assert not cal.is_working_day(date(2026, 12, 7))
    assert cal.holiday_name(date(2026, 12, 7)) == AGENCY_CLOSURE == "Libur instansi"
    assert cal.add_working_minutes(datetime(2026, 12, 4, 15), 60) == datetime(2026, 12, 8, 8, 30)


def test_extra_open_day_opens_a_saturday() -> None:
    """A Saturday make-up day is a working day and work starts on it."""
    cal = WorkCalendar(extra_open_days=frozenset({date(2026, 12, 5)}))
    assert cal.is_working_day(date(2026, 12, 5))
    assert cal.add_working_minutes(datetime(2026, 12, 4, 15), 60) == datetime(2026, 12, 5, 8, 30)


def test_national_holidays_can_be_ignored() -> None:
    """With use_national_holidays=False only weekends and extra closures are closed."""
    cal = WorkCalendar(use_national_holidays=False)
    assert cal.is_working_day(date(2026, 3, 19))
    assert cal.holiday_name(date(2026, 3, 19)) is None


def test_configurable_day_length_and_start() -> None:
    """An 8-hour day from 08:00 closes at 16:00 and a working day ends there."""
    cal = WorkCalendar(minutes_per_day=480, day_start=time(8, 0))
    assert cal.day_end() == time(16, 0)
    assert cal.add_working_days(datetime(2026, 12, 7, 8), 1) == datetime(2026, 12, 7, 16)
    assert cal.add_working_days(datetime(2026, 12, 7, 12), 1) == datetime(2026, 12, 8, 12)


def test_default_day_ends_at_three_pm() -> None:
    """The Perpres 21/2023 day runs 07:30 to 15:00."""
    assert CAL.day_end() == time(15, 0)


def test_time_zone_is_kept() -> None:
    """An aware start gives an aware due moment in the same zone."""
    due = CAL.add_working_days(datetime(2026, 12, 4, 13, 0, tzinfo=WIB), 1)
    assert due == datetime(2026, 12, 7, 13, 0, tzinfo=WIB)
    assert due.tzinfo is WIB


def test_working_days_in_march_2026() -> None:
    """March 2026 has 22 weekdays, 5 of them holidays or cuti bersama: 17 working days."""
    assert CAL.working_days_between(date(2026, 3, 1), date(2026, 3, 31)) == 17


def test_working_days_between_is_inclusive() -> None:
    """A single working day counts as one."""
    assert CAL.working_days_between(date(2026, 12, 7), date(2026, 12, 7)) == 1


def test_working_days_between_reversed_range_is_zero() -> None:
    """A range whose end is before its start holds no working day."""
    assert CAL.working_days_between(date(2026, 3, 31), date(2026, 3, 1)) == 0


def test_holidays_between_lists_march_2026() -> None:
    """holidays_between lists every named closed day, weekend holidays included."""
    assert CAL.holidays_between(date(2026, 3, 1), date(2026, 3, 31)) == [
        (date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi"),
        (date(2026, 3, 19), "Hari Suci Nyepi"),
        (date(2026, 3, 20), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 21), "Hari Raya Idul Fitri"),
        (date(2026, 3, 22), "Hari kedua dari Hari Raya Idul Fitri"),
        (date(2026, 3, 23), "Cuti Bersama Hari Raya Idul Fitri"),
        (date(2026, 3, 24), "Cuti Bersama Hari Raya Idul Fitri"),
    ]


def test_holidays_between_leaves_out_open_days() -> None:
    """A holiday the agency works on is not listed as a holiday."""
    cal = WorkCalendar(extra_open_days=frozenset({date(2026, 12, 24)}))
    assert cal.holidays_between(date(2026, 12, 24), date(2026, 12, 25)) == [
        (date(2026, 12, 25), "Hari Raya Natal"),
    ]


def test_calendar_days_from_opening_end_at_closing_of_last_day() -> None:
    """3 hari kalender from Monday 07:30 are due Wednesday 15:00."""
    due = CAL.add_calendar_days(datetime(2026, 12, 7, 7, 30), 3)
    assert due == datetime(2026, 12, 9, 15, 0)


def test_calendar_days_from_mid_day_keep_the_clock_time() -> None:
    """3 hari kalender from Monday 10:00 are due Thursday 10:00."""
    due = CAL.add_calendar_days(datetime(2026, 12, 7, 10, 0), 3)
    assert due == datetime(2026, 12, 10, 10, 0)


def test_calendar_days_run_through_weekends_and_holidays() -> None:
    """3 hari kalender from Wed 23 December 2026 07:30 are due Fri 25 December (Natal) 15:00."""
    due = CAL.add_calendar_days(datetime(2026, 12, 23, 7, 30), 3)
    assert due == datetime(2026, 12, 25, 15, 0)


def test_calendar_days_start_at_the_next_opening() -> None:
    """1 hari kalender from Saturday are due Monday 15:00."""
    due = CAL.add_calendar_days(datetime(2026, 12, 5, 9, 0), 1)
    assert due == datetime(2026, 12, 7, 15, 0)


def test_zero_calendar_days_give_the_normalised_start() -> None:
    """0 hari kalender from Saturday are due at Monday's opening."""
    assert CAL.add_calendar_days(datetime(2026, 12, 5, 9), 0) == datetime(2026, 12, 7, 7, 30)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_working_minutes(datetime(2026, 12, 7, 8), -1),
        lambda: CAL.add_working_days(datetime(2026, 12, 7, 8), -1),
        lambda: CAL.add_calendar_days(datetime(2026, 12, 7, 8), -1),
    ],
    ids=["minutes", "working-days", "calendar-days"],
)
def test_negative_durations_are_rejected(call: object) -> None:
    """Negative minutes or days raise ValueError."""
    assert callable(call)
    with pytest.raises(ValueError, match="cannot be negative"):
        call()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minutes_per_day": 0}, "must be positive"),
        ({"minutes_per_day": -450}, "must be positive"),
        ({"day_start": time(20, 0), "minutes_per_day": 300}, "runs past midnight"),
        ({"day_start": time(16, 30), "minutes_per_day": 450}, "runs past midnight"),
        ({"day_start": time(7, 30, tzinfo=UTC)}, "without tzinfo"),
        ({"weekend": frozenset(range(7))}, "every day"),
        ({"weekend": frozenset({7})}, "weekdays 0"),
        (
            {
                "extra_closures": frozenset({date(2026, 12, 5)}),
                "extra_open_days": frozenset({date(2026, 12, 5)}),
            },
            "2026-12-05",
        ),
    ],
)
def test_invalid_calendar_is_rejected(kwargs: dict[str, object], message: str) -> None:
    """A calendar that cannot be computed with raises ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        WorkCalendar(**kwargs)  # type: ignore[arg-type]


def test_day_may_end_just_before_midnight() -> None:
    """A day ending at 23:59 is accepted."""
    assert WorkCalendar(day_start=time(16, 29), minutes_per_day=450).day_end() == time(23, 59)


# --- properties ---------------------------------------------------------------------------


@PROPERTY
@given(CALENDARS, MOMENTS, MINUTES)
def test_due_moment_is_within_working_hours_on_a_working_day(
    cal: WorkCalendar, start: datetime, minutes: int
) -> None:
    """The due moment lies on a working day, from opening to closing time inclusive."""
    due = cal.add_working_minutes(start, minutes)
    assert cal.is_working_day(due.date())
    assert cal.day_start <= due.time() <= cal.day_end()
    if minutes > 0:
        assert due.time() > cal.day_start


@PROPERTY
@given(CALENDARS, MOMENTS, MINUTES)
def test_one_more_minute_is_due_strictly_later(
    cal: WorkCalendar, start: datetime, minutes: int
) -> None:
    """Adding working minutes is strictly increasing and never before the start."""
    due = cal.add_working_minutes(start, minutes)
    assert start <= cal.start_of_work(start) <= due < cal.add_working_minutes(start, minutes + 1)


@PROPERTY
@given(CALENDARS, MOMENTS, MINUTES, st.integers(min_value=1, max_value=30 * 450))
def test_adding_a_then_b_minutes_equals_adding_a_plus_b(
    cal: WorkCalendar, start: datetime, a: int, b: int
) -> None:
    """For b > 0, adding a then b working minutes is adding a + b."""
    step = cal.add_working_minutes(start, a)
    assert cal.add_working_minutes(step, b) == cal.add_working_minutes(start, a + b)


@PROPERTY
@given(CALENDARS, MOMENTS, MINUTES)
def test_adding_zero_minutes_only_normalises(
    cal: WorkCalendar, start: datetime, minutes: int
) -> None:
    """Adding 0 to a due moment moves a closing time on to the next opening, nothing else."""
    due = cal.add_working_minutes(start, minutes)
    assert cal.add_working_minutes(due, 0) == cal.start_of_work(due)


@PROPERTY
@given(CALENDARS, MOMENTS)
def test_start_of_work_is_idempotent(cal: WorkCalendar, moment: datetime) -> None:
    """Normalising a normalised moment changes nothing."""
    once = cal.start_of_work(moment)
    assert cal.start_of_work(once) == once


@PROPERTY
@given(
    CALENDARS,
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=1, max_value=30 * 450),
)
def test_working_days_spanned_is_minutes_over_day_length_rounded_up(
    cal: WorkCalendar, day: date, minutes: int
) -> None:
    """From an opening time, the due date is ceil(minutes / minutes_per_day) working days on."""
    start = datetime.combine(cal.next_working_day(day), cal.day_start)
    due = cal.add_working_minutes(start, minutes)
    expected = math.ceil(minutes / cal.minutes_per_day)
    assert cal.working_days_between(start.date(), due.date()) == expected


@PROPERTY
@given(CALENDARS, st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_calendar_days_from_opening_end_at_closing_of_last_day_property(
    cal: WorkCalendar, day: date
) -> None:
    """From an opening time, n calendar days are due at closing time of day n."""
    start = datetime.combine(cal.next_working_day(day), cal.day_start)
    for days in (1, 7, 90):
        due = cal.add_calendar_days(start, days)
        assert due == datetime.combine(start.date() + timedelta(days=days - 1), cal.day_end())
