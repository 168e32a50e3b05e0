"""The embedded local tracker: one SQLite file (WAL), attachments in a folder beside it.

The reference backend of the tracker contract, and what the demo and most tests run on.
Each ``apply`` runs in one transaction; the hidden marker is the (request key, step)
columns, unique, so a duplicate can never be written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sop_sync.changes import (
    Change,
    Ref,
)
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
from sop_sync.trackers.local_schema import SCHEMA, SCHEMA_VERSION

DEFAULT_PATH = Path(".sop-sync/tracker.db")
Row = tuple[Any, ...]
_SCOPE = "(SELECT id FROM issues WHERE request_key = ?)"
ISSUES_SQL = (
    "SELECT i.id, i.step, i.title, i.description, i.state, i.due, m.title, i.data "
    "FROM issues i LEFT JOIN milestones m ON m.id = i.milestone_id WHERE i.request_key = ?"
)
# every query below is a constant; `?` carries the request key
RELATED_SQL = {
    "labels": "SELECT issue_id, label FROM issue_labels WHERE issue_id IN " + _SCOPE
    + " ORDER BY label",
    "assignees": "SELECT issue_id, username FROM assignees WHERE issue_id IN " + _SCOPE
    + " ORDER BY position",
    "notes": "SELECT issue_id, id, author, body, created_at, system FROM notes WHERE issue_id IN "
    + _SCOPE + " ORDER BY created_at, id",
    "attachments": "SELECT issue_id, id, filename, stored_name, uploaded_by, created_at "
    "FROM attachments WHERE issue_id IN " + _SCOPE + " ORDER BY created_at, id",
    "events": "SELECT issue_id, at, actor, action, detail FROM events WHERE issue_id IN "
    + _SCOPE + " ORDER BY at, id",
}  # fmt: skip
LINKS_SQL = "SELECT source_id, target_id FROM links WHERE source_id IN " + _SCOPE
MILESTONES_SQL = (
    "SELECT title, start, due, description FROM milestones WHERE title LIKE ? ESCAPE '\\' "
    "OR id IN (SELECT milestone_id FROM issues WHERE request_key = ?)"
)
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
    ) -> None:
        self.path = Path(path)
        self.files = self.path.with_name(self.path.name + ".files")
        self.clock = clock or (lambda: dt.datetime.now().replace(microsecond=0))
        self.default_actor = default_actor
        self.trusted_hosts = trusted_hosts
        self.operations = 0
        """Tracker operations so far (one per apply, observe or requests call)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
        except (OSError, sqlite3.Error) as error:
            raise TrackerError(
                f"{self.path}: cannot open the local tracker: {_explain(error)}"
            ) from None
        with self._transaction("preparing the database"):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif row[0] != str(SCHEMA_VERSION):
                raise TrackerError(
                    f"{self.path}: schema version {row[0]} is not supported by this sop-sync "
                    f"(it writes version {SCHEMA_VERSION}); upgrade sop-sync"
                )

    @property
    def capabilities(self) -> Capabilities:
        """Everything: epics, blocking links, exclusive scoped labels."""
        return CAPABILITIES

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[None]:
        """One immediate transaction; SQLite errors become one-line tracker errors."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise TrackerError(f"{self.path}: {doing}: {_explain(error)}") from None
        try:
            yield
        except BaseException as error:
            self._db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error | OSError):
                raise TrackerError(f"{self.path}: {doing}: {_explain(error)}") from None
            raise
        else:
            self._db.execute("COMMIT")

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
        rows = self._read(ISSUES_SQL, (key,))
        related = {name: _grouped(self._read(sql, (key,))) for name, sql in RELATED_SQL.items()}
        issues = [self._issue(key, row, related) for row in rows]
        step_of = {int(row[0]): row[1] for row in rows}
        links = frozenset(
            (int(step_of[s]), int(step_of[t]))
            for s, t in self._read(LINKS_SQL, (key,))
            if step_of.get(s) is not None and step_of.get(t) is not None
        )
        milestones = self._read(MILESTONES_SQL, (_like_prefix(f"{key} · "), key))
        labels = self._read("SELECT name, color, description FROM labels")
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
        try:
            return [tuple(row) for row in self._db.execute(sql, args).fetchall()]
        except sqlite3.Error as error:
            raise TrackerError(f"{self.path}: reading: {_explain(error)}") from None


def _grouped(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def _explain(error: sqlite3.Error | OSError) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return "the database is locked by another sop-sync process; try again when it is done"
    if "not a database" in text or "malformed" in text:
        return "the file is not a sop-sync database (corrupted?); restore it from a backup"
    return text


def _like_prefix(prefix: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", prefix) + "%"
