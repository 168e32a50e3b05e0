"""The local tracker's files: foreign databases, read-only use, orphans, locks (issue 10, 6)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from sop_sync.cli import run
from sop_sync.errors import TrackerError, TrackerUnavailableError
from sop_sync.model.changes import Attach, CreateIssue, Ref
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.local.facade import LocalTracker
from sop_sync.trackers.local.store import LocalStore
from tests.cli.test_requests import OPEN
from tests.reliability import harness
from tests.reliability.harness import Workspace


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- a foreign SQLite file ----------------------------------------------------------------


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_foreign_sqlite_file_is_refused_before_anything_is_written(
    tmp_path: Path, journal: str
) -> None:
    """Another program's database: refused on one line, its bytes (header too) unchanged."""
    path = tmp_path / "invoices.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute(f"PRAGMA journal_mode = {journal}")
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        db.execute("INSERT INTO invoices VALUES (1, 500)")
    before = path.read_bytes()
    version = 1 if journal == "delete" else 2  # header bytes 18-19: 1 rollback, 2 WAL
    assert (before[18], before[19]) == (version, version)
    with pytest.raises(TrackerError, match="it is an SQLite database, but not sop-sync's"):
        LocalTracker(path)
    after = path.read_bytes()
    assert (after[18], after[19]) == (version, version)
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoices.db"]


# --- read-only use ------------------------------------------------------------------------


def test_read_only_with_no_file_is_an_empty_tracker_and_creates_nothing(tmp_path: Path) -> None:
    """No file yet: no requests, nothing observed, and neither file nor folder created."""
    path = tmp_path / ".sop-sync" / "tracker.db"
    tracker = LocalTracker(path, read_only=True)
    assert tracker.requests() == []
    assert tracker.observe("absensi").epic is None
    tracker.close()
    assert list(tmp_path.iterdir()) == []


def test_read_only_reads_and_refuses_to_write(tmp_path: Path) -> None:
    """Read-only sees what was written and refuses a change on one line naming the file."""
    path = tmp_path / "t.db"
    writer = LocalTracker(path)
    writer.apply(CreateIssue(Ref("a"), "Epic", "", (), data=(("sop", "bali"),)))
    writer.close()
    reader = LocalTracker(path, read_only=True)
    assert [s.key for s in reader.requests()] == ["a"]
    with pytest.raises(TrackerError) as caught:
        reader.apply(CreateIssue(Ref("b"), "Epic", "", ()))
    assert caught.value.message == (
        f"{path}: create permohonan b: Epic: the tracker was opened read-only"
    )
    reader.close()


NOBODY = 65534


