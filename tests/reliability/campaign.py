"""The local tracker's reliability campaign: kill -9 and Ctrl-C at random moments.

Three parts, each on real ``python -m sop_sync`` processes:

1. ``open`` killed with SIGKILL at a random moment (and some at a placed one: inside a write
   transaction), then run again to the end: no duplicate (the UNIQUE marker), the request
   complete, no orphan file, SQLite's integrity check ``ok``.
2. ``issue attach`` of a large file killed the same way (placed: after the bytes were stored,
   before the commit), then the next run (a comment): no orphan file, no attachment without
   its file; then the attach again: the file recorded once.
3. ``open`` interrupted with SIGINT at a random moment after sop-sync started (the child
   reports entering :func:`sop_sync.cli.main`; before that Python itself is starting): every
   interrupted run exits 130 with the one line ``interrupted``; the next run converges.

``benchmarks/reliability_local.py`` runs it with the default sizes and prints the figures;
``tests/trackers/local/test_reliability.py`` runs a small one and asserts the zeros.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability import harness
from tests.reliability.harness import Child, Workspace

PLACED_EVERY = 3
"""Every third kill is placed at a known point instead of a random moment."""
STARTED = "sop_sync.cli:main"
"""sop-sync's first line: random interrupts are timed from here."""


@dataclass
class Figures:
    """What one part of the campaign found."""

    name: str
    runs: int = 0
    signalled: int = 0
    """Runs the signal reached while they were still running."""
    placed: int = 0
    """Of those, signalled at a placed point rather than a random moment."""
    finished_first: int = 0
    """Runs that ended before the signal was sent (not counted as signalled)."""
    duplicates: int = 0
    orphan_files: int = 0
    missing_files: int = 0
    incomplete: int = 0
    """Requests or attachments not complete after the next run."""
    failed_next_runs: int = 0
    integrity_errors: int = 0
    wrong_endings: list[str] = field(default_factory=list)
    """For interrupts: how the runs that did not end with 130 and one line ended."""
    seconds_to_exit: list[float] = field(default_factory=list)
    stray: set[str] = field(default_factory=set)
    """Every orphan file seen after a next run (each counted once)."""
    lost: set[str] = field(default_factory=set)
    """Every attachment seen without its file."""

    @property
    def problems(self) -> int:
        """Everything that should be zero."""
        return (
            self.duplicates
            + self.orphan_files
            + self.missing_files
            + self.incomplete
            + self.failed_next_runs
            + self.integrity_errors
            + len(self.wrong_endings)
        )

    def lines(self) -> list[str]:
        """The figures, one per line."""
        lines = [
            f"{self.name}: {self.runs} runs, {self.signalled} signalled while running "
            f"({self.placed} at a placed point), {self.finished_first} ended first",
            f"  duplicates {self.duplicates}, orphan files {self.orphan_files}, "
            f"attachments without a file {self.missing_files}, incomplete after the next "
            f"run {self.incomplete}, failed next runs {self.failed_next_runs}, integrity "
            f"errors {self.integrity_errors}",
        ]
        if self.seconds_to_exit:
            exits = sorted(self.seconds_to_exit)
            lines.append(
                f"  exit 130 with one line: {len(exits)} of {self.signalled}; "
                f"from SIGINT to exit: median {statistics.median(exits) * 1000:.0f} ms, "
                f"max {exits[-1] * 1000:.0f} ms"
            )
        lines += [f"  ended otherwise: {ending}" for ending in self.wrong_endings]
        return lines


def _check_file(workspace: Workspace, figures: Figures) -> None:
    """After a next run: what the file holds (duplicates never go away: the latest count)."""
    if harness.integrity(workspace.db) != "ok":
        figures.integrity_errors += 1
    duplicates = harness.duplicates(workspace.db) + harness.attachment_duplicates(workspace.db)
    figures.duplicates = max(figures.duplicates, duplicates)
    stray, missing = harness.orphans(workspace.db)
    figures.stray.update(stray)
    figures.lost.update(missing)
    figures.orphan_files, figures.missing_files = len(figures.stray), len(figures.lost)


def moments(seed: int) -> random.Random:
    """The random moments of a campaign, the same for the same seed."""
    return random.Random(seed)  # noqa: S311 - timing, not secrets


def _issues_of(db: Path, key: str) -> int:
    uri = f"{db.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as c:
        row = c.execute("SELECT COUNT(*) FROM issues WHERE request_key = ?", (key,))
        return int(row.fetchone()[0])


def _attachments_of(db: Path, filename: str) -> int:
    uri = f"{db.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as c:
        row = c.execute("SELECT COUNT(*) FROM attachments WHERE filename = ?", (filename,))
        return int(row.fetchone()[0])


def _timed(run: Callable[[], harness.Result]) -> float:
    started = time.monotonic()
    result = run()
    if result.code != 0:
        raise AssertionError(f"the warm-up run failed: {result}")
    return time.monotonic() - started


def _kill(child: Child, delay: float, figures: Figures) -> None:
    if harness.kill_at(child, delay):
        figures.signalled += 1
    else:
        figures.finished_first += 1


def _kill_placed(child: Child, figures: Figures) -> None:
    if child.wait_reached():
        child.process.send_signal(signal.SIGKILL)
        child.finish()
        figures.signalled += 1
        figures.placed += 1
    else:
        child.finish()
        figures.finished_first += 1


