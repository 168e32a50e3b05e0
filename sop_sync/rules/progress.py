"""Per-step progress of a request as people read it: role, state, due, overdue, evidence.

Pure: built from the SOP, the request, the observed issues and the rules' evaluation; the
one computation of a step's state (:func:`step_state`) that ``status``, ``check`` and the
coming reports show.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sop_sync.model.labels import SKIPPED
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Issue, ObservedRequest, State
from sop_sync.rules.evaluate import Evaluation, StepVerdict
from sop_sync.rules.evidence import EvidenceStatus
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.sop.model import Sop


class StepState(enum.Enum):
    """A step's state as every view names it."""

    MISSING = "belum ada"
    """The step issue does not exist (run ``sync``)."""
    OPEN = "terbuka"
    DONE = "selesai"
    SKIPPED = "dilewati"


def step_state(verdict: StepVerdict, issue: Issue | None) -> StepState:
    """Skipped (by the path taken or by its label), else done, open, or missing."""
    if verdict.skipped or (issue is not None and SKIPPED in issue.labels):
        return StepState.SKIPPED
    if issue is None:
        return StepState.MISSING
    return StepState.DONE if issue.state is State.CLOSED else StepState.OPEN


def late_days(calendar: WorkCalendar, due: dt.date, until: dt.date) -> int:
    """How many hari kerja something due on ``due`` is late on ``until`` (0: on time).

    The working days after ``due`` up to ``until``, both counted: due Friday and still open
    on Saturday is on time; on Monday it is 1 hari kerja late. Status and reports both judge
    steps and phases with it.
    """
    if until <= due:
        return 0
    return calendar.working_days_between(due + dt.timedelta(days=1), until)


@dataclass(frozen=True)
class StepProgress:
    """One step of one request."""

    number: int
    activity: str
    roles: tuple[str, ...]
    state: StepState
    due: dt.date | None
    overdue: bool
    evidence: tuple[EvidenceStatus, ...]
    assignees: tuple[str, ...]
    late_days: int = 0
    """Hari kerja past its due date while open (:func:`late_days`; with a calendar only)."""


@dataclass(frozen=True)
class RequestProgress:
    """One request: its steps and a summary."""

    key: str
    sop: Sop
    request: RequestInput
    epic_state: State | None
    steps: tuple[StepProgress, ...]
    deadline: dt.datetime | None = None
    """When the whole procedure must be done (the SOP's ``batas_waktu``), if it says."""
    today: dt.date | None = None

    @property
    def done(self) -> int:
        """Steps done (skipped steps are not done: they are off the path)."""
        return sum(1 for s in self.steps if s.state is StepState.DONE)

    @property
    def on_path(self) -> int:
        """Steps on the path taken (every step but the skipped ones)."""
        return sum(1 for s in self.steps if s.state is not StepState.SKIPPED)

    @property
    def skipped(self) -> int:
        """Steps skipped."""
        return len(self.steps) - self.on_path

    @property
    def overdue(self) -> int:
        """Open steps past their due date."""
        return sum(1 for s in self.steps if s.overdue)

    @property
    def current(self) -> StepProgress | None:
        """The first open step in table order."""
        return next((s for s in self.steps if s.state is StepState.OPEN), None)

    @property
    def late(self) -> bool:
        """The request is past the SOP's deadline for the whole procedure and still open."""
        if self.deadline is None or self.today is None or self.epic_state is State.CLOSED:
            return False
        return self.today > self.deadline.date()


def request_progress(
    sop: Sop,
    request: RequestInput,
    observed: ObservedRequest,
    evaluation: Evaluation,
    today: dt.date,
    deadline: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> RequestProgress:
    """The progress of every step of ``request`` on ``today``, as the rules judged it.

    With ``calendar``, an open step is overdue when it is at least one hari kerja late
    (:func:`late_days`, as the reports judge it); without, when its due date has passed.
    """
    steps = []
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        verdict = evaluation.verdict(step.number)
        state = step_state(verdict, issue)
        due = issue.due if issue else None
        late = (
            late_days(calendar, due, today)
            if calendar is not None and state is StepState.OPEN and due is not None and due < today
            else 0  # the calendar (and its holiday tables) only for a step past its date
        )
        overdue = state is StepState.OPEN and due is not None and due < today
        steps.append(
            StepProgress(
                number=step.number,
                activity=step.activity,
                roles=tuple(sop.role(r).name for r in step.roles),
                state=state,
                due=due,
                overdue=late > 0 if calendar is not None else overdue,
                evidence=verdict.evidence,
                assignees=issue.assignees if issue else (),
                late_days=late,
            )
        )
    return RequestProgress(
        key=request.key,
        sop=sop,
        request=request,
        epic_state=observed.epic.state if observed.epic else None,
        steps=tuple(steps),
        deadline=deadline,
        today=today,
    )