@contextlib.contextmanager
def read_only_folder(folder: Path, how: str = "") -> Iterator[None]:
    """``folder`` made read-only: by its modes, or as a read-only bind mount.

    ``modes``: no write bit on the folder and its files (as root, the block runs with the
    effective user ``nobody``, for whom modes count). ``mount``: a read-only file system
    (root only). The default is ``modes`` for a user and ``mount`` for root.
    """
    how = how or ("mount" if os.geteuid() == 0 else "modes")
    if how == "modes":
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        root = os.geteuid() == 0
        try:
            if root:
                os.seteuid(NOBODY)
            yield
        finally:
            if root:
                os.seteuid(0)
            for path, mode in modes.items():
                path.chmod(mode)
        return
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("a read-only bind mount needs root and mount(8)")
    bound = subprocess.run(
        [mount, "--bind", str(folder), str(folder)], capture_output=True, check=False
    )
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bound.stderr!r}")
    try:
        subprocess.run(
            [mount, "-o", "remount,bind,ro", str(folder)], capture_output=True, check=True
        )
        yield
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=True)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder everyone may enter (``nobody`` too, unlike pytest's own)."""
    folder = Path(tempfile.mkdtemp(prefix="sop-sync-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("how", ["modes", "mount"])
def test_read_only_works_on_a_read_only_file_system(open_tmp: Path, how: str) -> None:
    """A read-only folder (and file): read-only opening reads, and nothing changes there."""
    folder = open_tmp / "ro"
    writer = LocalTracker(folder / "t.db")
    writer.apply(CreateIssue(Ref("a"), "Epic", "", (), data=(("sop", "bali"),)))
    writer.close()
    before = snapshot(folder)
    with read_only_folder(folder, how):
        with pytest.raises(OSError, match=r"Read-only file system|Permission denied"):
            (folder / "probe").write_text("x")
        reader = LocalTracker(folder / "t.db", read_only=True)
        assert [s.key for s in reader.requests()] == ["a"]
        assert reader.observe("a").epic is not None
        reader.close()
        with pytest.raises(TrackerError) as caught:
            LocalTracker(folder / "t.db").apply(CreateIssue(Ref("b"), "Epic", "", ()))
        assert str(folder / "t.db") in caught.value.message
        assert "\n" not in caught.value.message
    assert snapshot(folder) == before


def test_an_older_schema_read_only_asks_for_a_writing_command(tmp_path: Path) -> None:
    """Upgrading writes, so a read-only command on a version 1 file says what to run."""
    path = tmp_path / "t.db"
    LocalTracker(path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    before = path.read_bytes()
    with pytest.raises(TrackerError, match=r"schema version 1 needs an upgrade.*sop-sync sync"):
        LocalTracker(path, read_only=True)
    assert path.read_bytes() == before


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI on a tracker file in a folder that does not exist yet."""
    path = tmp_path / "data" / "tracker.db"
    monkeypatch.setenv("SOP_SYNC_DB", str(path))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return path


READ_ONLY_COMMANDS = [["status"], ["check"], ["sync", "--dry-run"], [*OPEN, "--dry-run"]]


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_read_only_commands_create_no_database(
    cli: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """status, check, sync --dry-run, open --dry-run: no file, no folder; no requests yet."""
    assert run(args) == 0
    assert not cli.parent.exists()
    out = capsys.readouterr().out
    if args[0] == "status":
        assert "no requests yet" in out
    if args[0] == "open":
        assert "create absensi langkah 07" in out


def test_read_only_commands_work_on_a_read_only_file_system(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `open`, the read-only commands work on a read-only folder and change nothing."""
    assert run(OPEN) == 0
    before = snapshot(cli.parent)
    capsys.readouterr()
    with read_only_folder(cli.parent):
        for args in READ_ONLY_COMMANDS:
            assert run(args) == 0, capsys.readouterr().err
            assert "absensi" in capsys.readouterr().out
        assert run(["issue", "comment", "absensi", "1", "Halo", "--as", "sari"]) == 1
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith(f"error: {cli}: ")
    assert snapshot(cli.parent) == before


# --- files of a run that did not commit ---------------------------------------------------


def test_files_no_attachment_names_are_removed_when_opened_for_writing(tmp_path: Path) -> None:
    """A stray file (a killed run's) goes when the tracker opens for writing, not read-only."""
    path = tmp_path / "t.db"
    tracker = LocalTracker(path)
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    tracker.apply(Attach(Ref("a"), "dfd.png", b"png"))
    tracker.close()
    files = tmp_path / "t.db.files"
    stray = files / "2-erd.png"
    stray.write_bytes(b"half written")
    past = time.time() - 60
    os.utime(stray, (past, past))
    LocalTracker(path, read_only=True).close()
    assert stray.exists()
    LocalTracker(path).close()
    assert sorted(p.name for p in files.iterdir()) == ["1-dfd.png"]


def test_a_file_written_after_opening_is_not_touched(tmp_path: Path) -> None:
    """Only files from before this run started are candidates (never another run's own)."""
    path = tmp_path / "t.db"
    LocalTracker(path).apply(CreateIssue(Ref("a"), "Epic", "", ()))
    files = tmp_path / "t.db.files"
    files.mkdir()
    future = files / "7-new.png"
    future.write_bytes(b"png")
    later = time.time() + 60
    os.utime(future, (later, later))
    LocalTracker(path).close()
    assert future.exists()


def test_the_attachment_of_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    """A kill -9 after the bytes were stored, before the commit: the next run removes them."""
    workspace = Workspace(tmp_path, steps=4)
    assert harness.run(workspace, workspace.open_args()).code == 0
    upload = tmp_path / "rancangan-dfd.png"
    upload.write_bytes(os.urandom(4096))
    attach = ["issue", "attach", "uji", "2", str(upload), "--as", "sari"]
    child = harness.start(
        workspace, attach, at="sop_sync.trackers.local.store:LocalStore.event", pause=True
    )
    assert child.wait_reached()
    child.process.kill()
    child.finish()
    stray, missing = harness.orphans(workspace.db)
    assert len(stray) == 1  # the bytes are there, no attachment names them
    assert missing == []
    time.sleep(0.05)  # the next run starts later than the file was written
    comment = ["issue", "comment", "uji", "2", "Diagram menyusul", "--as", "sari"]
    assert harness.run(workspace, comment).code == 0  # any run that writes
    assert harness.orphans(workspace.db) == ([], [])
    again = harness.run(workspace, attach)
    assert again.code == 0, again.stderr
    assert harness.run(workspace, attach).code == 0
    assert harness.orphans(workspace.db) == ([], [])
    assert harness.attachment_duplicates(workspace.db) == 0


class InterruptedAfterCommit:
    """A connection that is interrupted right after a COMMIT went through."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        """Run ``sql``; after COMMIT, raise KeyboardInterrupt as a Ctrl-C there would."""
        cursor = self.db.execute(sql, *args)
        if sql == "COMMIT":
            raise KeyboardInterrupt
        return cursor

    def __getattr__(self, name: str) -> object:
        return getattr(self.db, name)


def test_an_interrupt_right_after_the_commit_keeps_the_file(tmp_path: Path) -> None:
    """The attachment committed, so its bytes stay, whatever comes next."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    store: LocalStore = tracker.store
    real = store.db
    store.db = InterruptedAfterCommit(real)  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        tracker.apply(Attach(Ref("a"), "kak.pdf", b"%PDF"))
    store.db = real
    epic = tracker.observe("a").epic
    assert epic is not None
    [attachment] = epic.attachments
    assert Path(attachment.url).read_bytes() == b"%PDF"


def test_the_same_file_attached_again_by_the_same_person_is_recorded_once(
    tmp_path: Path,
) -> None:
    """A re-run of `issue attach` records nothing new; another person's upload counts."""
    tracker = LocalTracker(tmp_path / "t.db")
    tracker.apply(CreateIssue(Ref("a"), "Epic", "", ()))
    sari, dewi = tracker.acting_as("sari"), tracker.acting_as("dewi")
    sari.apply(Attach(Ref("a"), "dfd.png", b"v1"))
    sari.apply(Attach(Ref("a"), "dfd.png", b"v1"))
    sari.apply(Attach(Ref("a"), "dfd.png", b"v2"))
    dewi.apply(Attach(Ref("a"), "dfd.png", b"v1"))
    epic = tracker.observe("a").epic
    assert epic is not None
    assert [(a.filename, a.uploaded_by) for a in epic.attachments] == [
        ("dfd.png", "sari"),
        ("dfd.png", "sari"),
        ("dfd.png", "dewi"),
    ]
    assert [e.action for e in epic.events].count("attached") == 3


# --- locks --------------------------------------------------------------------------------


@contextlib.contextmanager
def held(path: Path, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
    """Another process holds a lock on ``path`` meanwhile."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute(begin)
        try:
            yield other
        finally:
            other.execute("ROLLBACK")


def test_a_lock_while_upgrading_is_one_line_naming_the_file(tmp_path: Path) -> None:
    """Opening must upgrade the schema while another process writes: one line, the file."""
    path = tmp_path / "t.db"
    LocalTracker(path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with held(path), pytest.raises(TrackerUnavailableError) as caught:
        LocalTracker(path, busy_timeout=0.2)
    assert caught.value.message == (
        f"{path}: upgrading the database from schema version 1: the database is locked by "
        "another sop-sync process; try again when it is done"
    )


def test_a_lock_on_a_rollback_journal_file_while_opening(tmp_path: Path) -> None:
    """Even reading waits for an exclusive lock (no WAL yet): one line naming the file."""
    path = tmp_path / "t.db"
    with held(path, "BEGIN EXCLUSIVE") as other:
        other.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        started = time.monotonic()
        with pytest.raises(TrackerUnavailableError) as caught:
            LocalTracker(path, busy_timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 2
    assert caught.value.message == (
        f"{path}: cannot open the local tracker: the database is locked by another sop-sync "
        "process; try again when it is done"
    )


def test_a_lock_held_past_the_timeout_stops_the_apply_loop(tmp_path: Path) -> None:
    """Each change would wait and fail alike: the first lock timeout ends the run."""
    from sop_sync.app.apply import Outcome, apply_changes

    path = tmp_path / "t.db"
    tracker = LocalTracker(path, busy_timeout=0.2)
    changes = [CreateIssue(Ref(f"k{n}"), "Epic", "", ()) for n in range(20)]
    started = time.monotonic()
    with held(path), pytest.raises(TrackerUnavailableError):
        apply_changes(tracker, changes, Outcome("k"))
    assert time.monotonic() - started < 2
    assert tracker.requests() == []


def test_damaged_marker_data_is_one_line_naming_the_file(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Marker data that is not JSON (edited by hand?): exit 1, the file named, no traceback."""
    assert run(OPEN) == 0
    with closing(sqlite3.connect(cli, isolation_level=None)) as db:
        db.execute("UPDATE issues SET data = '{\"sop\": ' WHERE step IS NULL")
    capsys.readouterr()
    assert run(["status"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {cli}: permohonan absensi: its stored data is not a JSON")
