"""Stages of a change list: what waits for what, and what may run side by side."""

from __future__ import annotations

from sop_sync.model.changes import (
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
from sop_sync.plan.stages import stage_of, stages, subject


def test_stages_group_independent_changes() -> None:
    """Labels/milestones, then the new epic, then steps (one group per issue), links, epic edits."""
    a, b = Ref("k", 1), Ref("k", 2)
    changes: list[Change] = [
        EnsureLabel(Label("x", "#000000")),
        EnsureMilestone(Milestone("k · a", None, None)),
        CreateIssue(Ref("k"), "e", "", ()),
        CreateIssue(a, "a", "", ()),
        Comment(a, "hi"),
        CreateIssue(b, "b", "", ()),
        Link(a, b),
        UpdateFields(Ref("k"), (SetTitle("t"),)),
        Close(Ref("k")),
    ]
    shape = [[len(group) for group in stage] for stage in stages(changes)]
    assert shape == [[1, 1], [1], [2, 1], [1], [2]]


def test_changes_to_one_issue_keep_their_order_within_a_group() -> None:
    """A reopen, its label and its comment on one step stay in the order the rules gave."""
    ref = Ref("k", 3)
    changes: list[Change] = [Comment(ref, "satu"), Close(ref), Comment(Ref("k", 4), "dua")]
    [stage] = stages(changes)
    assert stage == [[Comment(ref, "satu"), Close(ref)], [Comment(Ref("k", 4), "dua")]]


def test_a_link_belongs_to_its_source_and_runs_after_the_steps() -> None:
    """Links wait for every step issue; they are grouped by the issue they start from."""
    link = Link(Ref("k", 1), Ref("k", 2))
    assert subject(link) == Ref("k", 1)
    assert stage_of(link) > stage_of(CreateIssue(Ref("k", 2), "b", "", ()))
    assert stage_of(EnsureLabel(Label("x", "#000000"))) == 0
