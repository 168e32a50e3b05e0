"""Run the rules on a tracker: observe, inspect repositories, evaluate, apply the fixes.

Also the per-step progress that ``status`` shows: the same observation and the same
evaluation as ``check``, so both name a step's state the same way.
"""

from __future__ import annotations

import datetime as dt

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.app.requests import open_requests, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest, RepoStatus
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


def progress(
    connection: Connection, settings: Settings, key: str | None, today: dt.date
) -> list[RequestProgress]:
    """Per-step progress of one request (``key``, with its evidence) or of every request."""
    tracker = connection.tracker
    found = open_requests(tracker, key) if key else tracker.requests()
    result = []
    for summary in found:
        request = request_of(summary)
        sop = find_sop(settings.mappings_dir, request.sop_id)
        policy = settings.closing.policy(sop.id)
        observed, evaluation = check(connection, sop, request, policy, history=key is not None)
        deadline = (
            procedure_deadline(sop, request.start, settings.calendar.calendar())
            if sop.deadline
            else None
        )
        result.append(request_progress(sop, request, observed, evaluation, today, deadline))
    return result
