"""Open and reconcile requests: observe, plan, diff, apply — until nothing is left to do.

The one place that drives a tracker for requests. Pure planning lives in
:mod:`sop_sync.plan`; this module only sequences it with tracker calls.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sop_sync.changes import Change, CreateIssue, EnsureLabel, EnsureMilestone, Link, Ref
from sop_sync.config import Settings
from sop_sync.errors import InputError, SopSyncError, TrackerError
from sop_sync.plan import Texts, desired_state, diff
from sop_sync.request import RequestInput
from sop_sync.schedule import schedule
from sop_sync.sop.loader import load_sop
from sop_sync.sop.model import Sop
from sop_sync.sop.registry import sop_path
from sop_sync.trackers.base import ObservedRequest, RequestSummary, State, Tracker

MAX_PASSES = 3
"""Passes per request: the second links the epic to the step issues created by the first."""


@dataclass
class Outcome:
    """What one run did to one request."""

    key: str
    applied: list[Change] = field(default_factory=list)
    failures: list[tuple[Change, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every change went through."""
        return not self.failures


Progress = Callable[[Change], None]


def check_request(sop: Sop, request: RequestInput, settings: Settings) -> None:
    """Refuse a request that names unknown roles or decisions, before any write."""
    known = {role.id for role in sop.roles}
    for role, _ in request.people:
        if role not in known:
            raise InputError(
                f"unknown role {role!r} for SOP {sop.id!r} (roles: {', '.join(sorted(known))})"
            )
    try:
        schedule(sop, request.start, settings.calendar.calendar(), dict(request.answers))
    except ValueError as error:
        raise InputError(str(error)) from None


def plan_changes(
    tracker: Tracker,
    sop: Sop,
    request: RequestInput,
    settings: Settings,
    texts: Texts,
    observed: ObservedRequest | None = None,
) -> list[Change]:
    """The changes that would bring ``request`` up to date (nothing is written)."""
    observed = observed if observed is not None else tracker.observe(request.key, history=False)
    desired = desired_state(
        sop,
        request,
        settings.calendar.calendar(),
        tracker.capabilities,
        texts,
        observed,
        settings.tentative_duration,
    )
    return diff(desired, observed)


def converge(
    tracker: Tracker,
    sop: Sop,
    request: RequestInput,
    settings: Settings,
    texts: Texts,
    progress: Progress | None = None,
) -> Outcome:
    """Apply changes until the tracker matches the request (at most ``MAX_PASSES``)."""
    outcome = Outcome(request.key)
    for _ in range(MAX_PASSES):
        changes = plan_changes(tracker, sop, request, settings, texts)
        if not changes:
            break
        workers = max(1, tracker.capabilities.parallel_writes)
        for wave in waves(changes):
            for change, error in _apply_wave(tracker, wave, workers):
                if error is None:
                    outcome.applied.append(change)
                else:
                    outcome.failures.append((change, error))
                if progress is not None:
                    progress(change)
        if outcome.failures:
            break
    return outcome


def _stage(change: Change) -> int:
    """Changes of one stage depend only on earlier stages (the diff emits them in order)."""
    if isinstance(change, EnsureLabel | EnsureMilestone):
        return 0
    if isinstance(change, Link):
        return 3
    ref = getattr(change, "ref", None)
    if isinstance(ref, Ref) and ref.step is None:
        return 1 if isinstance(change, CreateIssue) else 4
    return 2


def _subject(change: Change) -> Ref | None:
    """The object a change writes; changes of one subject stay in order."""
    if isinstance(change, Link):
        return change.source
    ref = getattr(change, "ref", None)
    return ref if isinstance(ref, Ref) else None


def waves(changes: list[Change]) -> list[list[list[Change]]]:
    """Consecutive changes of one stage, grouped by subject: groups may run in parallel."""
    result: list[list[list[Change]]] = []
    last = -1
    for change in changes:
        stage = _stage(change)
        if stage != last:
            result.append([])
            last = stage
        groups = result[-1]
        subject = _subject(change)
        match = next((g for g in groups if subject is not None and _subject(g[0]) == subject), None)
        if match is None:
            groups.append([change])
        else:
            match.append(change)
    return result


def _apply_group(tracker: Tracker, group: list[Change]) -> list[tuple[Change, str | None]]:
    results: list[tuple[Change, str | None]] = []
    for change in group:
        try:
            tracker.apply(change)
        except SopSyncError as error:
            results.append((change, error.message))
        else:
            results.append((change, None))
    return results


def _apply_wave(
    tracker: Tracker, wave: list[list[Change]], workers: int
) -> list[tuple[Change, str | None]]:
    """Apply one wave, with up to ``workers`` groups at once; results in the diff's order."""
    if workers == 1 or len(wave) == 1:
        return [result for group in wave for result in _apply_group(tracker, group)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(lambda group: _apply_group(tracker, group), wave))
    return [result for results in done for result in results]


def existing_request(tracker: Tracker, key: str) -> RequestSummary | None:
    """The request with this key, if the tracker has one."""
    return next((summary for summary in tracker.requests() if summary.key == key), None)


def ensure_same_sop(tracker: Tracker, request: RequestInput) -> None:
    """Refuse to reuse a key that belongs to a request on another SOP."""
    found = existing_request(tracker, request.key)
    if found is not None and found.sop_id != request.sop_id:
        raise InputError(
            f"request {request.key!r} already exists with SOP {found.sop_id!r}; "
            f"choose another --kunci"
        )


def request_of(summary: RequestSummary) -> RequestInput:
    """The request as recorded in its epic's marker."""
    try:
        return RequestInput.from_data(summary.key, summary.data)
    except (KeyError, ValueError) as error:
        raise TrackerError(
            f"request {summary.key!r}: its hidden marker is damaged ({error}); "
            "restore the epic's marker or open the request again"
        ) from None


def open_requests(tracker: Tracker, key: str | None = None) -> list[RequestSummary]:
    """Requests to reconcile: every open one, or the one named (an error if unknown)."""
    summaries = tracker.requests()
    if key is None:
        return [s for s in summaries if s.state is State.OPEN]
    found = [s for s in summaries if s.key == key]
    if not found:
        raise InputError(f"no request {key!r} in this tracker")
    return found


def sync_request(
    tracker: Tracker,
    summary: RequestSummary,
    settings: Settings,
    texts: Texts,
    progress: Progress | None = None,
) -> Outcome:
    """Bring one request up to date with the current SOP file."""
    request = request_of(summary)
    sop = load_sop(sop_path(settings.mappings_dir, request.sop_id))
    return converge(tracker, sop, request, settings, texts, progress)


__all__ = [
    "Outcome",
    "check_request",
    "converge",
    "ensure_same_sop",
    "existing_request",
    "open_requests",
    "plan_changes",
    "request_of",
    "sync_request",
]
