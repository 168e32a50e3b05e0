"""How the local tracker carries out each change: one handler per Change type (a table).

Each handler runs inside the transaction the facade opened, with a :class:`Write` context:
the store, its connection and who acts.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from sop_sync.errors import TrackerError
from sop_sync.model.changes import (
    MARKER_VERSION,
    AddLabels,
    Attach,
    Close,
    Comment,
    CreateIssue,
    Detach,
    EnsureLabel,
    EnsureMilestone,
    Link,
    Ref,
    RemoveLabels,
    Reopen,
    SetData,
    SetDescription,
    SetDue,
    SetMilestone,
    SetTitle,
    UpdateFields,
)
from sop_sync.trackers.base import on, table
from sop_sync.trackers.local.store import LocalStore

GREY = "#9E9E9E"


@dataclass(frozen=True)
class Write:
    """What a handler works with: the store, the open transaction's connection, the actor."""

    store: LocalStore
    db: sqlite3.Connection
    actor: str


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


def ensure_label(w: Write, c: EnsureLabel) -> None:
    """Create or update a label definition."""
    w.db.execute(
        "INSERT INTO labels (name, color, description) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET color = excluded.color, "
        "description = excluded.description",
        (c.label.name, c.label.color, c.label.description),
    )


def ensure_milestone(w: Write, c: EnsureMilestone) -> None:
    """Create or update a milestone by title."""
    m = c.milestone
    w.db.execute(
        "INSERT INTO milestones (title, description, start, due) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (title) DO UPDATE SET description = excluded.description, "
        "start = excluded.start, due = excluded.due",
        (m.title, m.description, m.start and m.start.isoformat(), m.due and m.due.isoformat()),
    )


def create_issue(w: Write, c: CreateIssue) -> None:
    """Insert the epic or a step issue with its marker; a second one is refused."""
    db = w.db
    exists = db.execute(
        "SELECT 1 FROM issues WHERE request_key = ? AND IFNULL(step, 0) = ?",
        (c.ref.key, c.ref.step or 0),
    ).fetchone()
    if exists:
        raise TrackerError(f"{c.ref.describe()} exists already")
    now = w.store.now()
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
            _json(dict(c.data)),
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
    w.store.event(issue, w.actor, "created", c.title)


