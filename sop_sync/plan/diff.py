"""The diff: the changes that turn an observed request into the desired one, in a safe order.

Pure. People's own changes are left alone: assignees are set only when an issue is created,
only the label families sop-sync owns are added or removed, and descriptions are compared
by the digest of what sop-sync rendered (the tracker may show them in another markup).
"""

from __future__ import annotations

from sop_sync.model.changes import (
    AddLabels,
    Change,
    Close,
    Comment,
    CreateIssue,
    EnsureLabel,
    EnsureMilestone,
    FieldUpdate,
    Link,
    Ref,
    RemoveLabels,
    SetData,
    SetDescription,
    SetDue,
    SetMilestone,
    SetTitle,
    UpdateFields,
)
from sop_sync.model.tracker import Issue, ObservedRequest, State, text_digest
from sop_sync.plan.desired import DesiredIssue, DesiredRequest
from sop_sync.plan.labels import ManagedLabels


def _field_changes(want: DesiredIssue, have: Issue) -> tuple[FieldUpdate, ...]:
    fields: list[FieldUpdate] = []
    if want.title != have.title:
        fields.append(SetTitle(want.title))
    if text_digest(want.description) != have.digest:
        fields.append(SetDescription(want.description))
    if want.due != have.due and (have.state is State.OPEN or have.ref.step is None):
        fields.append(SetDue(want.due))  # a step already done keeps the date it had
    if want.milestone != have.milestone:
        fields.append(SetMilestone(want.milestone))
    merged = {**have.data, **dict(want.data)}  # data others keep there (document numbers)
    if want.data and merged != have.data:
        fields.append(SetData(tuple(merged.items())))
    return tuple(fields)


def _issue_changes(want: DesiredIssue, have: Issue | None, managed: ManagedLabels) -> list[Change]:
    if have is None:
        return [
            CreateIssue(
                ref=want.ref,
                title=want.title,
                description=want.description,
                labels=tuple(sorted(want.labels)),
                assignees=want.assignees,
                due=want.due,
                milestone=want.milestone,
                data=want.data,
            )
        ]
    changes: list[Change] = []
    fields = _field_changes(want, have)
    if fields:
        changes.append(UpdateFields(want.ref, fields))
    missing = want.labels - have.labels
    if missing:
        changes.append(AddLabels(want.ref, tuple(sorted(missing))))
    stale = {label for label in have.labels if managed.owns(label)} - want.labels
    if stale:
        changes.append(RemoveLabels(want.ref, tuple(sorted(stale))))
    return changes


def diff(desired: DesiredRequest, observed: ObservedRequest) -> list[Change]:
    """The changes that make ``observed`` match ``desired``, in a safe order.

    Labels and milestones first, then a new epic, then steps, then links, and updates of an
    existing epic last (its step list and recorded links describe what now exists); see
    :mod:`sop_sync.plan.stages` for how the apply loop groups them.
    """
    changes: list[Change] = [
        EnsureLabel(label) for label in desired.labels if observed.labels.get(label.name) != label
    ]
    changes += [
        EnsureMilestone(milestone)
        for milestone in desired.milestones
        if observed.milestones.get(milestone.title) != milestone
    ]
    epic_changes = _issue_changes(desired.epic, observed.epic, desired.managed)
    if observed.epic is None:
        changes += epic_changes  # the epic first: step issues belong to it
    wanted = {issue.ref.step for issue in desired.steps}
    for issue in desired.steps:
        have = observed.steps.get(issue.ref.step) if issue.ref.step is not None else None
        changes += _issue_changes(issue, have, desired.managed)
    for number, have in sorted(observed.steps.items()):
        if number not in wanted and have.state is State.OPEN:
            ref = Ref(desired.key, number)
            changes.append(
                Comment(ref, "Langkah ini tidak ada lagi di SOP; ditutup oleh sop-sync.")
            )
            changes.append(Close(ref))
    changes += [
        Link(Ref(desired.key, source), Ref(desired.key, target))
        for source, target in desired.links
        if (source, target) not in observed.links
    ]
    if observed.epic is not None:
        changes += epic_changes  # last: the epic summarises steps and links that now exist
    return changes


def empty_observed(key: str) -> ObservedRequest:
    """The observed state of a request that does not exist yet."""
    return ObservedRequest(
        key=key, epic=None, steps={}, labels={}, milestones={}, links=frozenset()
    )
