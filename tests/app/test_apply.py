"""Applying a change list to a real (local) tracker: stages, failures, progress, parallelism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.model.changes import (
    AddLabels,
    Change,
    Close,
    Comment,
    CreateIssue,
    EnsureLabel,
    EnsureMilestone,
    Label,
    Link,
    Milestone,
    Ref,
    SetTitle,
    UpdateFields,
)
from sop_sync.model.tracker import Capabilities, ObservedRequest, RequestSummary, State
from sop_sync.plan.stages import subject
from sop_sync.trackers.local.facade import CAPABILITIES, LocalTracker

KEY = "uji"
MILESTONE = "uji · Analisis"


def ref(step: int | None = None) -> Ref:
    """The epic (no step) or a step of the test request."""
    return Ref(KEY, step)


def create(step: int | None) -> CreateIssue:
    """Create the epic or a step issue."""
    title = "Permohonan uji" if step is None else f"Langkah {step}"
    return CreateIssue(ref(step), title, "", ("permohonan",) if step is None else ())


def request_changes() -> list[Change]:
    """A diff's order: labels and milestones, the epic, steps, links, the epic's updates."""
    return [
        EnsureLabel(Label("fase::Analisis", "#2E7D32")),
        EnsureMilestone(Milestone(MILESTONE, dt.date(2026, 12, 1), dt.date(2026, 12, 4))),
        create(None),
        CreateIssue(ref(1), "Langkah 1", "", ("fase::Analisis",), milestone=MILESTONE),
        CreateIssue(ref(2), "Langkah 2", "", ("fase::Analisis",), milestone=MILESTONE),
        Link(ref(1), ref(2)),
        UpdateFields(ref(), (SetTitle("Permohonan uji (diperbarui)"),)),
    ]


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[LocalTracker]:
    """A fresh local tracker."""
    local = LocalTracker(tmp_path / "t.db")
    yield local
    local.close()


class Recording:
    """A local tracker that records the changes it is given, in the order they arrive."""

    def __init__(self, tracker: LocalTracker) -> None:
        self.tracker = tracker
        self.order: list[Change] = []

    @property
    def capabilities(self) -> Capabilities:
        """The local tracker's (one write at a time)."""
        return self.tracker.capabilities

    def apply(self, change: Change) -> None:
        """Record, then apply."""
        self.order.append(change)
        self.tracker.apply(change)

    def requests(self) -> list[RequestSummary]:
        """The local tracker's."""
        return self.tracker.requests()

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """The local tracker's."""
        return self.tracker.observe(key, history=history)

    def close(self) -> None:
        """Nothing: the fixture closes the local tracker."""


def test_every_change_is_applied_in_the_diffs_order(tracker: LocalTracker) -> None:
    """One write at a time: the tracker sees the changes exactly in the order given."""
    recording = Recording(tracker)
    changes = request_changes()
    outcome = apply_changes(recording, changes, Outcome(KEY))
    assert recording.order == changes
    assert outcome.applied == changes
    assert outcome.ok


def test_later_stages_find_what_earlier_ones_created(tracker: LocalTracker) -> None:
    """Steps get the milestone and label created before them; the link joins both steps."""
    apply_changes(tracker, request_changes(), Outcome(KEY))
    observed = tracker.observe(KEY)
    assert observed.epic is not None
    assert observed.epic.title == "Permohonan uji (diperbarui)"
    assert observed.steps[1].milestone == MILESTONE
    assert observed.labels["fase::Analisis"].color == "#2E7D32"
    assert observed.links == {(1, 2)}


def test_failures_are_collected_not_raised(tracker: LocalTracker) -> None:
    """A change the tracker refuses is recorded with its message; the rest still run."""
    changes: list[Change] = [create(None), create(1), create(1), Close(ref(9)), Close(ref(1))]
    outcome = apply_changes(tracker, changes, Outcome(KEY))
    assert outcome.failures == [
        (create(1), "uji langkah 01 exists already"),
        (Close(ref(9)), "uji langkah 09 does not exist"),
    ]
    assert outcome.applied == [create(None), create(1), Close(ref(1))]
    assert not outcome.ok
    assert tracker.observe(KEY).steps[1].state is State.CLOSED


def test_outcome_given_is_extended(tracker: LocalTracker) -> None:
    """The outcome passed in is the one returned, with earlier results kept."""
    outcome = Outcome(KEY, applied=[create(None)])
    returned = apply_changes(tracker, [create(1)], outcome)
    assert returned is outcome
    assert outcome.applied == [create(None), create(1)]


def test_progress_is_called_once_per_change_failures_included(tracker: LocalTracker) -> None:
    """The progress callback sees every change once, in the diff's order, failed ones too."""
    changes: list[Change] = [create(None), create(1), create(1), Comment(ref(1), "catatan")]
    seen: list[Change] = []
    apply_changes(tracker, changes, Outcome(KEY), progress=seen.append)
    assert seen == changes


def test_no_changes_do_nothing(tracker: LocalTracker) -> None:
    """An empty change list is an empty, successful outcome."""
    seen: list[Change] = []
    outcome = apply_changes(tracker, [], Outcome(KEY), progress=seen.append)
    assert (outcome.applied, outcome.failures, seen) == ([], [], [])
    assert tracker.operations == 0


