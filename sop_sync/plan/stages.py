"""Ordered stages of a change list: what must wait for what, and what may run side by side.

The diff emits changes in a safe order (labels and milestones, a new epic, steps, links, the
epic's own updates). Consecutive changes of one stage depend only on earlier stages; within a
stage, changes to one object stay in order while different objects may be written in
parallel. Pure.
"""

from __future__ import annotations

from sop_sync.model.changes import Change, CreateIssue, EnsureLabel, EnsureMilestone, Link, Ref

Group = list[Change]
"""Changes to one object, in order."""
Stage = list[Group]
"""Groups that may run in parallel."""


def stage_of(change: Change) -> int:
    """0 labels and milestones, 1 a new epic, 2 steps, 3 links, 4 the epic's updates."""
    if isinstance(change, EnsureLabel | EnsureMilestone):
        return 0
    if isinstance(change, Link):
        return 3
    ref = getattr(change, "ref", None)
    if isinstance(ref, Ref) and ref.step is None:
        return 1 if isinstance(change, CreateIssue) else 4
    return 2


def subject(change: Change) -> Ref | None:
    """The object a change writes; changes of one subject stay in order."""
    if isinstance(change, Link):
        return change.source
    ref = getattr(change, "ref", None)
    return ref if isinstance(ref, Ref) else None


def stages(changes: list[Change]) -> list[Stage]:
    """Consecutive changes of one stage, grouped by subject: groups may run in parallel."""
    result: list[Stage] = []
    last = -1
    for change in changes:
        stage = stage_of(change)
        if stage != last:
            result.append([])
            last = stage
        groups = result[-1]
        target = subject(change)
        match = next((g for g in groups if target is not None and subject(g[0]) == target), None)
        if match is None:
            groups.append([change])
        else:
            match.append(change)
    return result
