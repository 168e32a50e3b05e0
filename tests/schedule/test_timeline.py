"""Schedules of the five seed SOPs from 2026-12-01, compared with golden files.

Regenerate the golden files after a deliberate change with ``UPDATE_GOLDEN=1 pytest``, then
read the diff: each line is a step on the path with its planned start and due.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from sop_sync.app.sops import find_sop, sop_ids
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.schedule.timeline import Schedule, schedule
from sop_sync.sop.durations import parse_duration

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
START = dt.date(2026, 12, 1)
SEEDS = ["bali", "bkd-jateng", "egov", "karanganyar", "kemenkes-kepegawaian"]


def render(plan: Schedule) -> str:
    """One line per step on the path, then the phase windows and the total."""
    lines = [f"# {plan.sop.id} from {plan.start:%Y-%m-%d %H:%M}"]
    for row in plan.steps:
        due = f"{row.due:%Y-%m-%d %H:%M}" if row.due else "-"
        phase = row.phase.id if row.phase else "-"
        assumed = " (asumsi)" if row.assumed else ""
        lines.append(
            f"{row.step.number:>2} {row.start:%Y-%m-%d %H:%M} -> {due:<16} "
            f"{phase:<24} {row.step.time.display()}{assumed}"
        )
    for window in plan.phases:
        due = f"{window.due:%Y-%m-%d}" if window.due else "-"
        lines.append(f"fase {window.phase.id}: {window.start:%Y-%m-%d} .. {due}")
    lines.append(f"total {plan.working_days} hari kerja, selesai {plan.end:%Y-%m-%d %H:%M}")
    return "\n".join(lines) + "\n"


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>``; rewrite it when UPDATE_GOLDEN is set."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_all_seeds_are_bundled() -> None:
    """The five seed SOPs ship in mappings/."""
    assert sop_ids(BUNDLED_MAPPINGS) == SEEDS


@pytest.mark.parametrize("sop_id", SEEDS)
def test_seed_schedule_golden(sop_id: str) -> None:
    """Each seed SOP's schedule from 2026-12-01 on the default path matches its golden file."""
    plan = schedule(find_sop(BUNDLED_MAPPINGS, sop_id), START, WorkCalendar())
    check_golden(f"schedule-{sop_id}.txt", render(plan))


def test_bkd_jateng_step_2_tidak_reaches_4_not_3() -> None:
    """Seed 000: answering Tidak at step 2 (pengembangan) goes to step 4 and skips step 3."""
    plan = schedule(find_sop(BUNDLED_MAPPINGS, "bkd-jateng"), START, WorkCalendar(), {2: False})
    numbers = [row.step.number for row in plan.steps]
    assert 4 in numbers
    assert 3 not in numbers
    check_golden("schedule-bkd-jateng-2-tidak.txt", render(plan))


def test_bkd_jateng_step_8_tidak_skips_9() -> None:
    """Seed 000: no external need at step 8 skips the inventory of other parties (step 9)."""
    plan = schedule(find_sop(BUNDLED_MAPPINGS, "bkd-jateng"), START, WorkCalendar(), {8: False})
    numbers = [row.step.number for row in plan.steps]
    assert numbers[numbers.index(8) + 1] == 10
    assert 9 not in numbers
    check_golden("schedule-bkd-jateng-8-tidak.txt", render(plan))


def test_ranges_are_planned_at_their_maximum() -> None:
    """Bali step 2 "1- 2 Jam" takes two working hours."""
    plan = schedule(find_sop(BUNDLED_MAPPINGS, "bali"), START, WorkCalendar())
    row = plan.plan_for(2)
    assert row is not None
    assert row.due is not None
    assert row.due - row.start == dt.timedelta(hours=2)


def test_tentative_default_is_configurable() -> None:
    """A tentative step takes the configured default, and is marked as assumed."""
    sop = find_sop(BUNDLED_MAPPINGS, "bkd-jateng")
    plan = schedule(sop, START, WorkCalendar(), {8: True}, tentative=parse_duration("3 hari"))
    row = plan.plan_for(9)
    assert row is not None
    assert row.assumed
    assert row.start == dt.datetime(2026, 12, 17, 7, 30)  # steps 2 and 7 took 3 days too
    assert row.due == dt.datetime(2026, 12, 21, 15, 0)


def test_ongoing_steps_have_no_due_and_do_not_hold_up_the_next() -> None:
    """Karanganyar steps 13 and 14 run "selama sistem informasi digunakan": no due, same start."""
    plan = schedule(find_sop(BUNDLED_MAPPINGS, "karanganyar"), START, WorkCalendar())
    step13, step14 = plan.plan_for(13), plan.plan_for(14)
    assert step13 is not None
    assert step14 is not None
    assert step13.due is None
    assert step14.due is None
    assert step13.start == step14.start
    assert plan.phases[-1].due is None


def test_start_on_a_holiday_moves_to_the_next_working_day() -> None:
    """Starting on Natal (25 Dec 2026, a Friday) starts work on Monday 28 Dec 07:30."""
    plan = schedule(find_sop(BUNDLED_MAPPINGS, "bali"), dt.date(2026, 12, 25), WorkCalendar())
    assert plan.start == dt.datetime(2026, 12, 28, 7, 30)
