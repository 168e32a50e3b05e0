"""Reconcile one request: observe, judge, fix, judge again — ``check --fix`` and the service.

The same use case runs from the command line and in the sync service's workers, so a step
closed early is reopened with the same comment whichever noticed it first. Two runs must never
post the same comment twice, so a fix holds the request's lock from the observation it judges
to the last change it applies:

- between processes on one host, an exclusive ``flock`` on a lock file per request (beside the
  local tracker's database, or in the user's cache folder for a remote tracker);
- between the service's workers on several hosts, also the inbox's lease on the request's job
  (:mod:`sop_sync.service.inbox`), which the worker holds before it calls this.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sop_sync.app.apply import Outcome
from sop_sync.app.documents import Generated, attach_due_documents
from sop_sync.app.enforce import check, fix
from sop_sync.app.requests import existing_request, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import GitLabSettings, JiraSettings, LocalSettings, Settings
from sop_sync.errors import InputError, TrackerUnavailableError
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest
from sop_sync.rules.evaluate import Evaluation
from sop_sync.sop.model import Sop
from sop_sync.trackers.base import Connection

LOCK_WAIT = 120.0
"""Seconds a fix waits for another run to finish the same request before giving up."""


@dataclass
class Reconciled:
    """What one reconcile saw and did."""

    key: str
    sop: Sop
    request: RequestInput
    observed: ObservedRequest
    evaluation: Evaluation
    """The verdicts before any fix."""
    outcome: Outcome | None = None
    """The fixes applied (None when nothing needed fixing or ``fix`` was off)."""
    after: Evaluation | None = None
    """The verdicts after the fixes (None when nothing was applied)."""
    documents: list[Generated] = field(default_factory=list)
    """Documents made and attached by the fix: a producing step closed, ``/sop dokumen``."""

    @property
    def final(self) -> Evaluation:
        """The verdicts as the tracker stands at the end."""
        return self.after if self.after is not None else self.evaluation


def lock_folder(settings: Settings) -> Path:
    """Where the per-request lock files of this tracker live."""
    tracker = settings.tracker
    if isinstance(tracker, LocalSettings):
        return tracker.path.parent / f"{tracker.path.name}.locks"
    where = ""
    if isinstance(tracker, GitLabSettings | JiraSettings):
        where = f"{tracker.kind} {tracker.url} {tracker.project}"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "sop-sync" / "locks" / hashlib.sha256(where.encode()).hexdigest()[:16]


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@contextlib.contextmanager
def request_lock(
    folder: Path, key: str, wait: float = LOCK_WAIT, *, sleep: Callable[[float], None] = time.sleep
) -> Iterator[None]:
    """Hold the request's lock file (another process fixing it makes this wait, then fail)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = _UNSAFE.sub("_", key) + "-" + hashlib.sha256(key.encode()).hexdigest()[:8] + ".lock"
    path = folder / name
    with path.open("a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TrackerUnavailableError(
                        f"another sop-sync run is fixing request {key!r} "
                        f"(lock {path} held for over {wait:.0f} s)"
                    ) from None
                sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def reconcile(
    connection: Connection,
    settings: Settings,
    key: str,
    *,
    fix_it: bool = True,
    lock_wait: float = LOCK_WAIT,
) -> Reconciled:
    """Judge request ``key`` and, with ``fix_it``, apply the corrective changes under its lock."""
    summary = existing_request(connection.tracker, key)
    if summary is None:
        raise InputError(f"no request {key!r} in this tracker")
    request = request_of(summary)
    sop = find_sop(settings.mappings_dir, request.sop_id)
    policy = settings.closing.policy(sop.id)
    if not fix_it:
        observed, evaluation = check(connection, sop, request, policy)
        return Reconciled(key, sop, request, observed, evaluation)
    with request_lock(lock_folder(settings), key, lock_wait):
        observed, evaluation = check(connection, sop, request, policy)
        done = Reconciled(key, sop, request, observed, evaluation)
        if evaluation.changes:
            done.outcome = fix(connection.tracker, evaluation, key)
            _, done.after = check(connection, sop, request, policy)
        # --- documents (issue 13): made when their step closes or `/sop dokumen` asks ---
        done.documents = attach_due_documents(
            connection, settings, sop, request, observed, done.final
        )
    return done
