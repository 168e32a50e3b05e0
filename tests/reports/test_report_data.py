"""Golden figures of the report data on the fixed scenario (tests/reports/scenario.py).

Every figure is worked out by hand in the test's docstring: working time is counted only
from 07.30 to 15.00 on working days (450 minutes a day); Thursday 24-12-2026 (cuti bersama)
and Friday 25-12-2026 (Natal) are closed, like weekends.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sop_sync.reports.per_request import Loop, RequestReport, RequestState
from sop_sync.reports.report import Report
from sop_sync.rules.progress import StepState
from tests.reports.scenario import at, report


@pytest.fixture(scope="module")
def golden() -> Report:
    """The scenario's report on Selasa 29-12-2026 10.00."""
    return report()


def one(found: Report, key: str) -> RequestReport:
    """The request ``key`` of the report."""
    return next(r for r in found.requests if r.key == key)


def worked(request: RequestReport) -> dict[int, int | None]:
    """Working minutes per step (None off the path)."""
    return {row.number: row.timing.worked if row.timing else None for row in request.steps}


def test_on_time_request_working_time_per_step(golden: Report) -> None:
    """absensi, from Senin 07-12 07.30, Ya at step 2.

    1: 07.30-08.30 = 60. 2: 08.30-09.30 = 60. 3: 09.30-14.30 = 300.
    4: from 14.30 Senin: 30 (to 15.00) + 450 Selasa + 150 Rabu (07.30-10.00) = 630.
    5: Rabu 10.00-11.00 = 60. 6: 11.00-13.00 = 120.
    """
    absensi = one(golden, "absensi")
    assert worked(absensi) == {1: 60, 2: 60, 3: 300, 4: 630, 5: 60, 6: 120}
    assert absensi.state is RequestState.DONE
    assert (absensi.done, absensi.on_path, absensi.skipped) == (6, 6, 0)
    assert absensi.finished == at(9, 13)
    assert absensi.forecast is None


def test_correction_loop_across_the_holidays(golden: Report) -> None:
    """arsip: Tidak at step 2 skips step 3; step 5 sends step 4 back once, over Natal.

    4 could start Senin 21-12 11.00 (steps 1 and 2 closed; 3 is off the path).
    Round 1: 11.00-15.00 = 240 + Selasa 07.30-14.00 = 390 -> 630.
    Reopened Rabu 23-12 08.00: 08.00-15.00 = 420; Kamis 24 and Jumat 25 closed, then the
    weekend; Senin 28-12 07.30-10.00 = 150 -> 570. Step 4: 630 + 570 = 1200 (2,7 hari kerja;
    over 8 calendar days).
    5 waits while 4 is reopened: Selasa 14.00-15.00 = 60, Rabu 07.30-08.00 = 30, then Senin
    10.00-11.00 = 60 -> 150. 6: Senin 11.00-14.00 = 180.
    """
    arsip = one(golden, "arsip")
    assert worked(arsip) == {1: 90, 2: 120, 3: None, 4: 1200, 5: 150, 6: 180}
    step4 = arsip.steps[3].timing
    assert step4 is not None
    assert (step4.ready, step4.closed, step4.closes, step4.reopened) == (
        at(21, 11),
        at(28, 10),
        2,
        1,
    )
    assert arsip.steps[2].state is StepState.SKIPPED
    assert (arsip.done, arsip.on_path, arsip.skipped) == (5, 5, 1)
    assert arsip.loops == (Loop(review=5, target=4, count=1),)


def test_phase_milestones_planned_against_actual(golden: Report) -> None:
    """Phases of arsip: Analisis and Penetapan 1 hari kerja late, across five calendar days.

    The plan (Tidak): step 4 from Senin 10.30, 900 minutes -> Rabu 23-12 10.30; 5 and 6
    due Rabu 23-12 too. Analisis ends Senin 28-12 11.00 and Penetapan 14.00: the working days
    after Rabu 23 up to Senin 28 are only Senin 28 (24 and 25 are holidays), so each is
    terlambat 1 hari kerja although five calendar days passed. Permohonan ends Senin 21 on its
    due day: tepat waktu.
    """
    phases = {p.phase.id: (p.due, p.finished, p.late_days) for p in one(golden, "arsip").phases}
    assert phases == {
        "permohonan": (dt.date(2026, 12, 21), at(21, 11), 0),
        "analisis": (dt.date(2026, 12, 23), at(28, 11), 1),
        "penetapan": (dt.date(2026, 12, 23), at(28, 14), 1),
    }
    verdicts = [p.verdict() for p in one(golden, "arsip").phases]
    assert verdicts == ["tepat waktu", "terlambat 1 hari kerja", "terlambat 1 hari kerja"]
    assert one(golden, "arsip").state is RequestState.DONE_LATE


