"""Step timing from the history: when a step could start, its rounds, unknown closes."""

from __future__ import annotations

import datetime as dt

from sop_sync.model.tracker import Event, State
from sop_sync.reports.timing import closing_times, step_timings
from sop_sync.schedule.calendar import WorkCalendar
from tests.builders import observed
from tests.reports.scenario import SOP, at

PLAIN = WorkCalendar(use_national_holidays=False)
START = at(7, 7, 30)
LIVE = frozenset({1, 2, 3, 4, 5, 6})


def test_a_step_starts_when_its_predecessors_close() -> None:
    """Step 2 could start when step 1 closed (08.30), not at the request's start."""
    state = (
        observed(SOP)
        .step(1, closed_by="a", at=at(7, 8, 30))
        .step(2, closed_by="k", at=at(7, 9))
        .build()
    )
    found = step_timings(SOP, state, LIVE, START, at(7, 12), PLAIN)
    assert (found[2].ready, found[2].closed, found[2].worked) == (at(7, 8, 30), at(7, 9), 30)
    assert found[3].ready == at(7, 9)
    assert found[3].worked == 180  # open, to the reference moment 12.00
    assert found[4].ready is None


def test_a_closed_step_without_history_is_done_from_the_start_and_unmeasured() -> None:
    """Closed with no ``closed`` event: the next step may start at once; its own time unknown."""
    state = observed(SOP).closed(1).build()
    found = step_timings(SOP, state, LIVE, START, at(7, 9), PLAIN)
    assert (found[1].closed, found[1].worked) == (None, 0)
    assert found[2].ready == START


def test_aware_event_times_are_read_on_the_agency_clock() -> None:
    """A close at 01.30 UTC is 08.30 WIB: 60 working minutes from 07.30."""
    state = (
        observed(SOP)
        .step(1, closed_by="a", at=dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC))
        .build()
    )
    found = step_timings(SOP, state, LIVE, START, at(7, 12), PLAIN)
    assert (found[1].closed, found[1].worked) == (at(7, 8, 30), 60)
    assert closing_times(state) == {1: at(7, 8, 30)}


def test_events_after_the_reference_moment_are_not_read() -> None:
    """Closed at 11.00, reported as of 10.00: still open, 150 minutes so far."""
    state = observed(SOP).step(1, closed_by="a", at=at(7, 11)).build()
    found = step_timings(SOP, state, LIVE, START, at(7, 10), PLAIN)
    assert (found[1].closed, found[1].worked) == (None, 150)


def test_rounds_and_reopenings_are_counted() -> None:
    """Closed, reopened, closed: two closes, one reopening; only open stretches count."""
    state = (
        observed(SOP)
        .step(1, closed_by="a", at=at(7, 8))
        .step(1, reopened_by="k", at=at(7, 10))
        .step(1, closed_by="a", at=at(7, 11))
        .build()
    )
    found = step_timings(SOP, state, LIVE, START, at(7, 12), PLAIN)[1]
    assert (found.closes, found.reopened, found.worked) == (2, 1, 30 + 60)
    assert state.steps[1].state is State.CLOSED
    assert Event(at(7, 10), "k", "reopened") in state.steps[1].events
