"""Run the rules on a tracker: observe, inspect repositories, evaluate, apply the fixes.

Also the per-step progress that ``status`` shows: the same observation and the same
evaluation as ``check``, so both name a step's state the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.app.requests import open_requests, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Duplicate, ObservedRequest, RepoStatus
from sop_sync.reports.milestones import PhaseMilestone, request_phases
from sop_sync.rules.closing import ClosingPolicy
from sop_sync.rules.evaluate import Evaluation, evaluate
from sop_sync.rules.evidence import repository_url
from sop_sync.rules.progress import RequestProgress, request_progress
from sop_sync.schedule.timeline import procedure_deadline
from sop_sync.sop.model import EvidenceKind, Sop
from sop_sync.trackers.base import Connection, Repositories, Tracker


def repositories(
    inspector: Repositories, sop: Sop, request: RequestInput, observed: ObservedRequest
) -> dict[str, RepoStatus]:
    """Inspect each repository an open-repository evidence item points at."""
    found: dict[str, RepoStatus] = {}
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        wanted = any(item.kind is EvidenceKind.OPEN_REPOSITORY for item in step.evidence)
        if issue is None or not wanted:
            continue
        url = repository_url(issue, request)
        if url and url not in found:
            found[url] = inspector.inspect(url)
    return found


def check(
    connection: Connection,
    sop: Sop,
    request: RequestInput,
    closing: ClosingPolicy | None = None,
    *,
    history: bool = True,
) -> tuple[ObservedRequest, Evaluation]:
    """The request as the tracker has it now, and the rules' verdicts on it.

    ``history=False`` reads no notes, attachments or events (cheaper on remote trackers):
    enough for an overview, not for judging evidence.
    """
    observed = connection.tracker.observe(request.key, history=history)
    repos = repositories(connection.repositories, sop, request, observed) if history else {}
    return observed, evaluate(sop, request, observed, repos, closing)


def fix(tracker: Tracker, evaluation: Evaluation, key: str) -> Outcome:
    """Apply the corrective changes; failures are collected, not raised."""
    return apply_changes(tracker, evaluation.changes, Outcome(key))


@dataclass(frozen=True)
class RequestStatus:
    """What ``status`` shows of one request: per-step progress, and its phases when asked."""

    progress: RequestProgress
    phases: tuple[PhaseMilestone, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    """Owned objects the tracker holds twice (the oldest is used)."""


def progress(
    connection: Connection, settings: Settings, key: str | None, today: dt.date
) -> list[RequestStatus]:
    """Per-step progress of one request (``key``: with its evidence and phases) or of all.

    Lateness is counted in hari kerja as the reports count it; the overview of every request
    reads no history and schedules no phases (it stays cheap, and loads no holiday tables
    unless a step is past its date).
    """
    tracker = connection.tracker
    found = open_requests(tracker, key) if key else tracker.requests()
    calendar = settings.calendar.calendar()
    result = []
    for summary in found:
        request = request_of(summary)
        sop = find_sop(settings.mappings_dir, request.sop_id)
        policy = settings.closing.policy(sop.id)
        observed, evaluation = check(connection, sop, request, policy, history=key is not None)
        deadline = procedure_deadline(sop, request.start, calendar) if sop.deadline else None
        made = request_progress(
            sop, request, observed, evaluation, today, deadline, calendar=calendar
        )
        phases = (
            request_phases(
                made, observed, evaluation.answers, calendar, today,
                tentative=settings.tentative_duration,
            )
            if key is not None
            else ()
        )  # fmt: skip
        result.append(RequestStatus(made, phases, observed.duplicates))
    return result
