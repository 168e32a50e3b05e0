"""Local tracker specifics: the file, its schema, locking, corruption, atomic writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sop_sync.changes import CHANGE_TYPES, Attach, CreateIssue, Ref
from sop_sync.errors import TrackerError
from sop_sync.trackers.local import LocalTracker
from sop_sync.trackers.local_apply import HANDLERS
from sop_sync.trackers.local_schema import SCHEMA_VERSION


def test_dispatch_table_covers_every_change_type() -> None:
    """Every Change type has a handler, and nothing else does."""
    assert set(HANDLERS) == set(CHANGE_TYPES)


def test_schema_version_is_stored(tmp_path: Path) -> None:
    """A new file records its schema version in WAL mode."""
    LocalTracker(tmp_path / "t.db").close()
    db = sqlite3.connect(tmp_path / "t.db")
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database written by a newer sop-sync is not touched."""
    LocalTracker(tmp_path / "t.db").close()
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(TrackerError, match="schema version 99 is not supported"):
        LocalTracker(tmp_path / "t.db")


def test_corrupt_file_is_one_line_error(tmp_path: Path) -> None:
    """A file that is not a database gives a one-line error naming it."""
    path = tmp_path / "t.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(TrackerError) as caught:
        LocalTracker(path)
    assert str(path) in caught.value.message
    assert "not a sop-sync database" in caught.value.message
    assert "\n" not in caught.value.message


def test_locked_database_is_one_line_error(tmp_path: Path) -> None:
    """A write while another process holds the lock fails cleanly and writes nothing."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker._db.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(TrackerError, match="locked by another sop-sync process"):
        tracker.apply(CreateIssue(Ref("a"), "t", "", ()))
    other.execute("ROLLBACK")
    assert tracker.observe("a").epic is None


def test_failed_attach_records_nothing(tmp_path: Path) -> None:
    """When the file cannot be stored, no attachment is recorded (one transaction)."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.files.write_text("a file where the folder should be")
    with pytest.raises(TrackerError, match=r"attach 'x\.txt'"):
        tracker.apply(Attach(Ref("a"), "x.txt", b"x"))
    epic = tracker.observe("a").epic
    assert epic is not None
    assert epic.attachments == ()
    assert [e.action for e in epic.events] == ["created"]


def test_attachment_file_is_kept_beside_the_database(tmp_path: Path) -> None:
    """The bytes are stored in the folder beside the database, under a safe name."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.apply(Attach(Ref("a"), "../../etc/passwd dfd.png", b"data"))
    epic = tracker.observe("a").epic
    assert epic is not None
    stored = Path(epic.attachments[0].url)
    assert stored.parent == tracker.files
    assert stored.read_bytes() == b"data"


def test_data_persists_across_reopening(tmp_path: Path) -> None:
    """What one process wrote, the next reads."""
    first = LocalTracker(tmp_path / "t.db")
    first.apply(CreateIssue(Ref("a"), "Epic", "", (), data=(("sop", "bali"),)))
    first.close()
    second = LocalTracker(tmp_path / "t.db")
    assert [s.key for s in second.requests()] == ["a"]
