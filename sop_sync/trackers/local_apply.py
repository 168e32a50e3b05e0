"""How the local tracker carries out each change: one handler per Change type (a table)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sop_sync.changes import (
    MARKER_VERSION,
    AddLabels,
    Attach,
    Close,
    Comment,
    CreateIssue,
    EnsureLabel,
    EnsureMilestone,
    Link,
    Ref,
    RemoveLabels,
    Reopen,
    UpdateFields,
)
from sop_sync.errors import TrackerError

if TYPE_CHECKING:
    from sop_sync.trackers.local import LocalTracker

GREY = "#9E9E9E"


def _milestone_id(db: sqlite3.Connection, title: str | None) -> int | None:
    if title is None:
        return None
    row = db.execute("SELECT id FROM milestones WHERE title = ?", (title,)).fetchone()
    if row is None:
        raise TrackerError(f"milestone {title!r} does not exist")
    return int(row[0])


def _ensure_label_names(db: sqlite3.Connection, names: tuple[str, ...]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO labels (name, color) VALUES (?, ?)", [(n, GREY) for n in names]
    )


def ensure_label(t: LocalTracker, db: sqlite3.Connection, c: EnsureLabel, actor: str) -> None:
    """Create or update a label definition."""
    db.execute(
        "INSERT INTO labels (name, color, description) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET color = excluded.color, "
        "description = excluded.description",
        (c.label.name, c.label.color, c.label.description),
    )


def ensure_milestone(
    t: LocalTracker, db: sqlite3.Connection, c: EnsureMilestone, actor: str
) -> None:
    """Create or update a milestone by title."""
    m = c.milestone
    db.execute(
        "INSERT INTO milestones (title, description, start, due) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (title) DO UPDATE SET description = excluded.description, "
        "start = excluded.start, due = excluded.due",
        (m.title, m.description, m.start and m.start.isoformat(), m.due and m.due.isoformat()),
    )


def create_issue(t: LocalTracker, db: sqlite3.Connection, c: CreateIssue, actor: str) -> None:
    """Insert the epic or a step issue with its marker; a second one is refused."""
    exists = db.execute(
        "SELECT 1 FROM issues WHERE request_key = ? AND IFNULL(step, 0) = ?",
        (c.ref.key, c.ref.step or 0),
    ).fetchone()
    if exists:
        raise TrackerError(f"{c.ref.describe()} exists already")
    now = t.now()
    cursor = db.execute(
        "INSERT INTO issues (kind, request_key, step, marker_version, title, description, due, "
        "milestone_id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "epic" if c.ref.step is None else "issue",
            c.ref.key,
            c.ref.step,
            MARKER_VERSION,
            c.title,
            c.description,
            c.due and c.due.isoformat(),
            _milestone_id(db, c.milestone),
            json.dumps(dict(c.data), ensure_ascii=False, sort_keys=True),
            now,
            now,
        ),
    )
    issue = int(cursor.lastrowid or 0)
    labels = tuple(dict.fromkeys(c.labels))
    _ensure_label_names(db, labels)
    db.executemany("INSERT INTO issue_labels VALUES (?, ?)", [(issue, n) for n in labels])
    db.executemany(
        "INSERT INTO assignees VALUES (?, ?, ?)",
        [(issue, user, n) for n, user in enumerate(dict.fromkeys(c.assignees))],
    )
    t.event(db, issue, actor, "created", c.title)


_COLUMNS = {"title": "title", "description": "description", "due": "due", "data": "data"}


def update_fields(t: LocalTracker, db: sqlite3.Connection, c: UpdateFields, actor: str) -> None:
    """Set the named fields."""
    issue = t.issue_id(db, c.ref)
    for name, value in c.fields:
        stored: Any
        if name == "milestone":
            column, stored = (
                "milestone_id",
                _milestone_id(db, value if isinstance(value, str) else None),
            )
        elif name == "data":
            column = "data"
            stored = json.dumps(
                dict(value) if isinstance(value, tuple) else {}, ensure_ascii=False, sort_keys=True
            )
        elif name == "due":
            column, stored = "due", value.isoformat() if isinstance(value, dt.date) else None
        else:
            column, stored = _COLUMNS[name], value
        db.execute(
            f"UPDATE issues SET {column} = ?, updated_at = ? WHERE id = ?", (stored, t.now(), issue)
        )
    t.event(db, issue, actor, "updated", ", ".join(name for name, _ in c.fields))


def add_labels(t: LocalTracker, db: sqlite3.Connection, c: AddLabels, actor: str) -> None:
    """Add labels (defining unknown ones in grey)."""
    issue = t.issue_id(db, c.ref)
    _ensure_label_names(db, c.labels)
    for name in c.labels:
        if db.execute("INSERT OR IGNORE INTO issue_labels VALUES (?, ?)", (issue, name)).rowcount:
            t.event(db, issue, actor, "labeled", name)


def remove_labels(t: LocalTracker, db: sqlite3.Connection, c: RemoveLabels, actor: str) -> None:
    """Remove labels."""
    issue = t.issue_id(db, c.ref)
    for name in c.labels:
        sql = "DELETE FROM issue_labels WHERE issue_id = ? AND label = ?"
        if db.execute(sql, (issue, name)).rowcount:
            t.event(db, issue, actor, "unlabeled", name)


def _set_state(
    t: LocalTracker, db: sqlite3.Connection, ref: Ref, state: str, action: str, actor: str
) -> None:
    issue = t.issue_id(db, ref)
    sql = "UPDATE issues SET state = ?, updated_at = ? WHERE id = ? AND state != ?"
    if db.execute(sql, (state, t.now(), issue, state)).rowcount:
        t.event(db, issue, actor, action)


def close(t: LocalTracker, db: sqlite3.Connection, c: Close, actor: str) -> None:
    """Close (no event when already closed)."""
    _set_state(t, db, c.ref, "closed", "closed", actor)


def reopen(t: LocalTracker, db: sqlite3.Connection, c: Reopen, actor: str) -> None:
    """Reopen (no event when already open)."""
    _set_state(t, db, c.ref, "opened", "reopened", actor)


def comment(t: LocalTracker, db: sqlite3.Connection, c: Comment, actor: str) -> None:
    """Add a note by ``actor``."""
    issue = t.issue_id(db, c.ref)
    db.execute(
        "INSERT INTO notes (issue_id, author, body, created_at) VALUES (?, ?, ?, ?)",
        (issue, actor, c.body, t.now()),
    )
    t.event(db, issue, actor, "commented")


def link(t: LocalTracker, db: sqlite3.Connection, c: Link, actor: str) -> None:
    """Link two owned issues in order (idempotent)."""
    source, target = t.issue_id(db, c.source), t.issue_id(db, c.target)
    if db.execute("INSERT OR IGNORE INTO links VALUES (?, ?)", (source, target)).rowcount:
        t.event(db, source, actor, "linked", c.target.describe())


def attach(t: LocalTracker, db: sqlite3.Connection, c: Attach, actor: str) -> None:
    """Record the file and store its bytes beside the database under a safe name.

    The bytes are written before the transaction commits; the tracker removes them again
    when it does not.
    """
    issue = t.issue_id(db, c.ref)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", c.filename).strip("._")[:100] or "berkas"
    cursor = db.execute(
        "INSERT INTO attachments (issue_id, filename, stored_name, sha256, size, uploaded_by, "
        "created_at) VALUES (?, ?, '', ?, ?, ?, ?)",
        (issue, c.filename, hashlib.sha256(c.content).hexdigest(), len(c.content), actor, t.now()),
    )
    stored = f"{cursor.lastrowid}-{safe}"
    t.store_file(stored, c.content)
    db.execute("UPDATE attachments SET stored_name = ? WHERE id = ?", (stored, cursor.lastrowid))
    t.event(db, issue, actor, "attached", c.filename)


HANDLERS: dict[type, Callable[..., None]] = {
    EnsureLabel: ensure_label,
    EnsureMilestone: ensure_milestone,
    CreateIssue: create_issue,
    UpdateFields: update_fields,
    AddLabels: add_labels,
    RemoveLabels: remove_labels,
    Close: close,
    Reopen: reopen,
    Comment: comment,
    Link: link,
    Attach: attach,
}
"""Every Change type and its handler; a test checks it covers ``CHANGE_TYPES``."""