def kill_open(workspace: Workspace, runs: int, rng: random.Random) -> Figures:
    """``open`` killed at random moments (every third inside a write), then run again."""
    figures = Figures("kill -9 of `open`")
    full = _timed(lambda: harness.run(workspace, workspace.open_args("pemanasan")))
    for run in range(runs):
        key = f"buka-{run}"
        args = workspace.open_args(key)
        figures.runs += 1
        if run % PLACED_EVERY == PLACED_EVERY - 1:
            at = "sop_sync.trackers.local.write:create_issue"
            child = harness.start(workspace, args, at=at, pause=True)
            _kill_placed(child, figures)
        else:
            _kill(harness.start(workspace, args), rng.uniform(0, full * 1.1), figures)
        again = harness.run(workspace, args)
        if again.code != 0:
            figures.failed_next_runs += 1
        elif _issues_of(workspace.db, key) != workspace.steps + 1:
            figures.incomplete += 1
        _check_file(workspace, figures)
    return figures


def kill_attach(
    workspace: Workspace, runs: int, rng: random.Random, size: int = 4 << 20
) -> Figures:
    """``issue attach`` of a ``size``-byte file killed at random moments, then the next run."""
    figures = Figures("kill -9 of `issue attach`")
    if harness.run(workspace, workspace.open_args("lampiran")).code != 0:
        raise AssertionError("could not open the request to attach to")

    def attach(number: int) -> list[str]:
        upload = workspace.folder / f"bukti-{number}.bin"
        if not upload.exists():
            upload.write_bytes(os.urandom(size))
        return ["issue", "attach", "lampiran", "2", str(upload), "--as", "sari"]

    full = _timed(lambda: harness.run(workspace, attach(-1)))
    comment = ["issue", "comment", "lampiran", "2", "Bukti menyusul", "--as", "sari"]
    for run in range(runs):
        args = attach(run)
        figures.runs += 1
        if run % PLACED_EVERY == PLACED_EVERY - 1:
            at = "sop_sync.trackers.local.store:LocalStore.event"  # bytes stored, no commit
            child = harness.start(workspace, args, at=at, pause=True)
            _kill_placed(child, figures)
        else:
            _kill(harness.start(workspace, args), rng.uniform(0, full * 1.1), figures)
        time.sleep(0.02)  # the next run starts after the killed one's files were written
        # the next run writes something else: attaching the same file again would reuse
        # the stored name and hide an orphan
        if harness.run(workspace, comment).code != 0:
            figures.failed_next_runs += 1
        _check_file(workspace, figures)
        if harness.run(workspace, args).code != 0:  # then the attach, to the end
            figures.failed_next_runs += 1
        elif _attachments_of(workspace.db, f"bukti-{run}.bin") != 1:
            figures.incomplete += 1
        _check_file(workspace, figures)
    return figures


def interrupt_open(workspace: Workspace, runs: int, rng: random.Random) -> Figures:
    """``open`` interrupted with SIGINT at random moments: 130 and one line, every time."""
    figures = Figures("Ctrl-C of `open`")
    full = _timed(lambda: harness.run(workspace, workspace.open_args("pemanasan-2")))
    for run in range(runs):
        key = f"sela-{run}"
        args = workspace.open_args(key)
        figures.runs += 1
        # a moment from sop-sync's first line on: before it, Python itself is starting up
        # (its own KeyboardInterrupt traceback there is nothing sop-sync can change)
        child = harness.start(workspace, args, at=STARTED)
        child.wait_reached()
        time.sleep(rng.uniform(0, full * 0.7))
        if child.process.poll() is not None:
            child.finish()
            figures.finished_first += 1
            continue
        sent = time.monotonic()
        child.process.send_signal(signal.SIGINT)
        result = child.finish(since=sent)
        figures.signalled += 1
        if result.one_line_interrupted:
            figures.seconds_to_exit.append(result.seconds)
        elif result.code == 0 and f"opened {key}" in result.stdout and not result.stderr:
            figures.signalled -= 1  # it ended as the signal was sent
            figures.finished_first += 1
        else:
            figures.wrong_endings.append(f"exit {result.code}, stderr {result.stderr[-300:]!r}")
        again = harness.run(workspace, args)
        if again.code != 0:
            figures.failed_next_runs += 1
        elif _issues_of(workspace.db, key) != workspace.steps + 1:
            figures.incomplete += 1
        _check_file(workspace, figures)
    return figures


@dataclass
class Campaign:
    """The sizes of one campaign."""

    kills_open: int = 50
    kills_attach: int = 50
    interrupts: int = 30
    steps: int = 40
    attachment_bytes: int = 4 << 20
    seed: int = 10

    def run(self, folder: Path, report: Callable[[str], None] | None = None) -> list[Figures]:
        """Run the three parts in ``folder``; ``report`` gets each line as it comes."""
        rng = moments(self.seed)
        parts: list[Callable[[Workspace], Figures]] = [
            lambda w: kill_open(w, self.kills_open, rng),
            lambda w: kill_attach(w, self.kills_attach, rng, self.attachment_bytes),
            lambda w: interrupt_open(w, self.interrupts, rng),
        ]
        found: list[Figures] = []
        for number, part in enumerate(parts):
            figures = part(Workspace(folder / f"part-{number + 1}", steps=self.steps))
            found.append(figures)
            for line in figures.lines():
                if report is not None:
                    report(line)
        return found
