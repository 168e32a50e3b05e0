"""Local tracker specifics: the file, its schema, locking, corruption, atomic writes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from sop_sync.errors import TrackerError
from sop_sync.model.changes import (
    CHANGE_TYPES,
    Attach,
    Comment,
    CreateIssue,
    EnsureMilestone,
    Milestone,
    Ref,
)
from sop_sync.trackers.local.facade import LocalTracker
from sop_sync.trackers.local.schema import SCHEMA_VERSION
from sop_sync.trackers.local.write import HANDLERS


@contextmanager
def other_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection to the file, as another process would hold it."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        yield db


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process holds the write lock (BEGIN EXCLUSIVE) meanwhile."""
    with other_connection(path) as other:
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


def fail_on_event(path: Path, action: str) -> None:
    """Make SQLite itself refuse recording an event: the apply fails after its other writes."""
    with other_connection(path) as other:
        other.execute(
            f"CREATE TRIGGER fail_{action} BEFORE INSERT ON events WHEN NEW.action = '{action}' "
            "BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END"
        )


def test_dispatch_table_covers_every_change_type() -> None:
    """Every Change type has a handler, and nothing else does."""
    assert set(HANDLERS) == set(CHANGE_TYPES)


def test_new_file_gets_folders_schema_version_and_wal(tmp_path: Path) -> None:
    """A new file (in folders created for it) records its schema version in WAL mode."""
    path = tmp_path / ".sop-sync" / "deep" / "t.db"
    LocalTracker(path).close()
    with other_connection(path) as db:
        version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_newer_schema_is_refused_before_anything_else(tmp_path: Path) -> None:
    """A database of a newer sop-sync is refused by its version, its tables untouched."""
    path = tmp_path / "t.db"
    with other_connection(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '99')")
        db.execute("CREATE TABLE issues (uid TEXT PRIMARY KEY)")  # a different shape
    with pytest.raises(TrackerError, match="schema version 99 is not supported") as caught:
        LocalTracker(path)
    assert str(path) in caught.value.message
    assert "upgrade sop-sync" in caught.value.message
    with other_connection(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"meta", "issues", "sqlite_autoindex_meta_1", "sqlite_autoindex_issues_1"}


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    """A schema version this sop-sync does not know is refused on one line."""
    LocalTracker(tmp_path / "t.db").close()
    with other_connection(tmp_path / "t.db") as db:
        db.execute("UPDATE meta SET value = 'v1\nbeta' WHERE key = 'schema_version'")
    with pytest.raises(TrackerError, match="is not supported \\(unknown") as caught:
        LocalTracker(tmp_path / "t.db")
    assert "\n" not in caught.value.message


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    """An SQLite file that is not sop-sync's is refused and left as it was."""
    path = tmp_path / "other.db"
    with other_connection(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(TrackerError, match="not sop-sync's"):
        LocalTracker(path)
    with other_connection(path) as db:
        assert [n for (n,) in db.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_corrupt_file_is_one_line_error(tmp_path: Path) -> None:
    """A file that is not a database gives a one-line error naming it, and stays as it was."""
    path = tmp_path / "t.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(TrackerError) as caught:
        LocalTracker(path)
    assert caught.value.message.startswith(f"{path}: cannot open the local tracker: ")
    assert "not a sop-sync database" in caught.value.message
    assert "\n" not in caught.value.message
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_locked_database_is_one_line_error(tmp_path: Path) -> None:
    """A write while another process holds the lock fails on one line and writes nothing."""
    path = tmp_path / "t.db"
    tracker = LocalTracker(path, busy_timeout=0.1)
    with locked(path), pytest.raises(TrackerError) as caught:
        tracker.apply(CreateIssue(Ref("a"), "t", "", ()))
    assert caught.value.message == (
        f"{path}: create permohonan a: t: the database is locked by another sop-sync process; "
        "try again when it is done"
    )
    assert tracker.observe("a").epic is None


def test_reading_while_another_process_writes(tmp_path: Path) -> None:
    """Opening and observing need no write lock: they work while another process writes."""
    path = tmp_path / "t.db"
    LocalTracker(path).apply(CreateIssue(Ref("a"), "Epic", "", ()))
    with locked(path):
        reader = LocalTracker(path, busy_timeout=0.1)
        assert [s.key for s in reader.requests()] == ["a"]
        assert reader.observe("a").epic is not None


def test_failed_attach_removes_the_stored_file(tmp_path: Path) -> None:
    """When recording an attachment fails after its bytes were written, the file goes too."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    fail_on_event(tracker.path, "attached")
    with pytest.raises(TrackerError, match=r"attach 'x\.txt' to permohonan a .*simulated"):
        tracker.apply(Attach(Ref("a"), "x.txt", b"x"))
    epic = tracker.observe("a").epic
    assert epic is not None
    assert epic.attachments == ()
    assert [e.action for e in epic.events] == ["created"]
    assert list(tracker.store.files.iterdir()) == []


def test_unwritable_attachment_folder_records_nothing(tmp_path: Path) -> None:
    """When the bytes cannot be stored, no attachment is recorded."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.store.files.write_text("a file where the folder should be")
    with pytest.raises(TrackerError, match=r"attach 'x\.txt'"):
        tracker.apply(Attach(Ref("a"), "x.txt", b"x"))
    epic = tracker.observe("a").epic
    assert epic is not None
    assert epic.attachments == ()


def test_failed_create_leaves_no_issue_and_no_label(tmp_path: Path) -> None:
    """A CreateIssue that fails at its last write leaves neither the issue nor its labels."""
    tracker = LocalTracker(tmp_path / "t.db")
    fail_on_event(tracker.path, "created")
    with pytest.raises(TrackerError, match="simulated"):
        tracker.apply(CreateIssue(Ref("a"), "Epic", "", ("permohonan",), assignees=("sari",)))
    observed = tracker.observe("a")
    assert observed.epic is None
    assert observed.labels == {}
    assert tracker.requests() == []


def test_attachment_file_is_kept_beside_the_database(tmp_path: Path) -> None:
    """The bytes are stored in the folder beside the database, under a safe name."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.apply(Attach(Ref("a"), "../../etc/passwd dfd.png", b"data"))
    epic = tracker.observe("a").epic
    assert epic is not None
    assert epic.attachments[0].filename == "../../etc/passwd dfd.png"
    stored = Path(epic.attachments[0].url)
    assert stored.parent == tmp_path / "t.db.files"
    assert stored.name == "1-etc_passwd_dfd.png"
    assert stored.read_bytes() == b"data"


def test_actor_and_clock(tmp_path: Path) -> None:
    """The tracker's actor acts unless another is given; times come from the clock."""
    when = dt.datetime(2026, 12, 1, 9, 30, 15, 123456)
    tracker = LocalTracker(tmp_path / "t.db", clock=lambda: when, actor="bot")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.apply(Comment(Ref("a"), "Halo"))
    epic = tracker.observe("a").epic
    assert epic is not None
    [note] = epic.notes
    assert (note.author, note.created_at) == ("bot", when.replace(microsecond=0))
    assert {(e.actor, e.at) for e in epic.events} == {("bot", when.replace(microsecond=0))}


def test_operations_are_counted(tmp_path: Path) -> None:
    """Each apply, observe and requests call counts as one tracker operation."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.apply(Comment(Ref("a"), "x"))
    tracker.observe("a")
    tracker.requests()
    assert tracker.operations == 4


def test_milestone_titles_match_the_key_exactly(tmp_path: Path) -> None:
    """A milestone titled for "ABC" or "ab_c" is not one of request "abc"'s."""
    tracker = LocalTracker(tmp_path / "t.db")
    for title in ("abc · Fase", "ABC · Fase", "ab_c · Fase", "abcd · Fase"):
        tracker.apply(EnsureMilestone(Milestone(title, None, None)))
    assert list(tracker.observe("abc").milestones) == ["abc · Fase"]


def test_repeated_labels_in_create_are_one(tmp_path: Path) -> None:
    """A label named twice in CreateIssue is set once."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ("permohonan", "permohonan")))
    epic = tracker.observe("a").epic
    assert epic is not None
    assert epic.labels == {"permohonan"}


def test_data_persists_across_reopening(tmp_path: Path) -> None:
    """What one process wrote, the next reads."""
    first = LocalTracker(tmp_path / "t.db")
    first.apply(CreateIssue(Ref("a"), "Epic", "", (), data=(("sop", "bali"),)))
    first.apply(Attach(Ref("a"), "kak.pdf", b"%PDF"))
    first.close()
    second = LocalTracker(tmp_path / "t.db")
    [summary] = second.requests()
    assert (summary.key, summary.sop_id, summary.data) == ("a", "bali", {"sop": "bali"})
    epic = second.observe("a").epic
    assert epic is not None
    assert Path(epic.attachments[0].url).read_bytes() == b"%PDF"


V1_NOTES = (
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL, author TEXT NOT NULL,"
    " body TEXT NOT NULL, created_at TEXT NOT NULL, system INTEGER NOT NULL DEFAULT 0)"
)


def test_version_1_database_is_upgraded_and_keeps_its_replies(tmp_path: Path) -> None:
    """A schema 1 file opens as version 2: reply tags move from note bodies to their column."""
    path = tmp_path / "t.db"
    tracker = LocalTracker(path)
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.close()
    with other_connection(path) as db:  # rebuild the notes table as version 1 had it
        db.execute("DROP TABLE notes")
        db.execute(V1_NOTES)
        db.execute(
            "INSERT INTO notes (issue_id, author, body, created_at) VALUES "
            "(1, 'dewi', '/sop setuju', '2026-12-01T08:00:00'), "
            "(1, 'sop-sync', 'Ditolak.\n\n<!-- sop-sync:re 1 -->', '2026-12-01T08:01:00')"
        )
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    upgraded = LocalTracker(path)
    epic = upgraded.observe("a").epic
    assert epic is not None
    assert [(n.body, n.in_reply_to) for n in epic.notes] == [
        ("/sop setuju", None),
        ("Ditolak.", "1"),
    ]
    upgraded.close()
    with other_connection(path) as db:
        version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert version == (str(SCHEMA_VERSION),)


def test_a_reply_keeps_the_note_it_answers(tmp_path: Path) -> None:
    """Comment.in_reply_to is stored apart from the text and read back as Note.in_reply_to."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.apply(Comment(Ref("a"), "Diterima.", in_reply_to="7"))
    epic = tracker.observe("a").epic
    assert epic is not None
    [note] = epic.notes
    assert (note.body, note.in_reply_to) == ("Diterima.", "7")
