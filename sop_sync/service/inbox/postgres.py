"""The inbox in PostgreSQL: for several replicas and workers on different hosts.

The same tables and the same semantics as :mod:`sop_sync.service.inbox.sqlite` (its
docstring lists the details the protocol leaves open), on psycopg 3:

- ``accept`` is one transaction: ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per delivery,
  and for each new one an upsert of its job (a new generation, due at the earliest, hints
  merged key by key with ``||``; a parked job is un-parked with no failed attempts);
- ``claim`` is one ``UPDATE`` of the row a ``SELECT ... FOR UPDATE SKIP LOCKED`` picked, so
  workers never wait for each other nor take the same job;
- times are the database's clock (``clock_timestamp()``, epoch seconds), so hosts whose
  clocks disagree still agree on who holds a lease;
- the schema is created at open, under ``pg_advisory_xact_lock``, so replicas starting at once
  do not race; tables of the same names that sop-sync did not create are refused, untouched.

One connection per inbox object, behind a lock (a worker thread may open its own inbox); a
connection that broke is opened again once before an operation gives up. Errors are one line
naming the URL with its password masked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from sop_sync.errors import ConfigError, SopSyncError
from sop_sync.secrets import MASK, mask_url
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
TABLES = ("inbox_meta", "deliveries", "jobs", "counters")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS inbox_meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE IF NOT EXISTS deliveries (
        source text NOT NULL,
        delivery_id text NOT NULL,
        job text NOT NULL,
        kind text NOT NULL,
        received_at double precision NOT NULL,
        PRIMARY KEY (source, delivery_id)
    )""",
    "CREATE INDEX IF NOT EXISTS inbox_deliveries_received ON deliveries (received_at)",
    """CREATE TABLE IF NOT EXISTS jobs (
        key text PRIMARY KEY,
        generation bigint NOT NULL,
        due_at double precision NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        lease_owner text,
        lease_until double precision,
        hints jsonb NOT NULL DEFAULT '{}',
        parked boolean NOT NULL DEFAULT false,
        last_error text NOT NULL DEFAULT '',
        created_at double precision NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS inbox_jobs_due ON jobs (due_at) WHERE NOT parked",
    """CREATE TABLE IF NOT EXISTS counters (
        id integer PRIMARY KEY CHECK (id = 1),
        processed bigint NOT NULL,
        failed bigint NOT NULL
    )""",
    "INSERT INTO counters VALUES (1, 0, 0) ON CONFLICT DO NOTHING",
)
SCHEMA_LOCK = 0x5_0D_5_1_0C  # any constant: the advisory lock replicas create the schema under
NOW = "SELECT extract(epoch FROM clock_timestamp())::float8"
CONNECT_TIMEOUT = 5
MAX_ERROR = 500
T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]

UPSERT_JOB = """
INSERT INTO jobs AS j (key, generation, due_at, hints, created_at)
VALUES (%(job)s, 1, %(now)s, %(hints)s, %(now)s)
ON CONFLICT (key) DO UPDATE SET
    generation = j.generation + 1,
    hints = j.hints || EXCLUDED.hints,
    due_at = CASE
        WHEN j.parked AND %(unpark)s THEN EXCLUDED.due_at
        WHEN j.parked THEN j.due_at
        ELSE least(j.due_at, EXCLUDED.due_at) END,
    attempts = CASE WHEN j.parked AND %(unpark)s THEN 0 ELSE j.attempts END,
    last_error = CASE WHEN j.parked AND %(unpark)s THEN '' ELSE j.last_error END,
    parked = j.parked AND NOT %(unpark)s
