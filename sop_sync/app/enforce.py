"""Run the rules on a tracker: observe, inspect repositories, evaluate, apply the fixes.

Also the per-step progress that ``status`` shows (the same observation, the same evidence).
"""

from __future__ import annotations

import datetime as dt

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.app.requests import open_requests, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest, RepoStatus
from sop_sync.rules.evaluate import Evaluation, evaluate
from sop_sync.rules.evidence import repository_url
from sop_sync.rules.progress import RequestProgress, request_progress
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


def check(connection: Connection, sop: Sop, request: RequestInput) -> Evaluation:
    """The rules' verdicts on the request as the tracker has it now."""
    observed = connection.tracker.observe(request.key)
    repos = repositories(connection.repositories, sop, request, observed)
    return evaluate(sop, request, observed, repos)


def fix(tracker: Tracker, evaluation: Evaluation, key: str) -> Outcome:
    """Apply the corrective changes; failures are collected, not raised."""
    return apply_changes(tracker, evaluation.changes, Outcome(key))


def progress(
    connection: Connection, settings: Settings, key: str | None, today: dt.date
) -> list[RequestProgress]:
    """Per-step progress of one request (``key``) or of every request."""
    tracker = connection.tracker
    found = open_requests(tracker, key) if key else tracker.requests()
    result = []
    for summary in found:
        request = request_of(summary)
        sop = find_sop(settings.mappings_dir, request.sop_id)
        observed = tracker.observe(summary.key)
        repos = repositories(connection.repositories, sop, request, observed)  # as `check` sees
        result.append(request_progress(sop, request, observed, today, repos))
    return result
