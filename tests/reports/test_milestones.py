"""Phase milestones as ``status`` would compute them: the same function the report uses."""

from __future__ import annotations

import datetime as dt

from sop_sync.reports.milestones import phase_milestones, request_phases
from sop_sync.reports.timing import closing_times
from sop_sync.rules.evaluate import evaluate
from sop_sync.rules.progress import request_progress
from sop_sync.schedule.timeline import schedule
from tests.reports.scenario import CALENDAR, SOP, kepegawaian


def test_status_without_history_still_marks_late_phases() -> None:
    """Steps closed with no history (GitLab without ``history``): done, but not when.

    Permohonan is ``selesai`` with no verdict; Analisis, due Kamis 17-12 and open on Selasa
    29-12, is 6 hari kerja late (18, 21, 22, 23, 28, 29) whatever the history says.
    """
    request, built = kepegawaian()
    state = built.closed(1, 2).build()  # what a history-less read gives
    state = type(state)(**{**state.__dict__, "steps": {
        n: type(i)(**{**i.__dict__, "events": ()}) for n, i in state.steps.items()
    }})  # fmt: skip
    today = dt.date(2026, 12, 29)
    progress = request_progress(
        SOP, request, state, evaluate(SOP, request, state), today, calendar=CALENDAR
    )
    plan = schedule(SOP, request.start, CALENDAR, {2: True})
    phases = phase_milestones(progress, plan, closing_times(state), CALENDAR, today)
    assert request_phases(progress, state, {2: True}, CALENDAR, today) == phases
    assert [(p.phase.id, p.verdict()) for p in phases] == [
        ("permohonan", "selesai"),
        ("analisis", "terlambat 6 hari kerja (belum selesai)"),
        ("penetapan", "terlambat 6 hari kerja (belum selesai)"),
    ]
    assert [(s.number, s.late_days, s.overdue) for s in progress.steps if s.overdue] == [
        (3, 8, True), (4, 6, True), (5, 6, True), (6, 6, True),
    ]  # fmt: skip


def test_due_friday_is_not_overdue_on_saturday_with_a_calendar() -> None:
    """With the calendar, ``status`` judges as the report: a weekend day is not a late day.

    Without it (the old rule) a step due Friday is overdue on Saturday.
    """
    request, built = kepegawaian()
    state = built.step(3, due=dt.date(2026, 12, 18)).build()
    saturday = dt.date(2026, 12, 19)
    evaluation = evaluate(SOP, request, state)
    judged = request_progress(SOP, request, state, evaluation, saturday, calendar=CALENDAR)
    plain = request_progress(SOP, request, state, evaluation, saturday)
    assert (judged.steps[2].overdue, judged.steps[2].late_days) == (False, 0)
    assert plain.steps[2].overdue
