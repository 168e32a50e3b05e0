"""One request in a report: progress, current steps and holders, phases, delays, forecast."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest
from sop_sync.reports.milestones import PhaseMilestone, phase_milestones, planned_due
from sop_sync.reports.timing import StepTiming, ancestry, step_timings
from sop_sync.reports.worktime import WIB, standard_minutes
from sop_sync.rules.evaluate import Evaluation
from sop_sync.rules.progress import StepState, late_days, request_progress
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.schedule.timeline import DEFAULT_TENTATIVE, Schedule, as_start, due_after, schedule
from sop_sync.sop.durations import Duration
from sop_sync.sop.flow import reachable
from sop_sync.sop.model import Sop


class RequestState(enum.Enum):
    """Where a request stands, as the portfolio counts it."""

    DONE = "selesai"
    DONE_LATE = "selesai terlambat"
    RUNNING = "berjalan"
    LATE = "terlambat"


@dataclass(frozen=True)
class StepRow:
    """One step of one request: plan, actual, state, who holds it."""

    number: int
    activity: str
    roles: tuple[str, ...]
    state: StepState
    holders: tuple[str, ...]
    planned_start: dt.datetime | None
    planned_end: dt.datetime | None
    due: dt.date | None
    timing: StepTiming | None
    """None for a step off the path taken."""
    standard: int | None
    """The Mutu Baku time in minutes (see :func:`.worktime.standard_minutes`)."""
    late_days: int
    """Hari kerja an open step is past its due date (0: not overdue)."""
    ongoing: bool = False
    closed_late: int = 0
    """Hari kerja a done step closed after its due date (0: on time)."""


@dataclass(frozen=True)
class Loop:
    """Koreksi rounds: review step ``review`` sent the work back to ``target`` ``count`` times."""

    review: int
    target: int
    count: int


@dataclass(frozen=True)
class RequestReport:
    """Everything a report says about one request."""

    key: str
    title: str
    requester: str
    sop: Sop
    start: dt.datetime
    state: RequestState
    done: int
    on_path: int
    skipped: int
    steps: tuple[StepRow, ...]
    current: tuple[StepRow, ...]
    """Open steps whose predecessors are all closed: where the work is now."""
    phases: tuple[PhaseMilestone, ...]
    loops: tuple[Loop, ...]
    planned_end: dt.datetime
    finished: dt.datetime | None
    forecast: dt.datetime | None
    """When the remaining path ends if it starts now (None once finished)."""
    end_late_days: int
    """Hari kerja the finish (or the forecast) lies after the planned end."""

    @property
    def overdue(self) -> tuple[StepRow, ...]:
        """Open steps past their due date."""
        return tuple(step for step in self.steps if step.late_days > 0)

    @property
    def late(self) -> bool:
        """Late now, or finished late."""
        return self.state in (RequestState.LATE, RequestState.DONE_LATE)


class Plans:
    """Schedules and forecasts already computed in one report (requests share start days).

    Keyed by SOP id, start and answers (a schedule) or by SOP id, the remaining steps and the
    moment (a forecast): a report holds one version of each SOP and one calendar.
    """

    def __init__(self, calendar: WorkCalendar, tentative: Duration = DEFAULT_TENTATIVE) -> None:
        self.calendar = calendar
        self.tentative = tentative
        self._plans: dict[tuple[str, dt.date, tuple[tuple[int, bool], ...]], Schedule] = {}
        self._ends: dict[tuple[str, tuple[int, ...], dt.datetime], dt.datetime | None] = {}
        self._before: dict[tuple[str, frozenset[int]], dict[int, frozenset[int]]] = {}

    def ancestry(self, sop: Sop, live: frozenset[int]) -> dict[int, frozenset[int]]:
        """:func:`.timing.ancestry`, once per SOP and path."""
        key = (sop.id, live)
        if key not in self._before:
            self._before[key] = ancestry(sop, live)
        return self._before[key]

    def plan(self, sop: Sop, start: dt.date, answers: dict[int, bool]) -> Schedule:
        """The schedule of a request of ``sop`` starting on ``start``."""
        key = (sop.id, start, tuple(sorted(answers.items())))
        if key not in self._plans:
            self._plans[key] = schedule(sop, start, self.calendar, answers, self.tentative)
        return self._plans[key]

    def forecast(
        self, sop: Sop, plan: Schedule, states: dict[int, StepState], now: dt.datetime
    ) -> dt.datetime | None:
        """:func:`forecast`, once per SOP, remaining path and moment."""
        remaining = tuple(
            item.step.number
            for item in plan.steps
            if states.get(item.step.number) in (StepState.OPEN, StepState.MISSING)
        )
        key = (sop.id, remaining, now)
        if key not in self._ends:
            self._ends[key] = forecast(sop, plan, states, now, self.calendar, self.tentative)
        return self._ends[key]


def _loops(sop: Sop, evaluation: Evaluation) -> tuple[Loop, ...]:
    """The koreksi rounds the rules counted, per review step."""
    found = []
    for number, count in sorted(evaluation.corrections.items()):
        correction = sop.step(number).correction
        if correction is not None:
            found.append(Loop(number, correction.to, count))
    return tuple(found)


def forecast(
    sop: Sop,
    plan: Schedule,
    states: dict[int, StepState],
    now: dt.datetime,
    calendar: WorkCalendar,
    tentative: Duration = DEFAULT_TENTATIVE,
) -> dt.datetime | None:
    """The end of the remaining path, re-scheduled from ``now`` (None when nothing remains)."""
    remaining = [
        item.step
        for item in plan.steps
        if states.get(item.step.number) in (StepState.OPEN, StepState.MISSING)
        and not item.step.time.ongoing
    ]
    if not remaining:
        return None
    clock = calendar.start_of_work(now)
    for step in remaining:
        duration = tentative if step.time.tentative else step.time
        clock = due_after(calendar, calendar.start_of_work(clock), duration)
    return clock


def request_report(
    sop: Sop,
    request: RequestInput,
    observed: ObservedRequest,
    evaluation: Evaluation,
    calendar: WorkCalendar,
    now: dt.datetime,
    *,
    tentative: Duration = DEFAULT_TENTATIVE,
    offset: dt.timedelta = WIB,
    plans: Plans | None = None,
) -> RequestReport:
    """The report of one request on ``now`` (the report's ``--per``).

    ``plans`` shares schedules and forecasts between the requests of one report.
    """
    plans = plans if plans is not None else Plans(calendar, tentative)
    answers = {**dict(request.answers), **evaluation.answers}
    plan = plans.plan(sop, request.start, answers)
    progress = request_progress(sop, request, observed, evaluation, now.date(), calendar=calendar)
    live = reachable(sop, answers)
    start = as_start(calendar, request.start)
    before = plans.ancestry(sop, live)
    timings = step_timings(sop, observed, live, start, now, calendar, offset, before)
    rows = []
    for step, seen in zip(sop.steps, progress.steps, strict=True):
        scheduled = plan.plan_for(step.number)
        holders = seen.assignees or tuple(
            name for role in step.roles for name in request.people_for(role)
        )
        due = planned_due(seen, plan)
        closed = timings[step.number].closed if step.number in timings else None
        done_late = (
            late_days(calendar, due, closed.date())
            if seen.state is StepState.DONE and due is not None and closed is not None
            else 0
        )
        rows.append(
            StepRow(
                number=step.number,
                activity=step.activity,
                roles=seen.roles,
                state=seen.state,
                holders=holders,
                planned_start=scheduled.start if scheduled else None,
                planned_end=scheduled.due if scheduled else None,
                due=due,
                timing=timings.get(step.number) if seen.state is not StepState.SKIPPED else None,
                standard=standard_minutes(step.time, calendar.minutes_per_day),
                late_days=seen.late_days,
                ongoing=step.time.ongoing,
                closed_late=done_late,
            )
        )
    states = {row.number: row.state for row in rows}
    closed_at = {n: t.closed for n, t in timings.items()}
    current = tuple(
        row
        for row in rows
        if row.state is StepState.OPEN
        and row.number in live
        and all(states.get(n) in (StepState.DONE, StepState.SKIPPED)
                for n in before[row.number])
    )  # fmt: skip
    phases = phase_milestones(progress, plan, closed_at, calendar, now.date())
    work = [row for row in rows if row.state is not StepState.SKIPPED and not row.ongoing]
    finished_all = all(row.state is StepState.DONE for row in work)
    closes = [closed_at.get(row.number) for row in work]
    finished = (
        max(c for c in closes if c is not None) if finished_all and None not in closes else None
    )
    ahead = None if finished_all else plans.forecast(sop, plan, states, now)
    end = finished or ahead
    end_late = late_days(calendar, plan.end.date(), end.date()) if end else 0
    late = end_late > 0 or any(p.late for p in phases) or any(r.late_days for r in rows)
    if finished_all:
        state = RequestState.DONE_LATE if late else RequestState.DONE
    else:
        overdue_now = any(r.late_days for r in rows) or any(p.late and not p.done for p in phases)
        state = RequestState.LATE if overdue_now or end_late > 0 else RequestState.RUNNING
    return RequestReport(
        key=request.key,
        title=request.title,
        requester=request.requester,
        sop=sop,
        start=plan.start,
        state=state,
        done=progress.done,
        on_path=progress.on_path,
        skipped=progress.skipped,
        steps=tuple(rows),
        current=current,
        phases=phases,
        loops=_loops(sop, evaluation),
        planned_end=plan.end,
        finished=finished,
        forecast=ahead,
        end_late_days=end_late,
    )
