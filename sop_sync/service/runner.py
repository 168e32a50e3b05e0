"""Start the service: inbox, web app under uvicorn, workers, reconciler; and drain once.

``serve`` is one process: uvicorn answers webhooks on the main thread's event loop, worker
threads claim jobs, a reconciler thread enqueues every open request every N minutes. SIGTERM
or Ctrl-C stops accepting, lets each worker finish its job, then exits (a job cut short by
kill -9 is taken over when its lease runs out).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sop_sync.config import LocalSettings, Settings
from sop_sync.errors import ConfigError
from sop_sync.secrets import WEBHOOK_SECRET, webhook_secret, webhook_signing_token
from sop_sync.service.handle import Connect, own_accounts
from sop_sync.service.inbox import open_inbox
from sop_sync.service.inbox.base import Inbox
from sop_sync.service.worker import Reconciler, Worker, reconcile_all, worker_name
from sop_sync.trackers.base import Connection
from sop_sync.trackers.factory import connect

log = logging.getLogger("sop_sync.service")

HEALTH_CACHE_SECONDS = 15.0


def required_webhook_secret() -> str:
    """The webhook secret from the environment (trimmed); a clear error when unset."""
    secret = webhook_secret()
    if not secret:
        raise ConfigError(
            f"set {WEBHOOK_SECRET}: the secret token GitLab sends (X-Gitlab-Token) and the "
            "Jira webhook's HMAC secret; a service without one would take orders from anybody"
        )
    return secret


def inbox_of(settings: Settings) -> Inbox:
    """The inbox the settings name (SQLite file or PostgreSQL URL)."""
    service = settings.service
    return open_inbox(
        service.inbox, max_attempts=service.max_attempts, retry_seconds=service.retry_seconds
    )


def connector(settings: Settings) -> Connect:
    """A fresh connection per job, as sop-sync's own account."""

    def opened() -> Connection:
        return connect(settings)

    return opened


@runtime_checkable
class Pingable(Protocol):
    """A tracker with one cheap call that proves it can be used."""

    def ping(self) -> None:
        """Raise when the tracker cannot be reached or refuses the token."""
        ...


class TrackerHealth:
    """``/healthz``'s tracker probe: one cheap call on a connection kept for it.

    The answer is remembered for a few seconds, so a health check every second costs at most
    one call per :data:`HEALTH_CACHE_SECONDS`; a failure drops the connection, so the next
    probe connects anew.
    """

    def __init__(self, open_connection: Connect, *, keep: bool = True) -> None:
        self.open_connection = open_connection
        self.keep = keep
        """False for the local tracker: its SQLite connection belongs to the thread that
        opened it, and a health check runs on any of the server's threads."""
        self._connection: Connection | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> None:
        """Raise when the tracker cannot be reached."""
        with self._lock:
            if time.monotonic() - self._checked < HEALTH_CACHE_SECONDS:
                return
            try:
                if self._connection is None:
                    self._connection = self.open_connection()
                tracker = self._connection.tracker
                if isinstance(tracker, Pingable):
                    tracker.ping()
                else:
                    tracker.requests()
            except Exception:
                self.close()
                raise
            if not self.keep:
                self.close()
            self._checked = time.monotonic()

    def close(self) -> None:
        """Drop the kept connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def accounts(settings: Settings, open_connection: Connect) -> set[str]:
    """sop-sync's own accounts: the setting, plus what the token's user is."""
    found = {settings.service.account} if settings.service.account else set()
    connection = open_connection()
    try:
        found |= own_accounts(connection)
    finally:
        connection.close()
    return found


@dataclass
class Running:
    """The background threads of one process."""

    workers: list[Worker]
    reconciler: Reconciler | None

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every thread to stop, then wait for the jobs in flight (bounded)."""
        for worker in self.workers:
            worker.stop()
        if self.reconciler is not None:
            self.reconciler.stop()
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.monotonic()))


def start_workers(
    inbox: Inbox,
    settings: Settings,
    open_connection: Connect,
    count: int,
    observe: Callable[[float, bool], None] | None = None,
    *,
    reconcile: bool = True,
) -> Running:
    """``count`` worker threads and, unless off, the reconciler thread."""
    workers = [
        Worker(inbox, settings, open_connection, name=worker_name(i), observe=observe)
        for i in range(count)
    ]
    for worker in workers:
        worker.start()
    minutes = settings.service.reconcile_minutes
    keep = settings.service.keep_deliveries_days * 86400
    inbox.forget_deliveries(keep)
    reconciler = (
        Reconciler(inbox, open_connection, minutes, keep) if reconcile and minutes else None
    )
    if reconciler is not None:
        reconciler.start()
    return Running(workers, reconciler)


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Run the service until SIGTERM or Ctrl-C."""
    import uvicorn

    from sop_sync.service.logs import configure_logging
    from sop_sync.service.web import create_app

    configure_logging()
    stop_on_sigterm()
    secret = required_webhook_secret()
    inbox = inbox_of(settings)
    open_connection = connector(settings)
    own = accounts(settings, open_connection)
    health = TrackerHealth(open_connection, keep=not isinstance(settings.tracker, LocalSettings))
    app = create_app(
        inbox,
        settings.service,
        secret,
        own=own,
        health=health,
        signing_token=webhook_signing_token(),
    )
    metrics = app.state.metrics
    running = start_workers(inbox, settings, open_connection, workers, metrics.observe_job)
    log.info(
        "service started",
        extra={"event": "start", "host": host, "port": port, "workers": workers},
    )
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="on"
    )
    try:
        uvicorn.Server(config).run()
    finally:
        running.stop()
        health.close()
        inbox.close()
        log.info("service stopped", extra={"event": "stop"})


def drain(inbox: Inbox, settings: Settings, open_connection: Connect, workers: int = 1) -> int:
    """Run jobs in this process until none is due (``service reconcile``); the number run."""
    ran = 0
    pool = [Worker(inbox, settings, open_connection, name=worker_name(i)) for i in range(workers)]
    lock = threading.Lock()

    def work(worker: Worker) -> None:
        nonlocal ran
        while worker.run_once():
            with lock:
                ran += 1

    threads = [threading.Thread(target=work, args=(w,)) for w in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ran


def reconcile_once(settings: Settings, *, workers: int = 1, enqueue_only: bool = False) -> int:
    """Enqueue every open request, then (unless ``enqueue_only``) run the due jobs here."""
    inbox = inbox_of(settings)
    try:
        open_connection = connector(settings)
        count = reconcile_all(inbox, open_connection)
        if not enqueue_only:
            drain(inbox, settings, open_connection, workers)
        return count
    finally:
        inbox.close()


def stop_on_sigterm() -> None:
    """SIGTERM ends the process like ``sys.exit(0)``, so ``finally`` blocks stop the workers.

    uvicorn captures SIGTERM while it serves and raises it again on the way out; without a
    handler the default action would kill the process before the workers finish their jobs.
    """

    def ended(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, ended)


def run_workers(settings: Settings, count: int) -> None:
    """Workers and the reconciler without a web server, until SIGTERM or Ctrl-C."""
    from sop_sync.service.logs import configure_logging

    configure_logging()
    stop_on_sigterm()
    inbox = inbox_of(settings)
    running = start_workers(inbox, settings, connector(settings), count)
    log.info("workers started", extra={"event": "start", "workers": count})
    try:
        while True:
            time.sleep(1)
    finally:
        running.stop()
        inbox.close()
        log.info("workers stopped", extra={"event": "stop"})