class Parallel:
    """A local tracker that says it takes four writes at once, and records what it is given.

    SQLite connections belong to the thread that opened them, so each write opens the file in
    its own thread; a lock keeps the writes themselves one at a time. ``wait_for`` makes the
    first change to step 1 wait until step 2 is created: that only happens when groups
    really run side by side (a serial run would time out).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.order: list[Change] = []
        self.threads: set[int] = set()
        self.overlapped = False
        self._lock = threading.Lock()
        self._step_2_created = threading.Event()

    @property
    def capabilities(self) -> Capabilities:
        """The local tracker's, with four parallel writes."""
        return dataclasses.replace(CAPABILITIES, parallel_writes=4)

    @contextmanager
    def _local(self) -> Iterator[LocalTracker]:
        """The local tracker, opened in the calling thread for one operation."""
        local = LocalTracker(self.path)
        try:
            yield local
        finally:
            local.close()

    def apply(self, change: Change) -> None:
        """Apply in this thread, one write at a time, recording the order."""
        if change == create(1):
            self.overlapped = self._step_2_created.wait(timeout=10)
        with self._lock, self._local() as local:
            local.apply(change)
            self.order.append(change)
            self.threads.add(threading.get_ident())
        if change == create(2):
            self._step_2_created.set()

    def requests(self) -> list[RequestSummary]:
        """The local tracker's."""
        with self._lock, self._local() as local:
            return local.requests()

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """The local tracker's."""
        with self._lock, self._local() as local:
            return local.observe(key, history=history)

    def close(self) -> None:
        """Nothing stays open."""


def step_changes(steps: range) -> list[Change]:
    """For each step: create it, label it, comment on it, close it (one stage of groups)."""
    return [
        change
        for n in steps
        for change in (
            create(n),
            AddLabels(ref(n), ("status::dikoreksi",)),
            Comment(ref(n), f"catatan langkah {n}"),
            Close(ref(n)),
        )
    ]


def test_parallel_writes_run_groups_side_by_side(tmp_path: Path) -> None:
    """With `parallel_writes=4`, the steps of one stage are written by several threads."""
    tracker = Parallel(tmp_path / "t.db")
    apply_changes(tracker, [create(None), *step_changes(range(1, 5))], Outcome(KEY))
    assert tracker.overlapped
    assert len(tracker.threads) > 1


def test_parallel_writes_keep_each_objects_order(tmp_path: Path) -> None:
    """Whatever the interleaving, each issue's own changes arrive in the diff's order."""
    tracker = Parallel(tmp_path / "t.db")
    changes = [create(None), *step_changes(range(1, 5))]
    apply_changes(tracker, changes, Outcome(KEY))
    for n in range(1, 5):
        mine = [c for c in changes if subject(c) == ref(n)]
        assert [c for c in tracker.order if subject(c) == ref(n)] == mine


def test_parallel_writes_report_in_the_diffs_order(tmp_path: Path) -> None:
    """Results and progress come back in the diff's order, not the order of completion."""
    tracker = Parallel(tmp_path / "t.db")
    changes = [create(None), *step_changes(range(1, 5))]
    seen: list[Change] = []
    outcome = apply_changes(tracker, changes, Outcome(KEY), progress=seen.append)
    assert outcome.applied == changes
    assert seen == changes


def test_parallel_writes_reach_the_tracker(tmp_path: Path) -> None:
    """After a parallel run every step exists, labelled, commented and closed."""
    tracker = Parallel(tmp_path / "t.db")
    apply_changes(tracker, [create(None), *step_changes(range(1, 5))], Outcome(KEY))
    steps = tracker.observe(KEY).steps
    assert sorted(steps) == [1, 2, 3, 4]
    for n, issue in steps.items():
        assert issue.state is State.CLOSED
        assert "status::dikoreksi" in issue.labels
        assert [note.body for note in issue.notes] == [f"catatan langkah {n}"]


def test_parallel_failures_are_collected_in_the_diffs_order(tmp_path: Path) -> None:
    """A failure in one group does not stop the others, and is reported in place."""
    tracker = Parallel(tmp_path / "t.db")
    changes = [create(None), *step_changes(range(1, 3)), Close(ref(7)), Comment(ref(8), "x")]
    outcome = apply_changes(tracker, changes, Outcome(KEY))
    assert outcome.failures == [
        (Close(ref(7)), "uji langkah 07 does not exist"),
        (Comment(ref(8), "x"), "uji langkah 08 does not exist"),
    ]
    assert outcome.applied == changes[:-2]


def test_parallel_stages_wait_for_the_stage_before(tmp_path: Path) -> None:
    """Links (a later stage) are written only after every step they join exists."""
    tracker = Parallel(tmp_path / "t.db")
    links: list[Change] = [Link(ref(1), ref(2)), Link(ref(3), ref(4))]
    creates: list[Change] = [create(None), *(create(n) for n in range(1, 5))]
    outcome = apply_changes(tracker, [*creates, *links], Outcome(KEY))
    assert outcome.ok
    assert set(tracker.order[: len(creates)]) == set(creates)
    assert set(tracker.order[len(creates) :]) == set(links)
