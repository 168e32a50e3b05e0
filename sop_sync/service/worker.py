"""Workers: claim a job, keep its lease alive while it runs, finish or fail it; the reconciler.

A worker is a thread (``serve`` runs a few beside the web app; ``service worker`` runs them
without it, on another host if the inbox is PostgreSQL). Failures are retried with doubling
back-off from ``retry_seconds`` (capped at one hour) and parked after ``max_attempts``.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable

from sop_sync.app.requests import open_requests
from sop_sync.config import ServiceSettings, Settings
from sop_sync.errors import SopSyncError
from sop_sync.secrets import scrub
from sop_sync.service.handle import Connect, handle
from sop_sync.service.inbox.base import Claim, Inbox, LeaseLost
from sop_sync.service.jobs import request_job

log = logging.getLogger("sop_sync.service")

BACKOFF_CAP = 3600.0
Observe = Callable[[float, bool], None]
"""Called after each job with its seconds and whether it succeeded (metrics)."""


def worker_name(index: int) -> str:
    """``<host>-<pid-ish>-<index>``: unique across hosts and restarts."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}-{index}"


def backoff(service: ServiceSettings, attempts: int) -> float | None:
    """Seconds before the next attempt after ``attempts`` failures; None to park."""
    if attempts >= service.max_attempts:
        return None
    return float(min(BACKOFF_CAP, service.retry_seconds * 2.0 ** max(0, attempts - 1)))


class LeaseKeeper:
    """Extends a claim's lease every third of its length while the job runs."""

    def __init__(self, inbox: Inbox, claim: Claim, lease: float) -> None:
        self.inbox = inbox
        self.claim = claim
        self.lease = lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                self.claim = self.inbox.extend(self.claim, self.lease)
            except LeaseLost:
                self.lost = True
                return
            except Exception as error:
                log.warning(
                    "lease extension failed",
                    extra={"job": self.claim.job, "error": scrub(str(error))},
                )


class Worker(threading.Thread):
    """Claims and runs jobs until stopped."""

    def __init__(
        self,
        inbox: Inbox,
        settings: Settings,
        connect: Connect,
        *,
        name: str,
        observe: Observe | None = None,
        poll: float = 0.2,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.inbox = inbox
        self.settings = settings
        self.connect = connect
        self.observe = observe
        self.poll = poll
        self.stopping = threading.Event()

    def run(self) -> None:
        """Claim, run, finish; sleep a little when nothing is due."""
        while not self.stopping.is_set():
            try:
                worked = self.run_once()
            except Exception as error:
                log.error("inbox unavailable", extra={"error": scrub(str(error))})
                worked = False
            if not worked:
                self.stopping.wait(self.poll)

    def stop(self) -> None:
        """Finish the current job, then stop."""
        self.stopping.set()

    def run_once(self) -> bool:
        """Run one due job; False when none was due."""
        lease = self.settings.service.lease_seconds
        claim = self.inbox.claim(self.name, lease)
        if claim is None:
            return False
        started = time.monotonic()
        ok = False
        with LeaseKeeper(self.inbox, claim, lease) as keeper:
            try:
                done = handle(claim, self.settings, self.connect, self.inbox)
            except Exception as error:
                message = _message(error)
                retry_in = backoff(self.settings.service, claim.attempts + 1)
                if not keeper.lost:
                    self.inbox.fail(keeper.claim, message, retry_in=retry_in)
                _log_job(
                    claim.job,
                    "parked" if retry_in is None else "failed",
                    started,
                    error=message,
                    attempts=claim.attempts + 1,
                )
            else:
                ok = True
                if not keeper.lost:
                    self.inbox.finish(keeper.claim)
                _log_job(
                    claim.job,
                    done.action,
                    started,
                    changes=done.changes,
                    details="; ".join(done.details),
                )
        if self.observe is not None:
            self.observe(time.monotonic() - started, ok)
        return True


def _message(error: BaseException) -> str:
    """One scrubbed line for the inbox and the logs."""
    text = error.message if isinstance(error, SopSyncError) else f"{type(error).__name__}: {error}"
    return scrub(" ".join(str(text).split()))[:2000]


def _log_job(job: str, status: str, started: float, **fields: object) -> None:
    """One JSON log line per job."""
    ms = round((time.monotonic() - started) * 1000, 1)
    level = logging.WARNING if status in {"failed", "parked"} else logging.INFO
    log.log(level, "job", extra={"event": "job", "job": job, "status": status, "ms": ms, **fields})


def reconcile_all(inbox: Inbox, connect: Connect) -> int:
    """Enqueue every open request once (a missed webhook is repaired); the number enqueued."""
    connection = connect()
    try:
        keys = [summary.key for summary in open_requests(connection.tracker)]
    finally:
        connection.close()
    for key in keys:
        inbox.enqueue(request_job(key))
    return len(keys)


class Reconciler(threading.Thread):
    """Every ``reconcile_minutes``, enqueue every open request."""

    def __init__(
        self, inbox: Inbox, connect: Connect, minutes: float, keep_deliveries: float
    ) -> None:
        super().__init__(name="reconciler", daemon=True)
        self.inbox = inbox
        self.connect = connect
        self.minutes = minutes
        self.keep_deliveries = keep_deliveries
        self.stopping = threading.Event()

    def run(self) -> None:
        """Pass, wait, pass again."""
        while not self.stopping.wait(self.minutes * 60):
            try:
                self.inbox.forget_deliveries(self.keep_deliveries)
                count = reconcile_all(self.inbox, self.connect)
                log.info("reconcile", extra={"event": "reconcile", "requests": count})
            except Exception as error:
                log.error(
                    "reconcile failed", extra={"event": "reconcile", "error": _message(error)}
                )

    def stop(self) -> None:
        """Stop after the current pass."""
        self.stopping.set()
