"""The local tracker's store: the SQLite connection, its transactions and the files folder.

Each write runs in one immediate transaction (files stored during it are removed again when
it does not commit); each read runs in one snapshot. Opening reads before it writes:

- the schema version is checked first, so a foreign SQLite file is refused before anything
  (not even ``journal_mode``, which rewrites the file's header) is written to it;
- read-only (``read_only=True``: status, check, dry runs) opens the file with ``mode=ro``, so
  nothing is ever written or created: a missing file is a tracker with no requests yet, and
  a read-only file or file system works;
- opened for writing, the attachment files that no attachment names (the bytes of a run
  killed before its commit) are removed, under the write lock.

Waiting for another process's lock happens in short steps, so Ctrl-C ends the wait at once;
after ``busy_timeout`` seconds the wait ends in one line naming the file.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from sop_sync.errors import TrackerError, TrackerUnavailableError
from sop_sync.model.changes import Ref
from sop_sync.trackers.local.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from sop_sync.trackers.local.sqlite import (
    BUSY_STEP,
    LOCKED,
    busy,
    cannot_create_beside,
    connect_read_only,
    empty,
    explain,
    sync_folder,
)

Row = tuple[Any, ...]
T = TypeVar("T")


class LocalStore:
    """One SQLite file (WAL) and the attachment folder beside it."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        busy_timeout: float = 5.0,
        read_only: bool = False,
    ) -> None:
        self.path = path
        self.files = path.with_name(path.name + ".files")
        self.clock = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self.opened_at = time.time()
        self._staged: list[Path] = []
        opening = f"{path}: cannot open the local tracker"
        self.db = self._connect(opening)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self._waiting(opening, lambda: self._schema_version(opening))
            if read_only:
                self._check_readable(version, opening)
            else:
                self._waiting(opening, lambda: self.db.execute("PRAGMA journal_mode = WAL"))
                self._prepare(version, opening)
                self._remove_orphans()
        except sqlite3.Error as error:
            self.db.close()
            raise TrackerError(f"{opening}: {explain(error)}") from None
        except BaseException:
            self.db.close()
            raise

    # --- opening ------------------------------------------------------------------------

    def _connect(self, opening: str) -> sqlite3.Connection:
        """The connection: read-write (creating the folder), or read-only creating nothing."""
        try:
            if not self.read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                return sqlite3.connect(self.path, timeout=BUSY_STEP, isolation_level=None)
            if not self.path.exists():
                return empty()
            db = connect_read_only(self.path, immutable=False)
            try:
                self._waiting(opening, lambda: db.execute("SELECT 1 FROM sqlite_master").fetchall())
            except sqlite3.OperationalError as error:
                db.close()
                if not cannot_create_beside(error):
                    raise
                # WAL needs its -shm file beside the database; in a folder nobody can write
                # to, nobody can be writing the database either: it is read as it is
                db = connect_read_only(self.path, immutable=True)
            except BaseException:
                db.close()
                raise
            return db
        except (OSError, sqlite3.Error) as error:
            raise TrackerError(f"{opening}: {explain(error)}") from None

    def _check_readable(self, version: str | None, opening: str) -> None:
        """Read-only: an empty file reads as no requests; other versions cannot be read."""
        if version is None:
            self.db.close()
            self.db = empty()
        elif version != str(SCHEMA_VERSION):
            self._refuse_version(version, opening)

    def _prepare(self, version: str | None, opening: str) -> None:
        """Create the schema only in an empty file; upgrade an older one; refuse the rest."""
        if version is None:
            with self.transaction("creating the database"):
                version = self._schema_version(opening)  # another process may have been first
                if version is None:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    version = str(SCHEMA_VERSION)
                    self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (version,))
        if version.isdigit() and int(version) in MIGRATIONS:
            version = self._migrate(int(version))
        if version != str(SCHEMA_VERSION):
            self._refuse_version(version, opening)

    def _refuse_version(self, version: str, opening: str) -> None:
        newer = version.isdigit() and int(version) > SCHEMA_VERSION
        older = version.isdigit() and int(version) in MIGRATIONS
        if older:  # only when read-only: upgrading writes
            raise TrackerError(
                f"{opening}: schema version {version} needs an upgrade, which this read-only "
                "command does not do; run a command that writes (sop-sync sync) first"
            )
        raise TrackerError(
            f"{opening}: schema version {version if newer else repr(version)} is not "
            f"supported ({'written by a newer sop-sync' if newer else 'unknown'}; this one "
            f"knows version {SCHEMA_VERSION})" + ("; upgrade sop-sync" if newer else "")
        )

    def _migrate(self, version: int) -> str:
        """Bring an older schema up to date, one version at a time, each in a transaction."""
        while version in MIGRATIONS:
            with self.transaction(f"upgrading the database from schema version {version}"):
                current = self.db.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'"
                ).fetchone()
                if current is not None and current[0] == str(version):  # not done by another
                    MIGRATIONS[version](self.db)
                    self.db.execute(
                        "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                        (str(version + 1),),
                    )
            version += 1
        return str(version)

    def _schema_version(self, opening: str) -> str | None:
        """The stored schema version; None for an empty file; refuses other databases."""
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master")}
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None:
                return str(row[0])
        if tables:
            raise TrackerError(f"{opening}: it is an SQLite database, but not sop-sync's")
        return None

    def _remove_orphans(self) -> None:
        """Remove attachment files no attachment names: a run killed before its commit.

        Files are stored only inside a write transaction, so under the write lock a file
        that no committed row names belongs to no running transaction. Only files from
        before this store was opened are considered; when another process holds the lock,
        the next run does it.
        """
        try:
            candidates = [p for p in self.files.iterdir() if p.is_file() or p.is_symlink()]
        except OSError:
            return
        if not candidates or set(self._stored_names()) >= {p.name for p in candidates}:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return  # busy: not worth waiting for
        try:
            named = self._stored_names()
            for candidate in candidates:
                with suppress(OSError):
                    if candidate.name not in named and candidate.lstat().st_mtime < self.opened_at:
                        candidate.unlink()
        finally:
            self.db.execute("ROLLBACK")

    def _stored_names(self) -> set[str]:
        return {name for (name,) in self.db.execute("SELECT stored_name FROM attachments")}

    # --- waiting for locks --------------------------------------------------------------

    def _waiting(self, doing: str, run: Callable[[], T]) -> T:
        """``run()``, retried while another process holds the lock, up to the busy timeout.

        SQLite waits :data:`BUSY_STEP` seconds itself each time; between tries Python runs,
        so Ctrl-C is never held up by the wait.
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return run()
            except sqlite3.OperationalError as error:
                if not busy(error):
                    raise
                if time.monotonic() >= deadline:
                    raise TrackerUnavailableError(f"{doing}: {LOCKED}") from None

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One immediate transaction; SQLite errors become one-line tracker errors.

        Files stored during it (:meth:`store_file`) are removed again unless it commits.
        """
        if self.read_only:
            raise TrackerError(f"{self.path}: {doing}: the tracker was opened read-only")
        where = f"{self.path}: {doing}"
        self._staged.clear()
        try:
            self._waiting(where, lambda: self.db.execute("BEGIN IMMEDIATE"))
            yield self.db
            self._waiting(where, lambda: self.db.execute("COMMIT"))
        except BaseException as error:
            if self.db.in_transaction:  # not committed, and the write lock is still ours
                for staged in self._staged:
                    with suppress(OSError):
                        staged.unlink(missing_ok=True)
                with suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            # else committed (an interrupt right after COMMIT keeps its files), or rolled
            # back by SQLite itself: the next run removes what no attachment names
            if isinstance(error, sqlite3.Error | OSError):
                raise TrackerError(f"{where}: {explain(error)}") from None
            raise
        finally:
            self._staged.clear()

    @contextmanager
    def snapshot(self, doing: str) -> Iterator[None]:
        """One read transaction: every query in it sees the same committed state."""
        where = f"{self.path}: {doing}"
        try:
            self.db.execute("BEGIN")
            # the first read takes the snapshot; waiting for it here keeps Ctrl-C working
            self._waiting(where, lambda: self.db.execute("SELECT 1 FROM sqlite_master").fetchall())
            yield
        except sqlite3.Error as error:
            raise TrackerError(f"{where}: {explain(error)}") from None
        finally:
            with suppress(sqlite3.Error):
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")  # it only read

    def read(self, sql: str, args: tuple[object, ...] = ()) -> list[Row]:
        """Rows of one query (inside a snapshot)."""
        return [tuple(row) for row in self.db.execute(sql, args).fetchall()]

    def store_file(self, name: str, content: bytes) -> Path:
        """Write an attachment's bytes beside the database, inside the running transaction.

        The bytes reach the disk before the transaction commits, so a committed attachment
        always has its file.
        """
        self.files.mkdir(parents=True, exist_ok=True)
        target = self.files / name
        self._staged.append(target)
        with target.open("wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        sync_folder(self.files)
        return target

    def now(self) -> str:
        """The clock's time as stored."""
        return self.clock().isoformat(timespec="seconds")

    def issue_id(self, ref: Ref) -> int:
        """The row id of an owned object, or a tracker error naming it."""
        row = self.db.execute(
            "SELECT id FROM issues WHERE request_key = ? AND IFNULL(step, 0) = ?",
            (ref.key, ref.step or 0),
        ).fetchone()
        if row is None:
            raise TrackerError(f"{ref.describe()} does not exist")
        return int(row[0])

    def event(self, issue: int, actor: str, action: str, detail: str = "") -> None:
        """Record one history entry."""
        self.db.execute(
            "INSERT INTO events (issue_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (issue, self.now(), actor, action, detail),
        )

    def close(self) -> None:
        """Close the database."""
        self.db.close()
