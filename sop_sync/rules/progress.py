"""Per-step progress of a request as people read it: role, state, due, overdue, evidence.

Pure: built from the SOP, the request and the observed issues; the one computation the
``status`` command (and the coming reports) show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest, RepoStatus, State
from sop_sync.rules.evidence import EvidenceStatus, evidence_status
from sop_sync.sop.model import Sop


@dataclass(frozen=True)
class StepProgress:
    """One step of one request."""

    number: int
    activity: str
    roles: tuple[str, ...]
    state: State | None
    """None when the step issue does not exist (run ``sync``)."""
    due: dt.date | None
    overdue: bool
    evidence: tuple[EvidenceStatus, ...]
    assignees: tuple[str, ...]


@dataclass(frozen=True)
class RequestProgress:
    """One request: its steps and a summary."""

    key: str
    sop: Sop
    request: RequestInput
    epic_state: State | None
    steps: tuple[StepProgress, ...]

    @property
    def closed(self) -> int:
        """Steps closed (done or skipped)."""
        return sum(1 for s in self.steps if s.state is State.CLOSED)

    @property
    def overdue(self) -> int:
        """Open steps past their due date."""
        return sum(1 for s in self.steps if s.overdue)

    @property
    def current(self) -> StepProgress | None:
        """The first open step in table order."""
        return next((s for s in self.steps if s.state is State.OPEN), None)


def request_progress(
    sop: Sop,
    request: RequestInput,
    observed: ObservedRequest,
    today: dt.date,
    repos: Mapping[str, RepoStatus] | None = None,
) -> RequestProgress:
    """The status of every step of ``request`` on ``today`` (repositories as inspected)."""
    steps = []
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        state = issue.state if issue else None
        due = issue.due if issue else None
        evidence = (
            tuple(evidence_status(issue, step, item, request, repos) for item in step.evidence)
            if issue
            else ()
        )
        steps.append(
            StepProgress(
                number=step.number,
                activity=step.activity,
                roles=tuple(sop.role(r).name for r in step.roles),
                state=state,
                due=due,
                overdue=state is State.OPEN and due is not None and due < today,
                evidence=evidence,
                assignees=issue.assignees if issue else (),
            )
        )
    return RequestProgress(
        key=request.key,
        sop=sop,
        request=request,
        epic_state=observed.epic.state if observed.epic else None,
        steps=tuple(steps),
    )
