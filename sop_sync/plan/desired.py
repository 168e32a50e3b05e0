"""The desired state of a request: every object it should have in the tracker.

Pure: texts come from an injected :class:`~sop_sync.plan.views.Texts` renderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sop_sync.model.changes import Label, Milestone, Ref
from sop_sync.model.request import LINKS_KEY, RequestInput, format_links
from sop_sync.model.text import one_line, shorten
from sop_sync.model.tracker import Capabilities, ObservedRequest, State
from sop_sync.plan.labels import ManagedLabels, label_set
from sop_sync.plan.views import EpicView, StepView, Texts
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.schedule.timeline import (
    DEFAULT_TENTATIVE,
    Schedule,
    ScheduledStep,
    procedure_deadline,
    schedule,
)
from sop_sync.sop.durations import Duration
from sop_sync.sop.flow import EdgeKind, all_edges, decision_steps
from sop_sync.sop.model import Sop, Step


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
    return shorten(f"[{request.key}] {step.number:02d} · {one_line(step.activity)}", limit)


def epic_title(request: RequestInput, sop: Sop, limit: int) -> str:
    """``Permohonan: <judul> — <nama SOP>``, cut to the tracker's limit."""
    return shorten(f"Permohonan: {one_line(request.title)} — {sop.name}", limit)


def milestone_title(request: RequestInput, phase_name: str) -> str:
    """``<kunci> · <fase>``."""
    return f"{request.key} · {phase_name}"


def scheduled_steps(
    sop: Sop, request: RequestInput, calendar: WorkCalendar, tentative: Duration = DEFAULT_TENTATIVE
) -> tuple[Schedule, dict[int, ScheduledStep]]:
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
    main, plans = scheduled_steps(sop, request, calendar, tentative)
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
        description=texts.epic(
            EpicView(sop, request, main, refs, procedure_deadline(sop, request.start, calendar))
        ),
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
        labels=managed.definitions if capabilities.label_definitions else (),
        milestones=milestones,
        links=links,
        managed=managed,
    )
