"""When each step of a request could start, when it closed, and the working time it took.

Read from the issues' history (``closed`` and ``reopened`` events). A step is *being worked*
while its issue is open and every step before it on the path taken is closed (the order rule:
its ancestors, corrections left out). Its working time is the working time of those stretches,
up to its last close: the first round from when it could start, then each round after a
``koreksi`` reopened it. While a reopened step is reworked, the review step after it waits (an
ancestor is open again), so the reviewer is not charged for the rework.

A step closed with no ``closed`` event in its history (a tracker that reports none) counts as
closed from the start for the steps after it, and its own time is unknown.
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from sop_sync.model.tracker import Issue, ObservedRequest, State
from sop_sync.reports.worktime import WIB, to_local, working_minutes
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.sop.flow import ancestors, predecessors
from sop_sync.sop.model import Sop

CLOSED = "closed"
REOPENED = "reopened"


@dataclass(frozen=True)
class StepTiming:
    """One step of one request as it actually went."""

    number: int
    ready: dt.datetime | None
    """When it could first be worked on (every step before it closed), if it came to that."""
    closed: dt.datetime | None
    """Its last close (None: open at the reference moment, or closed at an unknown time)."""
    worked: int
    """Working minutes while it could be worked on and was open (to its close, else to now)."""
    elapsed: int
    """Wall-clock minutes of the same stretches (for standards in hari kalender)."""
    closes: int = 0
    reopened: int = 0


@dataclass(frozen=True)
class _History:
    """One issue's state changes: sorted moments and, for each, closed afterwards or not."""

    moments: tuple[dt.datetime, ...]
    closed_after: tuple[bool, ...]
    guessed: bool = False
    """Closed with no ``closed`` event: taken as closed from the start, its times unknown."""

    def closed_at(self, moment: dt.datetime) -> bool:
        """Whether the issue was closed at ``moment`` (changes at that moment count)."""
        index = bisect_right(self.moments, moment)
        return self.closed_after[index - 1] if index else False


def _history(
    issue: Issue | None, start: dt.datetime, until: dt.datetime, offset: dt.timedelta
) -> _History:
    """The state changes of ``issue`` up to ``until`` (none for a missing issue)."""
    if issue is None:
        return _History((), ())
    every = sorted(
        (to_local(event.at, offset), event.action == CLOSED)
        for event in issue.events
        if event.action in (CLOSED, REOPENED)
    )
    if issue.state is State.CLOSED and not any(closed for _, closed in every):
        return _History((min(start, until),), (True,), guessed=True)
    changes = [(at, closed) for at, closed in every if at <= until]
    return _History(tuple(at for at, _ in changes), tuple(closed for _, closed in changes))


def ancestry(sop: Sop, live: frozenset[int]) -> dict[int, frozenset[int]]:
    """Each step on the path taken, with the steps before it (the order rule's ancestors)."""
    parents = predecessors(sop, live)
    return {number: frozenset(ancestors(sop, number, live, parents)) for number in live}


def step_timings(
    sop: Sop,
    observed: ObservedRequest,
    live: frozenset[int],
    start: dt.datetime,
    until: dt.datetime,
    calendar: WorkCalendar,
    offset: dt.timedelta = WIB,
    before: Mapping[int, frozenset[int]] | None = None,
) -> dict[int, StepTiming]:
    """The timing of every step on the path taken (``live``), from the request's ``start``.

    ``until`` is the reference moment (the report's ``--per``): later events are not read, and
    an open step's time runs to it. ``before`` is :func:`ancestry` of ``live``, if known.
    """
    histories = {
        number: _history(observed.steps.get(number), start, until, offset) for number in live
    }
    earlier = before if before is not None else ancestry(sop, live)
    return {
        number: _timing(number, histories, earlier[number], start, until, calendar)
        for number in sorted(live)
    }


def _timing(
    number: int,
    histories: Mapping[int, _History],
    before: frozenset[int],
    start: dt.datetime,
    until: dt.datetime,
    calendar: WorkCalendar,
) -> StepTiming:
    own = histories[number]
    if own.guessed:
        return StepTiming(number, None, None, 0, 0)
    last_close = own.moments[-1] if own.moments and own.closed_after[-1] else None
    end = max(start, last_close if last_close is not None else until)
    points = sorted(
        {start, end}
        | {
            moment
            for n in (number, *before)
            for moment in histories[n].moments
            if start < moment < end
        }
    )
    ready: dt.datetime | None = None
    worked = elapsed = 0
    for low, high in itertools.pairwise(points):
        waiting = any(not histories[n].closed_at(low) for n in before)
        if waiting or own.closed_at(low):
            continue
        ready = ready or low
        worked += working_minutes(calendar, low, high)
        elapsed += int((high - low).total_seconds() // 60)
    if (
        ready is None
        and last_close is not None
        and not any(not histories[n].closed_at(last_close) for n in before)
    ):
        ready = last_close  # closed the moment it could start
    return StepTiming(
        number=number,
        ready=ready,
        closed=last_close,
        worked=worked,
        elapsed=elapsed,
        closes=sum(own.closed_after),
        reopened=sum(1 for closed in own.closed_after if not closed),
    )


def closing_times(
    observed: ObservedRequest, offset: dt.timedelta = WIB
) -> dict[int, dt.datetime | None]:
    """When each closed step last closed (None when its history does not say)."""
    found: dict[int, dt.datetime | None] = {}
    for number, issue in observed.steps.items():
        if issue.state is not State.CLOSED:
            continue
        closes = [to_local(e.at, offset) for e in issue.events if e.action == CLOSED]
        found[number] = max(closes) if closes else None
    return found
