"""Exit codes as the README promises: Ctrl-C is 130 with one line, a bug is 3 with one line.

The interrupt tests send a real SIGINT to a real ``python -m sop_sync`` process; the moment
is placed with :mod:`tests.reliability.child` (the child waits inside a named function until
the signal comes). Issue 10, part 3.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.errors import INTERNAL_EXIT, INTERRUPTED_EXIT
from tests.reliability import harness
from tests.reliability.harness import Result, Workspace

MOMENTS = {
    "importing the commands": "sop_sync.cli.requests:<module>",
    "parsing the arguments": "typer.core:TyperGroup.parse_args",
    "reading the settings": "sop_sync.config:load_settings",
    "loading the SOP": "sop_sync.sop.loader:load_sop",
    "opening the tracker": "sop_sync.trackers.local.store:LocalStore.__init__",
    "planning the stages": "sop_sync.plan.stages:stages",
    "inside a write transaction": "sop_sync.trackers.local.write:link",
    "reporting the outcome": "sop_sync.cli.output:report",
    # after the work: Python's own shutdown before, sop-sync's way out after the fix
    "leaving the process": "threading:_shutdown,sop_sync.cli.interrupts:leave",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A folder with the 40-step SOP ``panjang`` and a tracker file path (not created)."""
    return Workspace(tmp_path)


def sound(workspace: Workspace) -> None:
    """The tracker file, if any, is intact: no duplicate, no orphan, and `open` converges."""
    if workspace.db.exists():
        assert harness.integrity(workspace.db) == "ok"
        assert harness.duplicates(workspace.db) == 0
    again = harness.run(workspace, workspace.open_args())
    assert again.code == 0, again.stderr
    assert harness.orphans(workspace.db) == ([], [])


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.replace(" ", "-"))
def test_ctrl_c_at_any_moment_exits_130_with_one_line(workspace: Workspace, moment: str) -> None:
    """A SIGINT while sop-sync is at ``moment`` ends it with 130 and ``interrupted``, no more."""
    result = harness.interrupt_at(workspace, workspace.open_args(), MOMENTS[moment])
    assert result.one_line_interrupted, result
    assert "Traceback" not in result.stderr
    sound(workspace)


@contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """Another process holds the write lock meanwhile."""
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


def test_ctrl_c_while_waiting_for_the_database_lock(workspace: Workspace) -> None:
    """Waiting for another process's lock (5 s at most) ends at once on Ctrl-C."""
    assert harness.run(workspace, workspace.open_args("pertama")).code == 0
    with write_lock(workspace.db):
        at = "sop_sync.trackers.local.store:LocalStore.transaction"
        child = harness.start(workspace, workspace.open_args(), at=at)
        assert child.wait_reached()
        time.sleep(0.5)  # now in the wait
        sent = time.monotonic()
        child.process.send_signal(signal.SIGINT)
        result = child.finish(since=sent)
    assert result.one_line_interrupted, result
    assert result.seconds < 3  # the busy timeout is 5 s
    sound(workspace)


def test_a_lock_held_by_another_process_is_one_line_naming_the_file(
    workspace: Workspace,
) -> None:
    """`open` while another process keeps the lock: one line with the file, exit 1, soon."""
    assert harness.run(workspace, workspace.open_args("pertama")).code == 0
    with write_lock(workspace.db):
        result = harness.run(workspace, workspace.open_args(), timeout=30)
    assert result.code == 1, result
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {workspace.db}: ")
    assert "locked by another" in line
    assert result.seconds < 10  # one wait of the busy timeout, not one per change
    sound(workspace)


def on_terminal(workspace: Workspace, at: str) -> tuple[Result, harness.Screen]:
    """Interrupt ``open`` at ``at`` with stderr on a terminal; what the person sees."""
    with harness.terminal() as (writer, reader):
        child = harness.start(workspace, workspace.open_args(), at=at, pause=True, stderr=writer)
        assert child.wait_reached()
        time.sleep(0.3)  # the bar is drawn
        child.process.send_signal(signal.SIGINT)
        result = child.finish()
        os.close(writer)
        screen = harness.Screen().feed(harness.drain(reader))
    return result, screen


@pytest.mark.parametrize(
    "at",
    ["sop_sync.trackers.local.write:link", "rich.live:Live.stop"],
    ids=["while-the-bar-runs", "while-the-bar-stops"],
)
def test_ctrl_c_on_a_terminal_leaves_one_line_and_the_cursor(workspace: Workspace, at: str) -> None:
    """On a terminal the progress bar is gone, the cursor shows, and one line remains."""
    result, screen = on_terminal(workspace, at)
    assert result.code == INTERRUPTED_EXIT, result
    assert screen.text == ["interrupted"]
    assert screen.cursor_visible
    sound(workspace)


