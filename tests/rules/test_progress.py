"""Per-step progress of a request on a given day, as the rules judged it (no tracker)."""

from __future__ import annotations

import datetime as dt

from sop_sync.model.labels import SKIPPED
from sop_sync.model.tracker import ObservedRequest, State
from sop_sync.rules.evaluate import evaluate
from sop_sync.rules.progress import RequestProgress, StepState, request_progress
from sop_sync.sop.model import Sop
from tests.builders import attachment, note, observed, request_for, seed

KARANGANYAR = seed("karanganyar")
BKD = seed("bkd-jateng")
TODAY = dt.date(2026, 12, 10)


def progress(
    sop: Sop,
    state: ObservedRequest,
    today: dt.date = TODAY,
    deadline: dt.datetime | None = None,
) -> RequestProgress:
    """The progress of the test request on ``today``."""
    request = request_for(sop)
    return request_progress(
        sop, request, state, evaluate(sop, request, state), today, deadline=deadline
    )


def test_every_step_is_listed_in_table_order() -> None:
    """One row per step of the SOP, in order, with its activity and role names."""
    found = progress(KARANGANYAR, observed(KARANGANYAR).build())
    assert [s.number for s in found.steps] == list(range(1, 15))
    assert found.steps[0].activity == "Identifikasi kebutuhan aplikasi"
    assert found.steps[0].roles == ("Seksi Pengembangan Sistem Informasi", "PD Pengampu Sistem")


def test_states_of_open_closed_and_missing_steps() -> None:
    """Closed is done, open is open, a step without an issue is missing."""
    state = observed(KARANGANYAR).closed(1).missing(3).build()
    steps = progress(KARANGANYAR, state).steps
    assert [s.state for s in steps[:3]] == [StepState.DONE, StepState.OPEN, StepState.MISSING]


def test_step_off_the_path_taken_is_skipped() -> None:
    """Answer Ya on step 2: step 4 is skipped even while its issue is still open."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop keputusan ya")]).build()
    assert progress(BKD, state).steps[3].state is StepState.SKIPPED


def test_step_labelled_skipped_is_skipped() -> None:
    """A step carrying `status::dilewati` (a skip honoured) is skipped, not done."""
    state = observed(KARANGANYAR).step(9, state=State.CLOSED, labels=[SKIPPED]).build()
    assert progress(KARANGANYAR, state).steps[8].state is StepState.SKIPPED


def test_open_step_past_its_due_date_is_overdue() -> None:
    """Due yesterday and still open: overdue."""
    state = observed(KARANGANYAR).step(1, due=TODAY - dt.timedelta(days=1)).build()
    assert progress(KARANGANYAR, state).steps[0].overdue


def test_open_step_due_today_is_not_overdue() -> None:
    """Due today is on time."""
    state = observed(KARANGANYAR).step(1, due=TODAY).build()
    assert not progress(KARANGANYAR, state).steps[0].overdue


def test_closed_step_past_its_due_date_is_not_overdue() -> None:
    """A step done late is no longer overdue."""
    state = observed(KARANGANYAR).step(1, state=State.CLOSED, due=dt.date(2026, 12, 1)).build()
    assert not progress(KARANGANYAR, state).steps[0].overdue


def test_due_and_assignees_come_from_the_issue() -> None:
    """The due date and the assignees are the issue's."""
    due = dt.date(2026, 12, 20)
    state = observed(KARANGANYAR).step(5, due=due, assignees=["budi"]).build()
    step = progress(KARANGANYAR, state).steps[4]
    assert (step.due, step.assignees) == (due, ("budi",))


def test_missing_step_has_no_due_date_and_nobody_assigned() -> None:
    """Without an issue there is nothing to be late on."""
    step = progress(KARANGANYAR, observed(KARANGANYAR).missing(5).build()).steps[4]
    assert (step.due, step.overdue, step.assignees) == (None, False, ())


def test_evidence_statuses_are_the_verdicts() -> None:
    """Step 7 with its DFD only: DFD present, ERD missing."""
    state = observed(KARANGANYAR).step(7, attachments=[attachment("dfd.png")]).build()
    evidence = progress(KARANGANYAR, state).steps[6].evidence
    assert [(e.item.name, e.present) for e in evidence] == [
        ("Diagram Alir Data (DFD)", True),
        ("Diagram Hubungan Entitas (ERD)", False),
    ]


def test_summary_counts_done_skipped_on_path_and_overdue() -> None:
    """Two done, one skipped, one overdue, out of 13 steps on BKD's path."""
    yesterday = TODAY - dt.timedelta(days=1)
    state = (
        observed(BKD)
        .closed(1)
        .step(2, state=State.CLOSED, notes=[note("jfu", "/sop keputusan ya")])
        .step(3, due=yesterday)
        .build()
    )
    found = progress(BKD, state)
    assert (found.done, found.skipped, found.on_path, found.overdue) == (2, 1, 12, 1)


def test_current_is_the_first_open_step() -> None:
    """Steps 1 and 2 done: the current step is 3."""
    found = progress(KARANGANYAR, observed(KARANGANYAR).closed(1, 2).build())
    assert found.current is not None
    assert found.current.number == 3


def test_current_skips_steps_off_the_path() -> None:
    """Answer Ya and steps 1 to 3 done: step 4 is skipped, so the current step is 5."""
    state = (
        observed(BKD)
        .closed(1, 3)
        .step(2, state=State.CLOSED, notes=[note("jfu", "/sop keputusan ya")])
        .build()
    )
    found = progress(BKD, state)
    assert found.current is not None
    assert found.current.number == 5


def test_no_current_step_when_all_are_closed() -> None:
    """Every step closed: nothing is current."""
    numbers = [s.number for s in KARANGANYAR.steps]
    assert progress(KARANGANYAR, observed(KARANGANYAR).closed(*numbers).build()).current is None


def test_epic_state_is_reported() -> None:
    """The epic's state, or None without an epic."""
    assert progress(KARANGANYAR, observed(KARANGANYAR).build()).epic_state is State.OPEN
    assert progress(KARANGANYAR, observed(KARANGANYAR).epic(None).build()).epic_state is None


def test_request_past_its_deadline_is_late() -> None:
    """Open after the SOP's deadline for the whole procedure: late."""
    deadline = dt.datetime(2026, 12, 9, 15, 0)
    assert progress(KARANGANYAR, observed(KARANGANYAR).build(), deadline=deadline).late


def test_request_on_its_deadline_day_is_not_late() -> None:
    """The deadline's own day is still on time."""
    deadline = dt.datetime(2026, 12, 10, 8, 0)
    assert not progress(KARANGANYAR, observed(KARANGANYAR).build(), deadline=deadline).late


def test_closed_request_is_never_late() -> None:
    """A request whose epic is closed is finished, whatever the deadline."""
    state = observed(KARANGANYAR).epic(State.CLOSED).build()
    assert not progress(KARANGANYAR, state, deadline=dt.datetime(2026, 12, 1, 8, 0)).late


def test_request_without_a_deadline_is_not_late() -> None:
    """No deadline, never late."""
    assert not progress(KARANGANYAR, observed(KARANGANYAR).build()).late
