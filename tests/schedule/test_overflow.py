"""Dates and durations that would overflow the calendar: one clear error, never OverflowError.

Python's dates end on 9999-12-31; sop-sync plans up to :data:`LAST_DAY` (a year earlier) so
no step of the arithmetic can reach the end of ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest

from sop_sync.errors import InputError
from sop_sync.schedule.calendar import LAST_DAY, BeyondCalendarError, WorkCalendar
from sop_sync.schedule.timeline import procedure_deadline, schedule
from sop_sync.sop.durations import Duration, Unit, parse_duration
from sop_sync.sop.model import Sop
from tests.builders import seed

CAL = WorkCalendar()
KARANGANYAR = seed("karanganyar")
NO_HOLIDAYS = WorkCalendar(use_national_holidays=False)


def _last_working_day() -> dt.date:
    day = LAST_DAY
    while not CAL.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def test_the_last_day_is_a_year_before_the_end_of_dates() -> None:
    """9998-12-31: a year of room for every ``+ 1 day`` the calendar takes."""
    assert dt.date(9998, 12, 31) == LAST_DAY


CALLS: list[tuple[str, Callable[[], object]]] = [
    ("minutes past the end", lambda: CAL.add_working_minutes(dt.datetime(9998, 12, 31, 14), 120)),
    ("days past the end", lambda: CAL.add_working_days(dt.datetime(9998, 12, 1, 7, 30), 100)),
    ("10^20 minutes", lambda: CAL.add_working_minutes(dt.datetime(2026, 12, 1, 7, 30), 10**20)),
    ("10^20 working days", lambda: CAL.add_working_days(dt.datetime(2026, 12, 1), 10**20)),
    ("a calendar day too many", lambda: CAL.add_calendar_days(dt.datetime(9998, 12, 31, 10), 1)),
    ("10^20 calendar days", lambda: CAL.add_calendar_days(dt.datetime(2026, 12, 1), 10**20)),
    ("start in 9999", lambda: CAL.start_of_work(dt.datetime(9999, 12, 31, 16))),
    ("next working day in 9999", lambda: CAL.next_working_day(dt.date(9999, 12, 31))),
    ("next working day of date.max", lambda: CAL.next_working_day(dt.date.max)),
]


@pytest.mark.parametrize("call", [c for _, c in CALLS], ids=[name for name, _ in CALLS])
def test_the_calendar_refuses_to_pass_the_last_day(call: Callable[[], object]) -> None:
    """Each way past the last day is a BeyondCalendarError (an InputError), quickly."""
    began = time.perf_counter()
    with pytest.raises(BeyondCalendarError, match="9998-12-31, the last day sop-sync plans"):
        call()
    assert time.perf_counter() - began < 1


def test_up_to_the_last_day_still_computes() -> None:
    """A working day ending on the last working day, and a calendar day ending on the last day."""
    last = _last_working_day()
    opening = dt.datetime.combine(last, dt.time(7, 30))
    assert CAL.add_working_minutes(opening, 450) == dt.datetime.combine(last, dt.time(15))
    assert CAL.add_calendar_days(dt.datetime(9998, 12, 30, 10), 1) == dt.datetime(9998, 12, 31, 10)
    assert issubclass(BeyondCalendarError, InputError)


def test_a_schedule_starting_after_the_last_day_names_the_start() -> None:
    """`--mulai 9999-12-31`: the start date is named, not an OverflowError."""
    with pytest.raises(InputError) as caught:
        schedule(KARANGANYAR, dt.date(9999, 12, 31), CAL)
    assert caught.value.message == (
        "the start date 9999-12-31 is after 9998-12-31, the last day sop-sync plans"
    )


def test_a_schedule_passing_the_last_day_names_the_step() -> None:
    """A start late in 9998: the first step that would fall due after the last day is named."""
    with pytest.raises(InputError) as caught:
        schedule(KARANGANYAR, dt.date(9998, 12, 1), CAL)
    message = caught.value.message
    assert message.startswith("step ")
    assert message.endswith(
        " would fall due after 9998-12-31, the last day sop-sync plans (start 9998-12-01)"
    )


def test_a_deadline_passing_the_last_day_says_so() -> None:
    """`batas_waktu` from a late start: refused in words, not an OverflowError."""
    sop = KARANGANYAR.model_copy(update={"deadline": parse_duration("10400 hari kerja")})
    with pytest.raises(InputError) as caught:
        procedure_deadline(sop, dt.date(9990, 1, 1), CAL)
    assert caught.value.message == (
        "the batas_waktu '10400 hari kerja' from 9990-01-01 would fall after 9998-12-31, "
        "the last day sop-sync plans"
    )


def test_a_tentative_default_of_10_to_the_20_is_refused() -> None:
    """A default for tentative steps too long for any calendar: the same one line."""
    huge = Duration("x", 10**20, 10**20, Unit.HARI_KERJA)
    with pytest.raises(InputError, match="would fall due after 9998-12-31"):
        schedule(seed("bkd-jateng"), dt.date(2026, 12, 1), CAL, tentative=huge)


def _long_sop(steps: int) -> Sop:
    """KARANGANYAR with every step 40 years long (the longest a step may be)."""
    longest = parse_duration("10400 hari kerja")
    return KARANGANYAR.model_copy(
        update={
            "steps": tuple(
                s.model_copy(update={"time": longest}) for s in KARANGANYAR.steps[:steps]
            )
        }
    )


def test_a_schedule_of_centuries_is_computed_in_bounded_time() -> None:
    """Every step as long as a step may be (40 years): five centuries, computed day by day."""
    sop = _long_sop(len(KARANGANYAR.steps))
    began = time.perf_counter()
    plan = schedule(sop, dt.date(2026, 12, 1), NO_HOLIDAYS)
    took = time.perf_counter() - began
    assert plan.end.year > 2026 + 40 * 10
    assert took < 10, f"{took:.1f} s"
