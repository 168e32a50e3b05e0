"""Phase milestones planned against actual: tepat waktu, or terlambat N hari kerja.

The one computation of a phase's lateness, shared by the reports and ``status``. A phase's
due date is the latest due date of its steps on the path taken, as the tracker has them (the
schedule's where the tracker has none); it is reached when every one of those steps is done
or skipped, at the last of their closes (ongoing steps, "selama sistem informasi digunakan",
never close and are left out). Lateness is counted in hari kerja with
:func:`sop_sync.rules.progress.late_days`, the rule that marks steps overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sop_sync.model.tracker import ObservedRequest
from sop_sync.reports.timing import closing_times
from sop_sync.reports.worktime import WIB, terlambat
from sop_sync.rules.progress import RequestProgress, StepProgress, StepState, late_days
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.schedule.timeline import DEFAULT_TENTATIVE, Schedule, schedule
from sop_sync.sop.durations import Duration
from sop_sync.sop.model import Phase

FINISHED = (StepState.DONE, StepState.SKIPPED)


@dataclass(frozen=True)
class PhaseMilestone:
    """One phase of one request: planned window, actual end, lateness."""

    phase: Phase
    steps: tuple[int, ...]
    """Its steps on the path taken."""
    planned_start: dt.datetime | None
    due: dt.date | None
    done: bool
    finished: dt.datetime | None
    """When its last step closed (None while open, or when the history does not say)."""
    late_days: int
    """Hari kerja late: finished after its due date, or still open past it."""

    @property
    def late(self) -> bool:
        """Finished late, or open past its due date."""
        return self.late_days > 0

    def verdict(self) -> str:
        """``tepat waktu``, ``terlambat 2 hari kerja``, ``belum selesai``, ``selesai``."""
        if self.done:
            return "selesai" if self.finished is None else terlambat(self.late_days)
        if self.late:
            return f"{terlambat(self.late_days)} (belum selesai)"
        return "belum selesai"


def planned_due(step: StepProgress, schedule: Schedule) -> dt.date | None:
    """A step's due date: the tracker's, else the schedule's (None for an ongoing step)."""
    if step.due is not None:
        return step.due
    plan = schedule.plan_for(step.number)
    return plan.due.date() if plan is not None and plan.due is not None else None


def phase_milestones(
    progress: RequestProgress,
    schedule: Schedule,
    closed_at: Mapping[int, dt.datetime | None],
    calendar: WorkCalendar,
    today: dt.date,
) -> tuple[PhaseMilestone, ...]:
    """Every phase with a step on the path taken, in the SOP's order.

    ``closed_at`` is when each closed step last closed (:func:`.timing.closing_times`);
    ``today`` is the reference day (``--per`` of a report, today for ``status``).
    """
    sop = progress.sop
    by_number = {step.number: step for step in progress.steps}
    found = []
    for phase in sop.phases:
        steps = [
            by_number[n]
            for n in range(phase.first, phase.last + 1)
            if n in by_number
            and by_number[n].state is not StepState.SKIPPED
            and not sop.step(n).time.ongoing  # "selama sistem digunakan" never closes
        ]
        if not steps:
            continue
        dues = [d for d in (planned_due(step, schedule) for step in steps) if d is not None]
        due = max(dues) if dues else None
        window = next((w for w in schedule.phases if w.phase.id == phase.id), None)
        done = all(step.state in FINISHED for step in steps)
        closes = [closed_at.get(step.number) for step in steps]
        finished = max(c for c in closes if c is not None) if done and None not in closes else None
        if due is None or (done and finished is None):
            late = 0
        else:
            late = late_days(calendar, due, finished.date() if finished else today)
        found.append(
            PhaseMilestone(
                phase=phase,
                steps=tuple(step.number for step in steps),
                planned_start=window.start if window else None,
                due=due,
                done=done,
                finished=finished,
                late_days=late,
            )
        )
    return tuple(found)


def request_phases(
    progress: RequestProgress,
    observed: ObservedRequest,
    answers: Mapping[int, bool],
    calendar: WorkCalendar,
    today: dt.date,
    *,
    tentative: Duration = DEFAULT_TENTATIVE,
    offset: dt.timedelta = WIB,
) -> tuple[PhaseMilestone, ...]:
    """The phases of one request as ``status`` shows them (the report's computation).

    ``answers`` are the decisions taken (``Evaluation.answers``); without the history
    (``observe(history=False)``) a finished phase says ``selesai`` with no verdict.
    """
    answered = {**dict(progress.request.answers), **answers}
    plan = schedule(progress.sop, progress.request.start, calendar, answered, tentative)
    return phase_milestones(progress, plan, closing_times(observed, offset), calendar, today)
