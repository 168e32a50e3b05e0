"""The desired state of a request, and the diff that turns an observed state into it.

Pure: texts come from an injected :class:`Texts` renderer; nothing here touches a tracker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sop_sync.calendar import WorkCalendar
from sop_sync.changes import (
    AddLabels,
    Change,
    Close,
    Comment,
    CreateIssue,
    EnsureLabel,
    EnsureMilestone,
    FieldName,
    FieldValue,
    Label,
    Link,
    Milestone,
    Ref,
    RemoveLabels,
    UpdateFields,
)
from sop_sync.labels import ManagedLabels, label_set
from sop_sync.request import RequestInput
from sop_sync.schedule import DEFAULT_TENTATIVE, Schedule, StepPlan, schedule
from sop_sync.sop.durations import Duration
from sop_sync.sop.flow import EdgeKind, all_edges, decision_steps
from sop_sync.sop.model import Sop, Step
from sop_sync.values import Capabilities, Issue, ObservedRequest, State

LINKS_KEY = "tautan"
"""Epic data key listing the ordering links the request has, e.g. ``1>2,2>3``.

Trackers whose links cannot be listed in bulk (GitLab) keep in it the links they confirmed,
so reconciling needs no per-issue link reads.
"""


def format_links(links: tuple[tuple[int, int], ...]) -> str:
    """``((1, 2), (2, 3))`` -> ``1>2,2>3``."""
    return ",".join(f"{a}>{b}" for a, b in links)


def parse_links(text: str) -> frozenset[tuple[int, int]]:
    """Inverse of :func:`format_links`; malformed items are ignored."""
    pairs = (item.partition(">") for item in text.split(",") if item)
    return frozenset((int(a), int(b)) for a, _, b in pairs if a.isdigit() and b.isdigit())


class Texts(Protocol):
    """Renders the Indonesian texts of the epic and the step issues."""

    def epic(self, view: EpicView) -> str:
        """The epic's description."""
        ...

    def step(self, view: StepView) -> str:
        """A step issue's description."""
        ...


@dataclass(frozen=True)
class StepView:
    """What a step issue's text shows."""

    sop: Sop
    request: RequestInput
    step: Step
    plan: StepPlan | None
    labels: ManagedLabels


@dataclass(frozen=True)
class EpicView:
    """What the epic's text shows; ``step_refs`` are the step issues found so far."""

    sop: Sop
    request: RequestInput
    schedule: Schedule
    step_refs: Mapping[int, tuple[str, bool]]
    """Step number -> (web URL, closed?) for step issues that exist."""


@dataclass(frozen=True)
class DesiredIssue:
    """One owned issue as it should be."""

    ref: Ref
    title: str
    description: str
    labels: frozenset[str]
    assignees: tuple[str, ...]
    due: dt.date | None
    milestone: str | None
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DesiredRequest:
    """Everything a request should have in the tracker."""

    key: str
    epic: DesiredIssue
    steps: tuple[DesiredIssue, ...]
    labels: tuple[Label, ...]
    milestones: tuple[Milestone, ...]
    links: tuple[tuple[int, int], ...]
    managed: ManagedLabels


def step_title(request: RequestInput, step: Step, limit: int) -> str:
    """``[kunci] 07 · kegiatan``, cut to the tracker's limit."""
    title = f"[{request.key}] {step.number:02d} · {' '.join(step.activity.split())}"
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def epic_title(request: RequestInput, sop: Sop, limit: int) -> str:
    """``Permohonan: <judul> — <nama SOP>``, cut to the tracker's limit."""
    title = f"Permohonan: {' '.join(request.title.split())} — {sop.name}"
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def milestone_title(request: RequestInput, phase_name: str) -> str:
    """``<kunci> · <fase>``."""
    return f"{request.key} · {phase_name}"


def step_plans(
    sop: Sop, request: RequestInput, calendar: WorkCalendar, tentative: Duration = DEFAULT_TENTATIVE
) -> tuple[Schedule, dict[int, StepPlan]]:
    """The schedule of the path taken, plus plans for steps only other answers reach.

    A step off the path gets its dates from the schedule where the decision before it is
    answered the other way, so every step issue can show a due date.
    """
    answers = dict(request.answers)
    main = schedule(sop, request.start, calendar, answers, tentative)
    plans = {plan.step.number: plan for plan in main.steps}
    for decision in decision_steps(sop):
        flipped = {**answers, decision.number: not answers.get(decision.number, True)}
        for plan in schedule(sop, request.start, calendar, flipped, tentative).steps:
            plans.setdefault(plan.step.number, plan)
    return main, plans


def desired_state(
    sop: Sop,
    request: RequestInput,
    calendar: WorkCalendar,
    capabilities: Capabilities,
    texts: Texts,
    observed: ObservedRequest | None = None,
    tentative: Duration = DEFAULT_TENTATIVE,
) -> DesiredRequest:
    """What the tracker should hold for ``request``."""
    managed = label_set(sop, capabilities)
    main, plans = step_plans(sop, request, calendar, tentative)
    milestones = tuple(
        Milestone(
            title=milestone_title(request, window.phase.name),
            start=window.start.date(),
            due=window.due.date() if window.due else None,
            description=f"Fase {window.phase.name}: langkah {window.phase.first}–"
            f"{window.phase.last} SOP {sop.name}",
        )
        for window in main.phases
    )
    steps: list[DesiredIssue] = []
    for step in sop.steps:
        plan = plans.get(step.number)
        phase = sop.phase_of(step.number)
        people = [name for role in step.roles for name in request.people_for(role)]
        steps.append(
            DesiredIssue(
                ref=Ref(request.key, step.number),
                title=step_title(request, step, capabilities.max_title),
                description=texts.step(StepView(sop, request, step, plan, managed)),
                labels=managed.for_step(step),
                assignees=tuple(dict.fromkeys(people)),
                due=plan.due.date() if plan and plan.due else None,
                milestone=milestone_title(request, phase.name) if phase else None,
            )
        )
    refs = {
        number: (issue.web_url, issue.state is State.CLOSED)
        for number, issue in (observed.steps.items() if observed else ())
    }
    links = tuple(
        dict.fromkeys(
            (edge.source, edge.target)
            for edge in all_edges(sop)
            if edge.kind is not EdgeKind.CORRECTION and isinstance(edge.target, int)
        )
    )
    epic = DesiredIssue(
        ref=Ref(request.key),
        title=epic_title(request, sop, capabilities.max_title),
        description=texts.epic(EpicView(sop, request, main, refs)),
        labels=managed.for_epic(),
        assignees=(),
        due=main.end.date(),
        milestone=None,
        data=(*request.as_data(), (LINKS_KEY, format_links(links))),
    )
    return DesiredRequest(
        key=request.key,
        epic=epic,
        steps=tuple(steps),
        labels=managed.definitions,
        milestones=milestones,
        links=links,
        managed=managed,
    )


def _field_changes(want: DesiredIssue, have: Issue) -> tuple[tuple[FieldName, FieldValue], ...]:
    fields: list[tuple[FieldName, FieldValue]] = []
    if want.title != have.title:
        fields.append(("title", want.title))
    if want.description != have.description:
        fields.append(("description", want.description))
    if want.due != have.due:
        fields.append(("due", want.due))
    if want.milestone != have.milestone:
        fields.append(("milestone", want.milestone))
    if want.data and dict(want.data) != have.data:
        fields.append(("data", want.data))
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
    existing epic last (its step list and recorded links describe what now exists). People's own
    changes are left alone: assignees are set only when an issue is created, and only the
    label families sop-sync owns are added or removed.
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
