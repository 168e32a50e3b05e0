"""The inbox in one SQLite file: the embedded default, for one host (any number of processes).

- WAL and ``synchronous=FULL``: :meth:`SqliteInbox.accept` returns once the deliveries are in
  the synced log, so a webhook acknowledged with 2xx survives a power cut;
- every write is one ``BEGIN IMMEDIATE`` transaction, so processes and threads take turns
  (one connection per inbox object, behind a lock); waiting for another process's lock
  happens in short steps and ends after ``busy_timeout`` seconds in one line naming the file;
- the schema version (table ``inbox_meta``) is read before anything is written, so a file
  that is not a sop-sync inbox (the local tracker's database, a text file) is refused
  untouched, not even its header rewritten by ``journal_mode``;
- times are this host's clock (epoch seconds): every process sharing the file shares it.

The semantics are those of :mod:`sop_sync.service.inbox.base`, with three details the
protocol leaves open (the PostgreSQL inbox does the same):

- while a job is leased its ``due_at`` is the lease's end, lowered to "now" by a delivery
  arriving meanwhile: so an expired lease is due since it expired, and a job kept by
  ``finish`` is due since the delivery that kept it;
- ``finish`` and ``fail`` from a worker whose lease another worker has taken change nothing
  but the counters (the other worker's run covers the job);
- ``enqueue`` (the reconciler) never un-parks a job; a new delivery (a person acted) does.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from sop_sync.errors import ConfigError, SopSyncError
from sop_sync.service.inbox.base import (
    Claim,
    Delivery,
    InboxStats,
    JsonHints,
    LeaseLost,
    ParkedJob,
    after_failure,
)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE inbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE deliveries (
    source TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
CREATE INDEX inbox_deliveries_received ON deliveries (received_at);
CREATE TABLE jobs (
    key TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    due_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    hints TEXT NOT NULL DEFAULT '{}',
    parked INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX inbox_jobs_due ON jobs (parked, due_at);
CREATE TABLE counters (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    processed INTEGER NOT NULL,
    failed INTEGER NOT NULL
);
INSERT INTO counters VALUES (1, 0, 0);
"""
BUSY_STEP = 0.05
"""Seconds SQLite itself waits for a lock before Python checks its deadline (and Ctrl-C)."""
MAX_ERROR = 500
"""Characters of a failure's message kept for ``parked`` and ``service status``."""
T = TypeVar("T")


def one_line(text: str, limit: int = MAX_ERROR) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", -1)
    if isinstance(code, int) and code >= 0:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error)


def _explain(error: sqlite3.Error | OSError) -> str:
    text = one_line(str(error), 200)
    if "not a database" in text or "malformed" in text:
        return "the file is not a sop-sync inbox (not an SQLite database, or corrupted)"
    if "readonly database" in text:
        return "the file or its folder is read-only; the inbox needs to write there"
    return text


