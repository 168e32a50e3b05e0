"""What a job does: the app's use cases, called the way ``check --fix`` calls them.

Each job opens its own tracker connection: a GitLab or Jira session caches what it read for a
run, and a long-lived service must judge the tracker as it is *now*. The worker holds the
job's lease (one reconcile per request across hosts); :func:`reconcile` also takes the
request's lock file (one per request on this host, shared with ``check --fix`` runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from sop_sync.app.gate import explain_merge_request, rerun_gates
from sop_sync.app.intake import open_from_issue
from sop_sync.app.reconcile import reconcile
from sop_sync.app.requests import existing_request
from sop_sync.config import Settings
from sop_sync.errors import TrackerError
from sop_sync.service.inbox.base import Claim, Inbox
from sop_sync.service.jobs import Job, parse_job, request_job
from sop_sync.trackers.base import Connection

Connect = Callable[[], Connection]
"""Opens a fresh connection to the configured tracker (as sop-sync's own account)."""


@runtime_checkable
class Accounts(Protocol):
    """A tracker that can say which accounts are sop-sync itself."""

    def own_accounts(self) -> frozenset[str]:
        """Usernames or account ids sop-sync writes as."""
        ...


def own_accounts(connection: Connection) -> frozenset[str]:
    """sop-sync's own accounts in this tracker (empty when the tracker cannot say)."""
    tracker = connection.tracker
    return tracker.own_accounts() if isinstance(tracker, Accounts) else frozenset()


@dataclass
class Done:
    """What one job did, for the log line and the tests."""

    job: str
    action: str
    """``reconciled``, ``explained``, ``resolved``, ``nothing``, or what ``/sop buka`` did."""
    changes: int = 0
    details: list[str] = field(default_factory=list)


class JobFailedError(TrackerError):
    """The job ran but some of its changes failed (retried with back-off)."""


def handle(claim: Claim, settings: Settings, connect: Connect, inbox: Inbox) -> Done:
    """Carry out one claimed job; raises on failure (the worker retries, then parks)."""
    job = parse_job(claim.job)
    connection = connect()
    try:
        return _HANDLERS[job.kind](job, claim, settings, connection, inbox)
    finally:
        connection.close()


def _request(
    job: Job, claim: Claim, settings: Settings, connection: Connection, inbox: Inbox
) -> Done:
    """Reconcile the request: rules and fixes, due documents, then the merge-request gate."""
    key = job.subject
    if existing_request(connection.tracker, key) is None:
        return Done(claim.job, "nothing", details=[f"no request {key!r} in the tracker"])
    done = reconcile(connection, settings, key)
    changes = len(done.outcome.applied) if done.outcome else 0
    if done.outcome is not None and done.outcome.failures:
        lines = [f"{change.describe()}: {message}" for change, message in done.outcome.failures]
        raise JobFailedError(f"{key}: {len(lines)} fixes failed: " + "; ".join(lines))
    details = [f"dokumen {made.describe()}" for made in done.documents]
    if connection.merge_requests is not None:
        rerun = rerun_gates(connection, settings, key, evaluation=done.final)
        details += [f"gate re-run: {ref}" for ref in rerun]
    return Done(claim.job, "reconciled", changes, details)


def _issue(
    job: Job, claim: Claim, settings: Settings, connection: Connection, inbox: Inbox
) -> Done:
    """An event on an issue whose payload did not name the request: find it, enqueue it."""
    if connection.discussions is None:
        return Done(claim.job, "nothing", details=["this tracker reads no foreign issues"])
    key = connection.discussions.read(job.ref).request_key
    if not key:
        return Done(claim.job, "nothing", details=[f"{job.ref} is not sop-sync's"])
    inbox.enqueue(request_job(key), dict(claim.hints))
    return Done(claim.job, "resolved", details=[f"{job.ref} → {key}"])


def _open(job: Job, claim: Claim, settings: Settings, connection: Connection, inbox: Inbox) -> Done:
    """``/sop buka`` on an issue written with the request template."""
    note = claim.hints.get("note_id") or claim.hints.get("comment_id")
    result = open_from_issue(connection, settings, job.ref, str(note) if note else None)
    if result.key and result.status == "opened":
        inbox.enqueue(request_job(result.key))
    return Done(claim.job, result.status, details=[str(result)])


def _mr(job: Job, claim: Claim, settings: Settings, connection: Connection, inbox: Inbox) -> Done:
    """A merge request that names no request: explain the ``SOP:`` line once."""
    project, _, iid = job.ref.rpartition("!")
    if connection.merge_requests is None:
        return Done(claim.job, "nothing", details=["no code host configured"])
    posted = explain_merge_request(connection, project, int(iid))
    return Done(claim.job, "explained" if posted else "nothing")


_HANDLERS: dict[str, Callable[[Job, Claim, Settings, Connection, Inbox], Done]] = {
    "request": _request,
    "issue": _issue,
    "open": _open,
    "mr": _mr,
}