def parallel(workspace: Workspace, seconds: float) -> dict[str, str]:
    """The environment of a child whose tracker takes four writes at once."""
    return {
        "SOP_SYNC_TEST_TRACKER": "parallel",
        "SOP_SYNC_TEST_APPLY_SECONDS": str(seconds),
        "SOP_SYNC_TEST_APPLIED_FILE": str(workspace.folder / "applied.txt"),
    }


def applied(workspace: Workspace) -> int:
    """Changes the parallel tracker carried out so far."""
    path = workspace.folder / "applied.txt"
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def test_ctrl_c_in_a_parallel_stage_stops_queued_writes(workspace: Workspace) -> None:
    """In a stage run by a thread pool, Ctrl-C lets the writes in flight end, starts no more."""
    env = parallel(workspace, 0.2)
    child = harness.start(
        workspace,
        workspace.open_args(),
        at="concurrent.futures.thread:ThreadPoolExecutor.__init__",
        env=env,
    )
    assert child.wait_reached()
    time.sleep(0.1)
    before = applied(workspace)
    sent = time.monotonic()
    child.process.send_signal(signal.SIGINT)
    result = child.finish(since=sent)
    assert result.one_line_interrupted, result
    assert applied(workspace) - before <= 4  # the four in flight, if any
    assert result.seconds < 3


def test_a_second_ctrl_c_ends_the_wait_for_writes_in_flight(workspace: Workspace) -> None:
    """The second Ctrl-C does not wait for slow writes in flight: one line, 130, now."""
    env = parallel(workspace, 5.0)
    child = harness.start(
        workspace,
        workspace.open_args(),
        at="concurrent.futures.thread:ThreadPoolExecutor.__init__",
        env=env,
    )
    assert child.wait_reached()
    time.sleep(0.2)
    child.process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    sent = time.monotonic()
    child.process.send_signal(signal.SIGINT)
    result = child.finish(since=sent)
    assert result.one_line_interrupted, result
    assert result.seconds < 3  # the writes in flight take 5 s


# --- an unexpected exception --------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_with_a_hint_exit_3(workspace: Workspace) -> None:
    """A bug (a KeyError where none should be) is exit 3, one line, no traceback."""
    assert harness.run(workspace, workspace.open_args()).code == 0
    child = harness.start(
        workspace,
        ["status"],
        at="sop_sync.app.enforce:progress",
        env={"SOP_SYNC_TEST_AT_RAISE": "KeyError"},
    )
    result = child.finish()
    assert result.code == INTERNAL_EXIT, result
    [line] = result.stderr.splitlines()
    assert line.startswith("error: internal error (KeyError: ")
    assert "raised by the test at sop_sync.app.enforce:progress" in line
    assert "SOP_SYNC_DEBUG=1" in line


def test_sop_sync_debug_shows_the_traceback(workspace: Workspace) -> None:
    """With SOP_SYNC_DEBUG=1 the traceback comes first, then the same line; still exit 3."""
    assert harness.run(workspace, workspace.open_args()).code == 0
    child = harness.start(
        workspace,
        ["status"],
        at="sop_sync.app.enforce:progress",
        env={"SOP_SYNC_TEST_AT_RAISE": "KeyError", "SOP_SYNC_DEBUG": "1"},
    )
    result = child.finish()
    assert result.code == INTERNAL_EXIT, result
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "in progress\n" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: internal error (KeyError: ")


def test_internal_error_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`run()` itself maps an unexpected exception to exit 3 and one line (tests call it)."""
    monkeypatch.setenv("SOP_SYNC_DB", str(tmp_path / "t.db"))
    monkeypatch.delenv("SOP_SYNC_DEBUG", raising=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr("sop_sync.cli.requests.progress", broken)
    assert run(["status"]) == INTERNAL_EXIT
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: internal error (ZeroDivisionError: division by zero second line); please "
        "report it: SOP_SYNC_DEBUG=1 shows the traceback"
    ]


def test_keyboard_interrupt_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`run()` maps KeyboardInterrupt to 130 and one line, however typer reports it."""
    monkeypatch.setenv("SOP_SYNC_DB", str(tmp_path / "t.db"))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sop_sync.cli.requests.progress", interrupted)
    assert run(["status"]) == INTERRUPTED_EXIT
    assert capsys.readouterr().err.splitlines() == ["interrupted"]
    assert run(["status"]) == INTERRUPTED_EXIT  # every run says it, not only the first
    assert capsys.readouterr().err.splitlines() == ["interrupted"]