class SqliteInbox:
    """The :class:`~sop_sync.service.inbox.base.Inbox` in one SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        max_attempts: int,
        retry_seconds: float = 5.0,
        busy_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        self.busy_timeout = busy_timeout
        self.clock = clock
        self._lock = threading.Lock()
        opening = f"{path}: cannot open the inbox"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(
                path, timeout=BUSY_STEP, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as error:
            raise SopSyncError(f"{opening}: {_explain(error)}") from None
        try:
            version = self._waiting(opening, lambda: self._schema_version(opening))
            self._waiting(opening, lambda: self.db.execute("PRAGMA journal_mode = WAL"))
            self.db.execute("PRAGMA synchronous = FULL")
            if version is None:
                version = self._create(opening)
            if version != str(SCHEMA_VERSION):
                newer = version.isdigit() and int(version) > SCHEMA_VERSION
                raise ConfigError(
                    f"{opening}: schema version {version!r} is not supported "
                    f"({'written by a newer sop-sync; upgrade sop-sync' if newer else 'unknown'}"
                    f"; this one knows version {SCHEMA_VERSION})"
                )
        except sqlite3.Error as error:
            self.db.close()
            problem = _explain(error)
            kind = ConfigError if "not a sop-sync inbox" in problem else SopSyncError
            raise kind(f"{opening}: {problem}") from None
        except BaseException:
            self.db.close()
            raise

    # --- opening ------------------------------------------------------------------------

    def _schema_version(self, opening: str) -> str | None:
        """The stored version; None for an empty file; a foreign database is refused."""
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master")}
        if "inbox_meta" in tables:
            row = self.db.execute(
                "SELECT value FROM inbox_meta WHERE key = 'schema_version'"
            ).fetchone()
            if row is not None:
                return str(row[0])
        if tables:
            raise ConfigError(f"{opening}: it is an SQLite database, but not a sop-sync inbox")
        return None

    def _create(self, opening: str) -> str:
        with self._write("creating the inbox") as db:
            version = self._schema_version(opening)  # another process may have been first
            if version is not None:
                return version
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(
                "INSERT INTO inbox_meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        return str(SCHEMA_VERSION)

    # --- transactions -------------------------------------------------------------------

    def _waiting(self, doing: str, run: Callable[[], T]) -> T:
        """``run()``, retried in short steps while another process holds the lock."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return run()
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
                if time.monotonic() >= deadline:
                    raise SopSyncError(
                        f"{doing}: the inbox is locked by another process for more than "
                        f"{self.busy_timeout:g} s"
                    ) from None

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One immediate transaction, committed (and synced) when the block ends."""
        where = f"{self.path}: {doing}"
        with self._lock:
            try:
                self._waiting(where, lambda: self.db.execute("BEGIN IMMEDIATE"))
                yield self.db
                self._waiting(where, lambda: self.db.execute("COMMIT"))
            except BaseException as error:
                if self.db.in_transaction:
                    with suppress(sqlite3.Error):
                        self.db.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise SopSyncError(f"{where}: {_explain(error)}") from None
                raise

    @contextmanager
    def _read(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same committed state."""
        where = f"{self.path}: {doing}"
        with self._lock:
            try:
                self.db.execute("BEGIN")
                yield self.db
            except sqlite3.Error as error:
                raise SopSyncError(f"{where}: {_explain(error)}") from None
            finally:
                with suppress(sqlite3.Error):
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")

    # --- the protocol -------------------------------------------------------------------

    def accept(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """Store the deliveries durably; True per new delivery, False per duplicate."""
        new: list[bool] = []
        with self._write("storing deliveries") as db:
            now = self.clock()
            for delivery in deliveries:
                inserted = db.execute(
                    "INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?)",
                    (delivery.source, delivery.delivery_id, delivery.job, delivery.kind, now),
                ).rowcount
                new.append(inserted == 1)
                if inserted == 1:
                    self._touch(db, delivery.job, delivery.hints, now, unpark=True)
        return new

    def enqueue(self, job: str, hints: JsonHints | None = None) -> None:
        """Make a job due now without a delivery (a parked job stays parked)."""
        with self._write("enqueueing a job") as db:
            self._touch(db, job, hints or {}, self.clock(), unpark=False)

    @staticmethod
    def _touch(
        db: sqlite3.Connection, job: str, hints: JsonHints, now: float, *, unpark: bool
    ) -> None:
        """A new generation of ``job``: created, or due now with its hints merged."""
        row = db.execute("SELECT hints, parked FROM jobs WHERE key = ?", (job,)).fetchone()
        if row is None:
            db.execute(
                "INSERT INTO jobs (key, generation, due_at, hints, created_at) "
                "VALUES (?, 1, ?, ?, ?)",
                (job, now, json.dumps(dict(hints), sort_keys=True), now),
            )
            return
        merged = {**json.loads(row[0]), **hints}
        if row[1] and unpark:
            db.execute(
                "UPDATE jobs SET generation = generation + 1, hints = ?, parked = 0, "
                "attempts = 0, last_error = '', due_at = ? WHERE key = ?",
                (json.dumps(merged, sort_keys=True), now, job),
            )
        else:
            db.execute(
                "UPDATE jobs SET generation = generation + 1, hints = ?, "
                "due_at = CASE WHEN parked THEN due_at ELSE min(due_at, ?) END WHERE key = ?",
                (json.dumps(merged, sort_keys=True), now, job),
            )

    def claim(self, worker: str, lease: float) -> Claim | None:
        """Lease the job due longest (not parked, no live lease) to ``worker``."""
        with self._write("claiming a job") as db:
            now = self.clock()
            row = db.execute(
                "SELECT key, generation, attempts, hints FROM jobs "
                "WHERE parked = 0 AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) "
                "ORDER BY due_at, key LIMIT 1",
                (now, now),
            ).fetchone()
            if row is None:
                return None
            until = now + lease
            db.execute(
                "UPDATE jobs SET lease_owner = ?, lease_until = ?, due_at = ? WHERE key = ?",
                (worker, until, until, row[0]),
            )
        return Claim(row[0], row[1], row[2], json.loads(row[3]), worker, until)

    def extend(self, claim: Claim, lease: float) -> Claim:
        """Keep the lease; LeaseLost when another worker holds the job (or it is gone)."""
        with self._write("extending a lease") as db:
            until = self.clock() + lease
            changed = db.execute(
                "UPDATE jobs SET lease_until = ?, "
                "due_at = CASE WHEN generation = ? THEN ? ELSE due_at END "
                "WHERE key = ? AND lease_owner = ?",
                (until, claim.generation, until, claim.job, claim.worker),
            ).rowcount
        if changed != 1:
            raise LeaseLost(f"{claim.job}: another worker holds it now")
        return Claim(claim.job, claim.generation, claim.attempts, claim.hints, claim.worker, until)

    def finish(self, claim: Claim) -> None:
        """Remove the job, or keep it due when a delivery arrived since the claim."""
        with self._write("finishing a job") as db:
            db.execute("UPDATE counters SET processed = processed + 1")
            removed = db.execute(
                "DELETE FROM jobs WHERE key = ? AND lease_owner = ? AND generation = ?",
                (claim.job, claim.worker, claim.generation),
            ).rowcount
            if not removed:
                db.execute(
                    "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, attempts = 0 "
                    "WHERE key = ? AND lease_owner = ?",
                    (claim.job, claim.worker),
                )

    def fail(self, claim: Claim, error: str, *, retry_in: float | None) -> None:
        """Due again in ``retry_in`` seconds; parked when None or after ``max_attempts``."""
        with self._write("recording a failure") as db:
            now = self.clock()
            db.execute("UPDATE counters SET failed = failed + 1")
            row = db.execute(
                "SELECT attempts, generation, due_at FROM jobs WHERE key = ? AND lease_owner = ?",
                (claim.job, claim.worker),
            ).fetchone()
            if row is None:
                return  # another worker holds the job now
            failure = after_failure(
                claim, row[0], row[1], row[2],
                now=now, retry_in=retry_in, max_attempts=self.max_attempts,
            )  # fmt: skip
            db.execute(
                "UPDATE jobs SET attempts = ?, last_error = ?, parked = ?, due_at = ?, "
                "lease_owner = NULL, lease_until = NULL WHERE key = ?",
                (failure.attempts, one_line(error), int(failure.parked), failure.due, claim.job),
            )

    def parked(self) -> list[ParkedJob]:
        """The parked jobs, oldest first."""
        with self._read("listing parked jobs") as db:
            rows = db.execute(
                "SELECT key, attempts, last_error, due_at FROM jobs WHERE parked = 1 "
                "ORDER BY due_at, key"
            ).fetchall()
        return [ParkedJob(key, attempts, error, since) for key, attempts, error, since in rows]

    def retry_parked(self, job: str | None = None) -> int:
        """Make parked jobs (one, or all) due again with no failed attempts."""
        with self._write("retrying parked jobs") as db:
            return db.execute(
                "UPDATE jobs SET parked = 0, attempts = 0, due_at = ? "
                "WHERE parked = 1 AND (? IS NULL OR key = ?)",
                (self.clock(), job, job),
            ).rowcount

    def stats(self) -> InboxStats:
        """Counts for metrics and status, from one snapshot."""
        with self._read("counting jobs") as db:
            now = self.clock()
            pending, running, parked, oldest = db.execute(
                "SELECT coalesce(sum(parked = 0), 0), "
                "coalesce(sum(parked = 0 AND lease_until > ?), 0), "
                "coalesce(sum(parked = 1), 0), "
                "min(CASE WHEN parked = 0 AND due_at <= ? THEN due_at END) FROM jobs",
                (now, now),
            ).fetchone()
            (deliveries,) = db.execute("SELECT count(*) FROM deliveries").fetchone()
            processed, failed = db.execute("SELECT processed, failed FROM counters").fetchone()
        age = max(0.0, now - oldest) if oldest is not None else 0.0
        return InboxStats(pending, running, parked, age, deliveries, processed, failed)

    def forget_deliveries(self, older_than: float) -> int:
        """Drop de-duplication rows received more than ``older_than`` seconds ago."""
        with self._write("forgetting old deliveries") as db:
            return db.execute(
                "DELETE FROM deliveries WHERE received_at < ?", (self.clock() - older_than,)
            ).rowcount

    def ping(self) -> None:
        """Raise when the file cannot be read."""
        with self._read("checking the inbox") as db:
            db.execute("SELECT count(*) FROM inbox_meta").fetchone()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.db.close()