def test_open_request_overdue_current_and_forecast(golden: Report) -> None:
    """Request kepegawaian on Selasa 29-12 10.00, step 3 open since Senin 14-12 10.00.

    Step 3 due Selasa 15-12: the working days 16, 17, 18, 21, 22, 23, 28, 29 -> 8 late.
    Steps 4-6 due Kamis 17-12: 18, 21, 22, 23, 28, 29 -> 6. Step 3 so far: 300 (Senin 14) +
    4 x 450 (15-18) + 3 x 450 (21-23) + 450 (28) + 150 (29, to 10.00) = 4050.
    Forecast from 29-12 10.00: step 3 (450) -> Rabu 30 10.00; step 4 (900) -> 300 + 450
    (Kamis 31) + 150 on Senin 04-01-2027 (01-01 Tahun Baru) -> 10.00; 5 -> 12.00; 6 -> 14.00.
    Planned end Kamis 17-12; 04-01-2027 is 9 hari kerja later (18, 21, 22, 23, 28, 29, 30,
    31, 4).
    """
    request = one(golden, "kepegawaian")
    assert [(r.number, r.late_days) for r in request.overdue] == [(3, 8), (4, 6), (5, 6), (6, 6)]
    assert [(r.number, r.holders) for r in request.current] == [(3, ("sari",))]
    assert worked(request)[3] == 4050
    assert request.forecast == dt.datetime(2027, 1, 4, 14, 0)
    assert request.end_late_days == 9
    assert request.state is RequestState.LATE
    assert [p.verdict() for p in request.phases] == [
        "tepat waktu",
        "terlambat 6 hari kerja (belum selesai)",
        "terlambat 6 hari kerja (belum selesai)",
    ]


def test_sla_per_step_median_p90_and_share(golden: Report) -> None:
    """Samples are the steps done: absensi, arsip, and steps 1-2 of kepegawaian.

    1 (2 jam = 120): 60, 90, 90 -> median 90, p90 90 (rank ceil(0.9 x 3) = 3), 3/3 within.
    2 (1 jam = 60): 60, 60, 120 -> median 60, p90 120, 2/3. 3 (450): 300 only; it is the
    current step of kepegawaian. 4 (900): 630, 1200 -> median 915, p90 1200, 1/2.
    5 (120): 60, 150 -> 105, 150, 1/2. 6 (120): 120, 180 -> 150, 180, 1/2 (120 is within).
    """
    (sop,) = golden.sla
    figures = [(s.number, s.samples, s.median, s.p90, s.within, s.waiting) for s in sop.steps]
    assert figures == [
        (1, (60, 90, 90), 90, 90, 3, 0),
        (2, (60, 60, 120), 60, 120, 2, 0),
        (3, (300,), 300, 300, 1, 1),
        (4, (630, 1200), 915, 1200, 1, 0),
        (5, (60, 150), 105, 150, 1, 0),
        (6, (120, 180), 150, 180, 1, 0),
    ]
    assert sop.steps[1].share == pytest.approx(2 / 3)


def test_bottleneck_roles(golden: Report) -> None:
    """Analis Sistem is the first bottleneck, then Kasi.

    Beyond the standard: Analis Sistem 1200 - 900 = 300 (step 4 of arsip); Kasi 60 + 30 +
    60 = 150 (steps 2, 5, 6 of arsip). Each holds two overdue steps of kepegawaian (3 and 4;
    5 and 6).
    """
    (sop,) = golden.sla
    assert [(r.role, r.over, r.over_minutes, r.overdue) for r in sop.roles] == [
        ("Analis Sistem", 1, 300, 2),
        ("Kasi", 3, 150, 2),
    ]


def test_portfolio_by_state_sop_and_requester(golden: Report) -> None:
    """One done, one done late, one late; BKD has two requests, Dinas Kesehatan one."""
    found = golden.portfolio
    assert dict(found.by_state) == {
        RequestState.DONE: 1,
        RequestState.DONE_LATE: 1,
        RequestState.RUNNING: 0,
        RequestState.LATE: 1,
    }
    assert [(t.label, t.total, t.done, t.running, t.late) for t in found.by_requester] == [
        ("BKD", 2, 1, 1, 1),
        ("Dinas Kesehatan", 1, 1, 0, 1),
    ]
    assert [(t.label, t.total) for t in found.by_sop] == [("Uji Laporan", 3)]


def test_late_this_week(golden: Report) -> None:
    """Late in the week of Senin 28-12: open overdue steps, and steps closed late that week.

    Kepegawaian's open overdue steps, and arsip's steps 4-6 closed late on Senin 28-12 (due
    Rabu 23-12: 1 hari kerja). Arsip's steps 1-2 closed the week before.
    """
    found = golden.portfolio
    assert found.week == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert [(i.key, i.number, i.late_days, i.closed) for i in found.late_this_week] == [
        ("kepegawaian", 3, 8, None),
        ("kepegawaian", 4, 6, None),
        ("kepegawaian", 5, 6, None),
        ("kepegawaian", 6, 6, None),
        ("arsip", 4, 1, at(28, 10)),
        ("arsip", 5, 1, at(28, 11)),
        ("arsip", 6, 1, at(28, 14)),
    ]