def _json(data: dict[str, str]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def update_fields(w: Write, c: UpdateFields) -> None:
    """Set the given fields, each to its column."""
    issue = w.store.issue_id(c.ref)
    for update in c.fields:
        column: str
        stored: Any
        match update:
            case SetTitle(value):
                column, stored = "title", value
            case SetDescription(value):
                column, stored = "description", value
            case SetDue(value):
                column, stored = "due", value.isoformat() if value else None
            case SetMilestone(value):
                column, stored = "milestone_id", _milestone_id(w.db, value)
            case SetData(value):
                column, stored = "data", _json(dict(value))
        w.db.execute(
            f"UPDATE issues SET {column} = ?, updated_at = ? WHERE id = ?",
            (stored, w.store.now(), issue),
        )
    w.store.event(issue, w.actor, "updated", ", ".join(update.name for update in c.fields))


def add_labels(w: Write, c: AddLabels) -> None:
    """Add labels (defining unknown ones in grey)."""
    issue = w.store.issue_id(c.ref)
    _ensure_label_names(w.db, c.labels)
    for name in c.labels:
        sql = "INSERT OR IGNORE INTO issue_labels VALUES (?, ?)"
        if w.db.execute(sql, (issue, name)).rowcount:
            w.store.event(issue, w.actor, "labeled", name)


def remove_labels(w: Write, c: RemoveLabels) -> None:
    """Remove labels."""
    issue = w.store.issue_id(c.ref)
    for name in c.labels:
        sql = "DELETE FROM issue_labels WHERE issue_id = ? AND label = ?"
        if w.db.execute(sql, (issue, name)).rowcount:
            w.store.event(issue, w.actor, "unlabeled", name)


def _set_state(w: Write, ref: Ref, state: str, action: str) -> None:
    issue = w.store.issue_id(ref)
    sql = "UPDATE issues SET state = ?, updated_at = ? WHERE id = ? AND state != ?"
    if w.db.execute(sql, (state, w.store.now(), issue, state)).rowcount:
        w.store.event(issue, w.actor, action)


def close(w: Write, c: Close) -> None:
    """Close (no event when already closed)."""
    _set_state(w, c.ref, "closed", "closed")


def reopen(w: Write, c: Reopen) -> None:
    """Reopen (no event when already open)."""
    _set_state(w, c.ref, "opened", "reopened")


def comment(w: Write, c: Comment) -> None:
    """Add a note by the actor; a reply keeps the note it answers in its own column."""
    issue = w.store.issue_id(c.ref)
    w.db.execute(
        "INSERT INTO notes (issue_id, author, body, created_at, in_reply_to) "
        "VALUES (?, ?, ?, ?, ?)",
        (issue, w.actor, c.body, w.store.now(), c.in_reply_to),
    )
    w.store.event(issue, w.actor, "commented")


def link(w: Write, c: Link) -> None:
    """Link two owned issues in order (idempotent)."""
    source, target = w.store.issue_id(c.source), w.store.issue_id(c.target)
    if w.db.execute("INSERT OR IGNORE INTO links VALUES (?, ?)", (source, target)).rowcount:
        w.store.event(source, w.actor, "linked", c.target.describe())


def attach(w: Write, c: Attach) -> None:
    """Record the file and store its bytes beside the database under a safe name.

    The bytes are written before the transaction commits; the store removes them again
    when it does not. The same file (name and content) attached again by the same person is
    already there: a re-run after an interrupted one records it once.
    """
    issue = w.store.issue_id(c.ref)
    digest = hashlib.sha256(c.content).hexdigest()
    if w.db.execute(
        "SELECT 1 FROM attachments WHERE issue_id = ? AND filename = ? AND sha256 = ? "
        "AND uploaded_by = ?",
        (issue, c.filename, digest, w.actor),
    ).fetchone():
        return
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", c.filename).strip("._")[:100] or "berkas"
    cursor = w.db.execute(
        "INSERT INTO attachments (issue_id, filename, stored_name, sha256, size, uploaded_by, "
        "created_at) VALUES (?, ?, '', ?, ?, ?, ?)",
        (issue, c.filename, digest, len(c.content), w.actor, w.store.now()),
    )
    stored = f"{cursor.lastrowid}-{safe}"
    w.store.store_file(stored, c.content)
    w.db.execute("UPDATE attachments SET stored_name = ? WHERE id = ?", (stored, cursor.lastrowid))
    w.store.event(issue, w.actor, "attached", c.filename)


def detach(w: Write, c: Detach) -> None:
    """Delete the attachment's row and its file (nothing when it is gone already).

    The file goes right after the row, inside the transaction: in WAL mode a transaction
    that holds the write lock commits without waiting, so a row that outlives its file (a
    failed commit) is rare, and the next Detach of it finishes the job.
    """
    issue = w.store.issue_id(c.ref)
    row = w.db.execute(
        "SELECT stored_name FROM attachments WHERE id = ? AND issue_id = ?",
        (c.attachment_id, issue),
    ).fetchone()
    if row is None:
        return
    w.db.execute("DELETE FROM attachments WHERE id = ?", (c.attachment_id,))
    w.store.event(issue, w.actor, "detached", c.filename)
    if row[0]:
        (w.store.files / str(row[0])).unlink(missing_ok=True)


HANDLERS = table(
    on(EnsureLabel, ensure_label),
    on(EnsureMilestone, ensure_milestone),
    on(CreateIssue, create_issue),
    on(UpdateFields, update_fields),
    on(AddLabels, add_labels),
    on(RemoveLabels, remove_labels),
    on(Close, close),
    on(Reopen, reopen),
    on(Comment, comment),
    on(Link, link),
    on(Attach, attach),
    on(Detach, detach),
)
"""Every Change type and its handler; a test checks it covers ``CHANGE_TYPES``."""
