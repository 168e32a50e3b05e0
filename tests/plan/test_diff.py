"""The diff: the ordered changes that turn an observed request into the desired one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from sop_sync.model.changes import (
    CreateIssue,
    EnsureLabel,
    EnsureMilestone,
    Link,
    Ref,
    UpdateFields,
)
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Issue, ObservedRequest, State, text_digest
from sop_sync.plan.desired import DesiredIssue, DesiredRequest
from sop_sync.plan.diff import diff, empty_observed
from tests.plan.test_desired import REQUEST, desired


def as_observed(state: DesiredRequest) -> ObservedRequest:
    """What a tracker holding exactly ``state`` would report."""

    def issue(want: DesiredIssue) -> Issue:
        return Issue(
            ref=want.ref,
            tracker_id="1",
            web_url="",
            title=want.title,
            description=want.description,
            state=State.OPEN,
            labels=want.labels,
            assignees=want.assignees,
            due=want.due,
            milestone=want.milestone,
            data=dict(want.data),
            digest=text_digest(want.description),
        )

    return ObservedRequest(
        key=state.key,
        epic=issue(state.epic),
        steps={i.ref.step: issue(i) for i in state.steps if i.ref.step is not None},
        labels={label.name: label for label in state.labels},
        milestones={m.title: m for m in state.milestones},
        links=frozenset(state.links),
    )


def test_fresh_request_creates_everything_once() -> None:
    """A new request: every label, one milestone per phase, the epic, 14 steps, the links."""
    state = desired()
    kinds = Counter(type(change).__name__ for change in diff(state, empty_observed("absensi")))
    assert kinds["CreateIssue"] == 15
    assert kinds["EnsureMilestone"] == 6
    assert kinds["Link"] == 13
    assert kinds["EnsureLabel"] == len(state.labels)
    assert set(kinds) == {"CreateIssue", "EnsureMilestone", "Link", "EnsureLabel"}


def test_order_is_labels_milestones_epic_steps_links() -> None:
    """Objects are created before anything refers to them."""
    changes = diff(desired(), empty_observed("absensi"))
    order = [type(c) for c in changes]
    last_label = max(i for i, t in enumerate(order) if t is EnsureLabel)
    first_milestone = order.index(EnsureMilestone)
    first_issue = order.index(CreateIssue)
    first_link = order.index(Link)
    assert last_label < first_milestone < first_issue < first_link
    first = changes[first_issue]
    assert isinstance(first, CreateIssue)
    assert first.ref == Ref("absensi")


def test_matching_state_gives_no_change() -> None:
    """When the tracker holds exactly the desired state, the diff is empty."""
    state = desired()
    assert diff(state, as_observed(state)) == []


def test_changed_time_updates_only_that_step_and_later_dues() -> None:
    """Starting later moves dues and milestones, and nothing else."""
    before = desired()
    after = desired(RequestInput(**{**REQUEST.__dict__, "start": dt.date(2026, 12, 2)}))
    changes = diff(after, as_observed(before))
    assert {type(c).__name__ for c in changes} <= {"UpdateFields", "EnsureMilestone"}
    assert changes


def test_descriptions_are_compared_by_digest_not_by_text() -> None:
    """A tracker that gives the text back in another markup causes no rewrite; a new text does."""
    state = desired()
    observed = as_observed(state)
    assert observed.epic is not None
    shown_as_wiki = dataclasses.replace(observed.epic, description="h1. Permohonan (wiki markup)")
    assert diff(state, dataclasses.replace(observed, epic=shown_as_wiki)) == []
    stale = dataclasses.replace(observed.epic, digest=text_digest("teks lama"))
    [change] = diff(state, dataclasses.replace(observed, epic=stale))
    assert isinstance(change, UpdateFields)
    assert [field.name for field in change.fields] == ["description"]
