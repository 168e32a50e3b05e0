"""The local tracker's store: the SQLite connection, its transactions and the files folder.

Each write runs in one immediate transaction (files stored during it are removed again when
it does not commit); each read runs in one snapshot. The schema is checked before anything
is written, and a foreign SQLite file is refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sop_sync.errors import TrackerError
from sop_sync.model.changes import Ref
from sop_sync.trackers.local.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION

Row = tuple[Any, ...]


class LocalStore:
    """One SQLite file (WAL) and the attachment folder beside it."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        self.path = path
        self.files = path.with_name(path.name + ".files")
        self.clock = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self._staged: list[Path] = []
        opening = f"{path}: cannot open the local tracker"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # the timeout is SQLite's busy timeout: how long a write waits for another's lock
            self.db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise TrackerError(f"{opening}: {explain(error)}") from None
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self._prepare(opening)
        except sqlite3.Error as error:
            self.db.close()
            raise TrackerError(f"{opening}: {explain(error)}") from None
        except TrackerError:
            self.db.close()
            raise

    def _prepare(self, opening: str) -> None:
        """Check the schema version first; create the schema only in an empty file."""
        version = self._schema_version(opening)
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
            newer = version.isdigit() and int(version) > SCHEMA_VERSION
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

    @contextmanager
    def transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One immediate transaction; SQLite errors become one-line tracker errors.

        Files stored during it (:meth:`store_file`) are removed again unless it commits.
        """
        self._staged.clear()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as error:
            with suppress(sqlite3.Error):
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
            for staged in self._staged:
                with suppress(OSError):
                    staged.unlink(missing_ok=True)
            if isinstance(error, sqlite3.Error | OSError):
                raise TrackerError(f"{self.path}: {doing}: {explain(error)}") from None
            raise
        finally:
            self._staged.clear()

    @contextmanager
    def snapshot(self, doing: str) -> Iterator[None]:
        """One read transaction: every query in it sees the same committed state."""
        try:
            self.db.execute("BEGIN")
            yield
        except sqlite3.Error as error:
            raise TrackerError(f"{self.path}: {doing}: {explain(error)}") from None
        finally:
            with suppress(sqlite3.Error):
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")  # it only read

    def read(self, sql: str, args: tuple[object, ...] = ()) -> list[Row]:
        """Rows of one query (inside a snapshot)."""
        return [tuple(row) for row in self.db.execute(sql, args).fetchall()]

    def store_file(self, name: str, content: bytes) -> Path:
        """Write an attachment's bytes beside the database, inside the running transaction."""
        self.files.mkdir(parents=True, exist_ok=True)
        target = self.files / name
        self._staged.append(target)
        target.write_bytes(content)
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


def explain(error: sqlite3.Error | OSError) -> str:
    """One line for a person from a driver or file-system error."""
    text = " ".join(str(error).split())  # one line, whatever the driver said
    if "locked" in text or "busy" in text:
        return "the database is locked by another sop-sync process; try again when it is done"
    if "not a database" in text or "malformed" in text:
        return "the file is not a sop-sync database (corrupted?); restore it from a backup"
    return text