"""
CLAIM = """
UPDATE jobs SET lease_owner = %(worker)s, lease_until = %(until)s, due_at = %(until)s
WHERE key = (
    SELECT key FROM jobs
    WHERE NOT parked AND due_at <= %(now)s AND (lease_until IS NULL OR lease_until <= %(now)s)
    ORDER BY due_at, key LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING key, generation, attempts, hints
"""


def one_line(text: str, limit: int = MAX_ERROR) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class PostgresInbox:
    """The :class:`~sop_sync.service.inbox.base.Inbox` in a PostgreSQL database."""

    def __init__(self, url: str, *, max_attempts: int, retry_seconds: float = 5.0) -> None:
        self.url = url
        self.shown = mask_url(url)
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._secret = ""
        try:
            self._secret = str(conninfo_to_dict(url).get("password") or "")
        except psycopg.Error as error:
            raise ConfigError(f"{self.shown}: not a PostgreSQL URL: {self._line(error)}") from None
        self.shown = self._line(self.shown)  # a password given as ?password=...
        self.conn = self._connect()
        try:
            self._prepare()
        except BaseException:
            self.conn.close()
            raise

    # --- connection and transactions ----------------------------------------------------

    def _line(self, error: BaseException | str) -> str:
        """The driver's message on one line, never with the password."""
        text = one_line(str(error), 300)
        return text.replace(self._secret, MASK) if len(self._secret) >= 4 else text

    def _connect(self) -> Connection:
        try:
            return psycopg.connect(
                self.url,
                autocommit=True,  # transactions are explicit: conn.transaction()
                connect_timeout=CONNECT_TIMEOUT,
                application_name="sop-sync inbox",
            )
        except psycopg.Error as error:
            raise SopSyncError(
                f"{self.shown}: cannot reach the inbox: {self._line(error)}"
            ) from None

    def _run(self, doing: str, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction; a broken connection is opened again once."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self.conn.closed:
                        self.conn = self._connect()
                    with self.conn.transaction():
                        return work(self.conn)
                except psycopg.OperationalError as error:
                    if attempt == 1 and (self.conn.broken or self.conn.closed):
                        self.conn.close()
                        continue
                    raise SopSyncError(f"{self.shown}: {doing}: {self._line(error)}") from None
                except psycopg.Error as error:
                    raise SopSyncError(f"{self.shown}: {doing}: {self._line(error)}") from None
            raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _prepare(self) -> None:
        """Create the schema unless there; refuse tables sop-sync did not create."""

        def prepare(conn: Connection) -> str:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            found = {
                name
                for (name,) in conn.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
                    (list(TABLES),),
                )
            }
            if "inbox_meta" not in found and found:
                raise ConfigError(
                    f"{self.shown}: the database has tables named {', '.join(sorted(found))} "
                    "that are not a sop-sync inbox; give the inbox its own database"
                )
            if not found:
                for statement in SCHEMA:
                    conn.execute(statement.encode())
                conn.execute(
                    "INSERT INTO inbox_meta VALUES ('schema_version', %s) ON CONFLICT DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
            row = conn.execute(
                "SELECT value FROM inbox_meta WHERE key = 'schema_version'"
            ).fetchone()
            return "" if row is None else str(row[0])

        version = self._run("creating the inbox", prepare)
        if version != str(SCHEMA_VERSION):
            newer = version.isdigit() and int(version) > SCHEMA_VERSION
            raise ConfigError(
                f"{self.shown}: inbox schema version {version!r} is not supported "
                f"({'written by a newer sop-sync; upgrade sop-sync' if newer else 'unknown'}"
                f"; this one knows version {SCHEMA_VERSION})"
            )

    @staticmethod
    def _now(conn: Connection) -> float:
        row = conn.execute(NOW).fetchone()
        assert row is not None  # noqa: S101 - SELECT without FROM returns one row
        return float(row[0])

    # --- the protocol -------------------------------------------------------------------

    def accept(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """Store the deliveries durably; True per new delivery, False per duplicate."""

        def accept(conn: Connection) -> list[bool]:
            now = self._now(conn)
            new: list[bool] = []
            for delivery in deliveries:
                row = conn.execute(
                    "INSERT INTO deliveries VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING 1",
                    (delivery.source, delivery.delivery_id, delivery.job, delivery.kind, now),
                ).fetchone()
                new.append(row is not None)
                if row is not None:
                    self._touch(conn, delivery.job, delivery.hints, now, unpark=True)
            return new

        return self._run("storing deliveries", accept)

    def enqueue(self, job: str, hints: JsonHints | None = None) -> None:
        """Make a job due now without a delivery (a parked job stays parked)."""
        self._run(
            "enqueueing a job",
            lambda conn: self._touch(conn, job, hints or {}, self._now(conn), unpark=False),
        )

    @staticmethod
    def _touch(conn: Connection, job: str, hints: JsonHints, now: float, *, unpark: bool) -> None:
        conn.execute(
            UPSERT_JOB, {"job": job, "now": now, "hints": Jsonb(dict(hints)), "unpark": unpark}
        )

    def claim(self, worker: str, lease: float) -> Claim | None:
        """Lease the job due longest (not parked, no live lease) to ``worker``."""

        def claim(conn: Connection) -> Claim | None:
            now = self._now(conn)
            until = now + lease
            row = conn.execute(CLAIM, {"worker": worker, "until": until, "now": now}).fetchone()
            if row is None:
                return None
            return Claim(row[0], row[1], row[2], dict(row[3]), worker, until)

        return self._run("claiming a job", claim)

    def extend(self, claim: Claim, lease: float) -> Claim:
        """Keep the lease; LeaseLost when another worker holds the job (or it is gone)."""

        def extend(conn: Connection) -> float | None:
            until = self._now(conn) + lease
            changed = conn.execute(
                "UPDATE jobs SET lease_until = %(until)s, "
                "due_at = CASE WHEN generation = %(generation)s THEN %(until)s ELSE due_at END "
                "WHERE key = %(job)s AND lease_owner = %(worker)s",
                {
                    "until": until,
                    "generation": claim.generation,
                    "job": claim.job,
                    "worker": claim.worker,
                },
            ).rowcount
            return until if changed == 1 else None

        until = self._run("extending a lease", extend)
        if until is None:
            raise LeaseLost(f"{claim.job}: another worker holds it now")
        return Claim(claim.job, claim.generation, claim.attempts, claim.hints, claim.worker, until)

    def finish(self, claim: Claim) -> None:
        """Remove the job, or keep it due when a delivery arrived since the claim."""

        def finish(conn: Connection) -> None:
            conn.execute("UPDATE counters SET processed = processed + 1")
            removed = conn.execute(
                "DELETE FROM jobs WHERE key = %s AND lease_owner = %s AND generation = %s",
                (claim.job, claim.worker, claim.generation),
            ).rowcount
            if not removed:
                conn.execute(
                    "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, attempts = 0 "
                    "WHERE key = %s AND lease_owner = %s",
                    (claim.job, claim.worker),
                )

        self._run("finishing a job", finish)

    def fail(self, claim: Claim, error: str, *, retry_in: float | None) -> None:
        """Due again in ``retry_in`` seconds; parked when None or after ``max_attempts``."""

        def fail(conn: Connection) -> None:
            now = self._now(conn)
            conn.execute("UPDATE counters SET failed = failed + 1")
            row = conn.execute(
                "SELECT attempts, generation, due_at FROM jobs "
                "WHERE key = %s AND lease_owner = %s FOR UPDATE",
                (claim.job, claim.worker),
            ).fetchone()
            if row is None:
                return  # another worker holds the job now
            failure = after_failure(
                claim, row[0], row[1], row[2],
                now=now, retry_in=retry_in, max_attempts=self.max_attempts,
            )  # fmt: skip
            conn.execute(
                "UPDATE jobs SET attempts = %s, last_error = %s, parked = %s, due_at = %s, "
                "lease_owner = NULL, lease_until = NULL WHERE key = %s",
                (failure.attempts, one_line(error), failure.parked, failure.due, claim.job),
            )

        self._run("recording a failure", fail)

    def parked(self) -> list[ParkedJob]:
        """The parked jobs, oldest first."""
        rows = self._run(
            "listing parked jobs",
            lambda conn: conn.execute(
                "SELECT key, attempts, last_error, due_at FROM jobs WHERE parked "
                "ORDER BY due_at, key"
            ).fetchall(),
        )
        return [ParkedJob(key, attempts, error, since) for key, attempts, error, since in rows]

    def retry_parked(self, job: str | None = None) -> int:
        """Make parked jobs (one, or all) due again with no failed attempts."""
        return self._run(
            "retrying parked jobs",
            lambda conn: (
                conn.execute(
                    "UPDATE jobs SET parked = false, attempts = 0, due_at = %(now)s "
                    "WHERE parked AND (%(job)s::text IS NULL OR key = %(job)s)",
                    {"now": self._now(conn), "job": job},
                ).rowcount
            ),
        )

    def stats(self) -> InboxStats:
        """Counts for metrics and status, from one snapshot."""

        def stats(conn: Connection) -> InboxStats:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            now = self._now(conn)
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE NOT parked), "
                "count(*) FILTER (WHERE NOT parked AND lease_until > %(now)s), "
                "count(*) FILTER (WHERE parked), "
                "min(due_at) FILTER (WHERE NOT parked AND due_at <= %(now)s), "
                "(SELECT count(*) FROM deliveries), "
                "(SELECT processed FROM counters), (SELECT failed FROM counters) FROM jobs",
                {"now": now},
            ).fetchone()
            assert row is not None  # noqa: S101 - an aggregate returns one row
            pending, running, parked, oldest, deliveries, processed, failed = row
            age = max(0.0, now - oldest) if oldest is not None else 0.0
            return InboxStats(pending, running, parked, age, deliveries, processed, failed)

        return self._run("counting jobs", stats)

    def forget_deliveries(self, older_than: float) -> int:
        """Drop de-duplication rows received more than ``older_than`` seconds ago."""
        return self._run(
            "forgetting old deliveries",
            lambda conn: (
                conn.execute(
                    "DELETE FROM deliveries WHERE received_at < %s", (self._now(conn) - older_than,)
                ).rowcount
            ),
        )

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        self._run("checking the inbox", lambda conn: conn.execute("SELECT 1").fetchone())

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()
