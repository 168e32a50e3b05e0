"""The local tracker's SQLite schema (version 2), its migrations, and its read queries."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS milestones (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    start TEXT,
    due TEXT
);
CREATE TABLE IF NOT EXISTS issues (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('epic', 'issue')),
    request_key TEXT NOT NULL,
    step INTEGER,
    marker_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'opened' CHECK (state IN ('opened', 'closed')),
    due TEXT,
    milestone_id INTEGER REFERENCES milestones (id),
    data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- the hidden marker: one epic and one issue per step and request, never two
CREATE UNIQUE INDEX IF NOT EXISTS issues_marker ON issues (request_key, IFNULL(step, 0));
CREATE TABLE IF NOT EXISTS labels (
    name TEXT PRIMARY KEY,
    color TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS issue_labels (
    issue_id INTEGER NOT NULL REFERENCES issues (id),
    label TEXT NOT NULL REFERENCES labels (name),
    PRIMARY KEY (issue_id, label)
);
CREATE TABLE IF NOT EXISTS assignees (
    issue_id INTEGER NOT NULL REFERENCES issues (id),
    username TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (issue_id, username)
);
CREATE TABLE IF NOT EXISTS links (
    source_id INTEGER NOT NULL REFERENCES issues (id),
    target_id INTEGER NOT NULL REFERENCES issues (id),
    PRIMARY KEY (source_id, target_id)
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues (id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    system INTEGER NOT NULL DEFAULT 0,
    in_reply_to TEXT
);
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues (id),
    filename TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS notes_issue ON notes (issue_id);
CREATE INDEX IF NOT EXISTS events_issue ON events (issue_id);
CREATE INDEX IF NOT EXISTS attachments_issue ON attachments (issue_id);
"""

# Reads of one request: each query is a constant; `?` carries the request key.
_SCOPE = "(SELECT id FROM issues WHERE request_key = ?)"
ISSUES_SQL = (
    "SELECT i.id, i.step, i.title, i.description, i.state, i.due, m.title, i.data "
    "FROM issues i LEFT JOIN milestones m ON m.id = i.milestone_id WHERE i.request_key = ? "
    "ORDER BY IFNULL(i.step, 0)"
)
RELATED_SQL = {
    "labels": "SELECT issue_id, label FROM issue_labels WHERE issue_id IN " + _SCOPE
    + " ORDER BY label",
    "assignees": "SELECT issue_id, username FROM assignees WHERE issue_id IN " + _SCOPE
    + " ORDER BY position",
    "notes": "SELECT issue_id, id, author, body, created_at, system, in_reply_to FROM notes "
    "WHERE issue_id IN "
    + _SCOPE + " ORDER BY created_at, id",
    "attachments": "SELECT issue_id, id, filename, stored_name, uploaded_by, created_at "
    "FROM attachments WHERE issue_id IN " + _SCOPE + " ORDER BY created_at, id",
    "events": "SELECT issue_id, at, actor, action, detail FROM events WHERE issue_id IN "
    + _SCOPE + " ORDER BY at, id",
}  # fmt: skip
LINKS_SQL = "SELECT source_id, target_id FROM links WHERE source_id IN " + _SCOPE
# substr, not LIKE: LIKE ignores case, and "ABC · x" is not a milestone of request "abc"
MILESTONES_SQL = (
    "SELECT title, start, due, description FROM milestones WHERE substr(title, 1, ?) = ? "
    "OR id IN (SELECT milestone_id FROM issues WHERE request_key = ?) ORDER BY id"
)


_REPLY_TAG = re.compile(r"\n*<!-- sop-sync:re (\S+) -->\s*\Z")


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """Version 2 keeps the note a reply answers in a column (version 1 hid it in the body)."""
    db.execute("ALTER TABLE notes ADD COLUMN in_reply_to TEXT")
    rows = db.execute("SELECT id, body FROM notes WHERE body LIKE '%<!-- sop-sync:re %'")
    for note_id, body in rows.fetchall():
        match = _REPLY_TAG.search(body)
        if match is not None:
            db.execute(
                "UPDATE notes SET body = ?, in_reply_to = ? WHERE id = ?",
                (body[: match.start()], match.group(1), note_id),
            )


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}
"""Schema version -> the step that brings it to the next version."""
