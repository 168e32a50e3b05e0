"""Run the rules on a tracker: observe, inspect repositories, evaluate, apply the fixes."""

from __future__ import annotations

from sop_sync.changes import Change
from sop_sync.errors import SopSyncError
from sop_sync.evidence import RepoStatus, repository_url
from sop_sync.request import RequestInput
from sop_sync.rules import Evaluation, evaluate
from sop_sync.sop.model import EvidenceKind, Sop
from sop_sync.trackers.base import ObservedRequest, Tracker


def repositories(
    tracker: Tracker, sop: Sop, request: RequestInput, observed: ObservedRequest
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
            found[url] = tracker.inspect_repository(url)
    return found


def check(tracker: Tracker, sop: Sop, request: RequestInput) -> Evaluation:
    """The rules' verdicts on the request as the tracker has it now."""
    observed = tracker.observe(request.key)
    return evaluate(sop, request, observed, repositories(tracker, sop, request, observed))


def fix(tracker: Tracker, evaluation: Evaluation) -> list[tuple[Change, str]]:
    """Apply the corrective changes; failures are collected, not raised."""
    failures: list[tuple[Change, str]] = []
    for change in evaluation.changes:
        try:
            tracker.apply(change)
        except SopSyncError as error:
            failures.append((change, error.message))
    return failures
