"""The embedded local tracker: one SQLite file (WAL), attachments in a folder beside it.

The reference backend of the tracker contract, and what the demo and most tests run on.
Each ``apply`` runs in one transaction (files it stored are removed again when that
transaction fails); each read runs in one snapshot. The hidden marker is the (request key,
step) columns, unique, so a duplicate can never be written.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sop_sync.changes import Change, Ref
from sop_sync.errors import TrackerError
from sop_sync.evidence import RepoState, RepoStatus
from sop_sync.trackers.base import (
    Attachment,
    Capabilities,
    Event,
    Hierarchy,
    Issue,
    Label,
    Milestone,
    Note,
    ObservedRequest,
    RequestSummary,
    State,
)
from sop_sync.trackers.local_apply import HANDLERS
from sop_sync.trackers.local_schema import (
    ISSUES_SQL,
    LINKS_SQL,
    MILESTONES_SQL,
    RELATED_SQL,
    SCHEMA,
    SCHEMA_VERSION,
)

DEFAULT_PATH = Path(".sop-sync/tracker.db")
Row = tuple[Any, ...]
CAPABILITIES = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def web_url(ref: Ref) -> str:
    """The local address of an owned object: ``local:absensi`` or ``local:absensi/07``."""
    return f"local:{ref.key}" if ref.step is None else f"local:{ref.key}/{ref.step:02d}"


class LocalTracker:
    """The tracker protocol on one SQLite file."""

    def __init__(
        self,
        path: Path | str = DEFAULT_PATH,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        default_actor: str = "sop-sync",
        trusted_hosts: frozenset[str] = frozenset(),
        busy_timeout: float = 5.0,
    ) -> None:
        self.path = Path(path)
        self.files = self.path.with_name(self.path.name + ".files")
        self.clock = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self.default_actor = default_actor
        self.trusted_hosts = trusted_hosts
        self.operations = 0
        """Tracker operations so far (one per apply, observe or requests call)."""
        self._staged: list[Path] = []
        opening = f"{self.path}: cannot open the local tracker"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # the timeout is SQLite's busy timeout: how long a write waits for another's lock
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise TrackerError(f"{opening}: {_explain(error)}") from None
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._prepare(opening)
        except sqlite3.Error as error:
            self._db.close()
            raise TrackerError(f"{opening}: {_explain(error)}") from None
        except TrackerError:
            self._db.close()
            raise

    def _prepare(self, opening: str) -> None:
        """Check the schema version first; create the schema only in an empty file."""
        version = self._schema_version(opening)
        if version is None:
            with self._transaction("creating the database"):
                version = self._schema_version(opening)  # another process may have been first
                if version is None:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    version = str(SCHEMA_VERSION)
                    self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (version,))
        if version != str(SCHEMA_VERSION):
            newer = version.isdigit() and int(version) > SCHEMA_VERSION
            raise TrackerError(
                f"{opening}: schema version {version if newer else repr(version)} is not "
                f"supported ({'written by a newer sop-sync' if newer else 'unknown'}; this one "
                f"knows version {SCHEMA_VERSION})" + ("; upgrade sop-sync" if newer else "")
            )

    def _schema_version(self, opening: str) -> str | None:
        """The stored schema version; None for an empty file; refuses other databases."""
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master")}
        if "meta" in tables:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None:
                return str(row[0])
        if tables:
            raise TrackerError(f"{opening}: it is an SQLite database, but not sop-sync's")
        return None

    @property
    def capabilities(self) -> Capabilities:
        """Everything: epics, blocking links, exclusive scoped labels."""
        return CAPABILITIES

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[None]:
        """One immediate transaction; SQLite errors become one-line tracker errors.

        Files stored during it (:meth:`store_file`) are removed again unless it commits.
        """
        self._staged.clear()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            yield
            self._db.execute("COMMIT")
        except BaseException as error:
            with suppress(sqlite3.Error):
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
            for staged in self._staged:
                with suppress(OSError):
                    staged.unlink(missing_ok=True)
            if isinstance(error, sqlite3.Error | OSError):
                raise TrackerError(f"{self.path}: {doing}: {_explain(error)}") from None
            raise
        finally:
            self._staged.clear()

    @contextmanager
    def _snapshot(self, doing: str) -> Iterator[None]:
        """One read transaction: every query in it sees the same committed state."""
        try:
            self._db.execute("BEGIN")
            yield
        except sqlite3.Error as error:
            raise TrackerError(f"{self.path}: {doing}: {_explain(error)}") from None
        finally:
            with suppress(sqlite3.Error):
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")  # it only read

    def store_file(self, name: str, content: bytes) -> Path:
        """Write an attachment's bytes beside the database, inside the running transaction."""
        self.files.mkdir(parents=True, exist_ok=True)
        target = self.files / name
        self._staged.append(target)
        target.write_bytes(content)
        return target

    def inspect_repository(self, url: str) -> RepoStatus:
        """The local tracker hosts no code: trusted hosts are open, the rest unverifiable."""
        host = urllib.parse.urlsplit(url).hostname or ""
        if host and host in self.trusted_hosts:
            return RepoStatus(url, RepoState.OPEN, "host tepercaya")
        return RepoStatus(url, RepoState.UNVERIFIABLE, "bukan di GitLab yang terhubung")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    # --- writes -------------------------------------------------------------------------

    def apply(self, change: Change, actor: str | None = None) -> None:
        """Carry out one change in one transaction."""
        self.operations += 1
        handler = HANDLERS[type(change)]
        with self._transaction(change.describe()):
            handler(self, self._db, change, actor or self.default_actor)

    def now(self) -> str:
        """The clock's time as stored."""
        return self.clock().isoformat(timespec="seconds")

    def issue_id(self, db: sqlite3.Connection, ref: Ref) -> int:
        """The row id of an owned object, or a tracker error naming it."""
        row = db.execute(
            "SELECT id FROM issues WHERE request_key = ? AND IFNULL(step, 0) = ?",
            (ref.key, ref.step or 0),
        ).fetchone()
        if row is None:
            raise TrackerError(f"{ref.describe()} does not exist")
        return int(row[0])

    def event(
        self, db: sqlite3.Connection, issue: int, actor: str, action: str, detail: str = ""
    ) -> None:
        """Record one history entry."""
        db.execute(
            "INSERT INTO events (issue_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (issue, self.now(), actor, action, detail),
        )

    # --- reads --------------------------------------------------------------------------

    def requests(self) -> list[RequestSummary]:
        """Every epic, by key."""
        self.operations += 1
        with self._snapshot("listing the requests"):
            rows = self._read(
                "SELECT request_key, title, state, data FROM issues WHERE kind = 'epic' "
                "ORDER BY request_key"
            )
        summaries = []
        for key, title, state, data in rows:
            values = json.loads(data)
            summaries.append(
                RequestSummary(key, values.get("sop", ""), title, State(state), values)
            )
        return summaries

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """Everything the request owns, in a fixed number of queries (always with history)."""
        self.operations += 1
        prefix = f"{key} · "
        with self._snapshot(f"observing {Ref(key).describe()}"):
            rows = self._read(ISSUES_SQL, (key,))
            related = {name: _grouped(self._read(sql, (key,))) for name, sql in RELATED_SQL.items()}
            link_rows = self._read(LINKS_SQL, (key,))
            milestones = self._read(MILESTONES_SQL, (len(prefix), prefix, key))
            # every definition, not only those in use: the plan ensures labels no issue carries
            # yet (status::dilewati), and must see them defined to converge
            labels = self._read("SELECT name, color, description FROM labels")
        issues = [self._issue(key, row, related) for row in rows]
        step_of = {int(row[0]): row[1] for row in rows}
        links = frozenset(
            (int(step_of[s]), int(step_of[t]))
            for s, t in link_rows
            if step_of.get(s) is not None and step_of.get(t) is not None
        )
        return ObservedRequest(
            key=key,
            epic=next((i for i in issues if i.ref.step is None), None),
            steps={i.ref.step: i for i in issues if i.ref.step is not None},
            labels={name: Label(name, color, text) for name, color, text in labels},
            milestones={
                title: Milestone(title, _date(start), _date(due), text)
                for title, start, due, text in milestones
            },
            links=links,
        )

    def _issue(self, key: str, row: Row, related: dict[str, dict[int, list[Row]]]) -> Issue:
        issue_id, step, title, description, state, due, milestone, data = row
        ref = Ref(key, step)

        def get(name: str) -> list[Row]:
            return related[name].get(issue_id, [])

        return Issue(
            ref=ref,
            tracker_id=str(issue_id),
            web_url=web_url(ref),
            title=title,
            description=description,
            state=State(state),
            labels=frozenset(label for (label,) in get("labels")),
            assignees=tuple(user for (user,) in get("assignees")),
            due=_date(due),
            milestone=milestone,
            data=json.loads(data),
            notes=tuple(
                Note(str(i), author, body, dt.datetime.fromisoformat(at), bool(system))
                for i, author, body, at, system in get("notes")
            ),
            attachments=tuple(
                Attachment(
                    str(i), name, str(self.files / stored), by, dt.datetime.fromisoformat(at)
                )
                for i, name, stored, by, at in get("attachments")
            ),
            events=tuple(
                Event(dt.datetime.fromisoformat(at), actor, action, detail)
                for at, actor, action, detail in get("events")
            ),
        )

    def _read(self, sql: str, args: tuple[object, ...] = ()) -> list[Row]:
        return [tuple(row) for row in self._db.execute(sql, args).fetchall()]


def _grouped(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def _explain(error: sqlite3.Error | OSError) -> str:
    text = " ".join(str(error).split())  # one line, whatever the driver said
    if "locked" in text or "busy" in text:
        return "the database is locked by another sop-sync process; try again when it is done"
    if "not a database" in text or "malformed" in text:
        return "the file is not a sop-sync database (corrupted?); restore it from a backup"
    return text
