"""The one loop that applies changes to a tracker and collects what happened.

Used by every use case that writes (open, sync, check --fix, the coming service). Changes run
in the stages of :mod:`sop_sync.plan.stages`: a stage after the one before, and within a stage
the changes of different objects in parallel where the tracker allows it. A failed change is
collected, never raised, so one bad change does not hide the others; a re-run converges
because every object is found again by its marker. Only a tracker that cannot be used at all
(:class:`~sop_sync.errors.TrackerUnavailableError`: locked, unreachable) stops the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sop_sync.errors import SopSyncError, TrackerUnavailableError
from sop_sync.model.changes import Change
from sop_sync.plan.stages import Group, Stage, stages
from sop_sync.trackers.base import Tracker

Progress = Callable[[Change], None]
"""Called once per change carried out (or failed), in the diff's order."""


@dataclass
class Outcome:
    """What one run did to one request."""

    key: str
    applied: list[Change] = field(default_factory=list)
    failures: list[tuple[Change, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every change went through."""
        return not self.failures


def apply_changes(
    tracker: Tracker,
    changes: Sequence[Change],
    outcome: Outcome,
    progress: Progress | None = None,
) -> Outcome:
    """Apply ``changes`` stage by stage, recording each result in ``outcome``."""
    workers = max(1, tracker.capabilities.parallel_writes)
    for stage in stages(list(changes)):
        for change, error in _apply_stage(tracker, stage, workers):
            if error is None:
                outcome.applied.append(change)
            else:
                outcome.failures.append((change, error))
            if progress is not None:
                progress(change)
    return outcome


def _apply_group(tracker: Tracker, group: Group) -> list[tuple[Change, str | None]]:
    results: list[tuple[Change, str | None]] = []
    for change in group:
        try:
            tracker.apply(change)
        except TrackerUnavailableError:
            raise  # every further change would wait and fail the same way: stop the run
        except SopSyncError as error:
            results.append((change, error.message))
        else:
            results.append((change, None))
    return results


def _apply_stage(tracker: Tracker, stage: Stage, workers: int) -> list[tuple[Change, str | None]]:
    """One stage, with up to ``workers`` groups at once; results in the diff's order."""
    if workers == 1 or len(stage) == 1:
        return [result for group in stage for result in _apply_group(tracker, group)]
    with ThreadPoolExecutor(max_workers=min(workers, len(stage))) as pool:
        done = list(pool.map(lambda group: _apply_group(tracker, group), stage))
    return [result for results in done for result in results]
