"""Schedule: an SOP, a start date and the working-day calendar give each step's start and due.

Steps follow the path taken (Ya unless answers say otherwise). A ranged time ("1- 2 Jam")
is planned at its maximum; a tentative or blank time takes ``tentative`` (configurable);
an ongoing step ("Selama sistem informasi digunakan") starts but never falls due, and does
not hold up the steps after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sop_sync.schedule.calendar import LAST_DAY, LAST_WORDS, BeyondCalendarError, WorkCalendar
from sop_sync.sop.durations import Duration, Unit, parse_duration
from sop_sync.sop.flow import path
from sop_sync.sop.model import Phase, Sop, Step

DEFAULT_TENTATIVE = parse_duration("1 hari kerja")


@dataclass(frozen=True)
class ScheduledStep:
    """When one step on the path is planned to start and fall due."""

    step: Step
    start: dt.datetime
    due: dt.datetime | None
    phase: Phase | None
    assumed: bool = False
    """True when the time was tentative or blank and the default was used."""


@dataclass(frozen=True)
class PhaseWindow:
    """A phase's window: its first step's start and its last step's due (None if ongoing)."""

    phase: Phase
    start: dt.datetime
    due: dt.datetime | None
    steps: tuple[int, ...]


@dataclass(frozen=True)
class Schedule:
    """The planned timeline of one request."""

    sop: Sop
    start: dt.datetime
    steps: tuple[ScheduledStep, ...]
    phases: tuple[PhaseWindow, ...]
    end: dt.datetime
    working_days: int

    by_number: dict[int, ScheduledStep] = field(init=False, repr=False, compare=False)
    """The plans by step number (what :meth:`plan_for` looks in)."""

    def __post_init__(self) -> None:
        by_number: dict[int, ScheduledStep] = {}
        for plan in self.steps:
            by_number.setdefault(plan.step.number, plan)
        object.__setattr__(self, "by_number", by_number)

    def plan_for(self, number: int) -> ScheduledStep | None:
        """The plan of step ``number``, or None when the path skips it."""
        return self.by_number.get(number)


def due_after(calendar: WorkCalendar, start: dt.datetime, duration: Duration) -> dt.datetime:
    """When work of ``duration`` (planned at its maximum) started at ``start`` falls due."""
    if duration.unit is None or duration.maximum is None:
        raise ValueError(f"{duration.text!r} has no fixed length")
    amount = duration.maximum
    if duration.unit is Unit.MENIT:
        return calendar.add_working_minutes(start, amount)
    if duration.unit is Unit.JAM:
        return calendar.add_working_minutes(start, amount * 60)
    if duration.unit is Unit.HARI_KERJA:
        return calendar.add_working_days(start, amount)
    return calendar.add_calendar_days(start, amount)


def as_start(calendar: WorkCalendar, start: dt.date | dt.datetime) -> dt.datetime:
    """A date means the start of work that day (or the next working day)."""
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    if start.date() > LAST_DAY:
        raise BeyondCalendarError(
            f"the start date {start:%Y-%m-%d} is after {LAST_DAY}, {LAST_WORDS}"
        )
    return calendar.start_of_work(start)


def schedule(
    sop: Sop,
    start: dt.date | dt.datetime,
    calendar: WorkCalendar,
    answers: Mapping[int, bool] | None = None,
    tentative: Duration = DEFAULT_TENTATIVE,
) -> Schedule:
    """Plan every step on the path taken from ``start``."""
    if not tentative.fixed:
        raise ValueError("the default for tentative steps must be a fixed time")
    begin = as_start(calendar, start)
    clock = begin
    plans: list[ScheduledStep] = []
    for number in path(sop, answers):
        step = sop.step(number)
        try:
            step_start = calendar.start_of_work(clock)
            if step.time.ongoing:
                plans.append(ScheduledStep(step, step_start, None, sop.phase_of(number)))
                continue
            assumed = step.time.tentative
            due = due_after(calendar, step_start, tentative if assumed else step.time)
        except BeyondCalendarError:
            raise BeyondCalendarError(
                f"step {number} would fall due after {LAST_DAY}, {LAST_WORDS} "
                f"(start {begin:%Y-%m-%d})"
            ) from None
        plans.append(ScheduledStep(step, step_start, due, sop.phase_of(number), assumed))
        clock = due
    end = max((plan.due for plan in plans if plan.due is not None), default=begin)
    return Schedule(
        sop=sop,
        start=begin,
        steps=tuple(plans),
        phases=_windows(sop, plans),
        end=end,
        working_days=calendar.working_days_between(begin.date(), end.date()),
    )


def _windows(sop: Sop, plans: list[ScheduledStep]) -> tuple[PhaseWindow, ...]:
    by_phase: dict[int, list[ScheduledStep]] = {}
    for plan in plans:
        if plan.phase is not None:
            by_phase.setdefault(id(plan.phase), []).append(plan)
    windows: list[PhaseWindow] = []
    for phase in sop.phases:
        inside = by_phase.get(id(phase), [])
        if not inside:
            continue
        dues = [plan.due for plan in inside]
        windows.append(
            PhaseWindow(
                phase=phase,
                start=min(plan.start for plan in inside),
                due=None if None in dues else max(d for d in dues if d is not None),
                steps=tuple(plan.step.number for plan in inside),
            )
        )
    return tuple(windows)


def procedure_deadline(
    sop: Sop, start: dt.date | dt.datetime, calendar: WorkCalendar
) -> dt.datetime | None:
    """When the whole procedure must be done, for an SOP with a ``batas_waktu``."""
    if sop.deadline is None or not sop.deadline.fixed:
        return None
    begin = as_start(calendar, start)
    try:
        return due_after(calendar, begin, sop.deadline)
    except BeyondCalendarError:
        raise BeyondCalendarError(
            f"the batas_waktu {sop.deadline.text!r} from {begin:%Y-%m-%d} would fall after "
            f"{LAST_DAY}, {LAST_WORDS}"
        ) from None
