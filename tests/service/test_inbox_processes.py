"""The inbox shared by real OS processes, on SQLite and PostgreSQL.

Worker processes (tests/service/inbox_worker.py) claim and finish jobs while this process
keeps delivering; each processing is recorded with its times. Proved: no job is ever held by
two workers at overlapping times, and every job is processed after its last delivery (each
delivery carries an increasing ``seq`` hint, so the last one must have been seen by a claim).
Then a worker is killed with SIGKILL inside its lease: another worker takes the job once the
lease has run out, and nothing is lost.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sop_sync.service.inbox import open_inbox
from sop_sync.service.inbox.base import Delivery, Inbox

ROOT = Path(__file__).resolve().parents[2]
JOBS = 300
HOT = 10
"""Jobs that get half of the deliveries, so deliveries often arrive during a run."""
DELIVERIES = 900
DEADLINE = 20.0


@contextmanager
def workers(url: str, folder: Path, names: list[str], lease: float) -> Iterator[dict[str, Any]]:
    """Started worker processes by name, ready to claim; stopped (or killed) at the end."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = [sys.executable, "-m", "tests.service.inbox_worker", url]
    started = {
        name: subprocess.Popen(
            [*script, name, str(folder), str(lease)],
            cwd=ROOT,
            env=env,
        )
        for name in names
    }
    try:
        deadline = time.monotonic() + DEADLINE
        while not all((folder / f"{name}.ready").exists() for name in names):
            assert time.monotonic() < deadline, "the workers did not start"
            assert all(p.poll() is None for p in started.values()), "a worker died at start"
            time.sleep(0.02)
        yield started
    finally:
        (folder / "stop").touch()
        for process in started.values():
            try:
                process.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def records(folder: Path) -> list[dict[str, Any]]:
    """Every processing every worker recorded."""
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        found += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def drained(inbox: Inbox) -> None:
    """Wait until no job is pending."""
    deadline = time.monotonic() + DEADLINE
    while inbox.stats().pending:
        assert time.monotonic() < deadline, f"jobs still pending: {inbox.stats()}"
        time.sleep(0.05)


def no_overlaps(done: list[dict[str, Any]]) -> None:
    """No two processings of one job overlap in time."""
    by_job: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in done:
        by_job[record["job"]].append(record)
    for job, runs in by_job.items():
        runs.sort(key=lambda r: r["start"])
        for before, after in itertools.pairwise(runs):
            assert before["end"] <= after["start"], f"{job} held twice: {before} and {after}"


def test_processes_share_jobs_without_overlap_or_loss(inbox_url: str, tmp_path: Path) -> None:
    """3 worker processes, 300 jobs, 900 deliveries while they work: exclusive and complete."""
    inbox = open_inbox(inbox_url, max_attempts=5)
    rng = random.Random(12)  # noqa: S311 - a reproducible mix, not cryptography
    last_seq: dict[str, int] = {}
    try:
        with workers(inbox_url, tmp_path, ["w1", "w2", "w3"], lease=60):
            batch: list[Delivery] = []
            for number in range(DELIVERIES):
                hot = rng.random() < 1 / 2
                job = f"request:r{rng.randrange(HOT) if hot else rng.randrange(JOBS)}"
                last_seq[job] = number
                batch.append(Delivery("gitlab", f"d{number}", "Note Hook", job, {"seq": number}))
                if len(batch) == 10:
                    assert inbox.accept(batch) == [True] * 10
                    batch = []
                    time.sleep(rng.uniform(0, 0.01))
            drained(inbox)
        done = records(tmp_path)
        no_overlaps(done)
        seen: dict[str, int] = defaultdict(lambda: -1)
        for record in done:
            seen[record["job"]] = max(seen[record["job"]], record["seq"])
        assert dict(seen) == last_seq  # every job processed after its last delivery
        assert len({record["worker"] for record in done}) == 3
        stats = inbox.stats()
        assert (stats.pending, stats.parked, stats.failed) == (0, 0, 0)
        assert stats.processed == len(done)
        assert len(done) < DELIVERIES  # coalesced: fewer runs than deliveries
    finally:
        inbox.close()


def test_a_killed_worker_loses_its_job_to_another_after_the_lease(
    inbox_url: str, tmp_path: Path
) -> None:
    """SIGKILL inside a lease: the job waits out the lease, then another worker processes it."""
    lease = 2.0
    inbox = open_inbox(inbox_url, max_attempts=5)
    try:
        (tmp_path / "hold").touch()
        with workers(inbox_url, tmp_path, ["victim"], lease=lease) as victim:
            inbox.accept([Delivery("gitlab", "d0", "Note Hook", "request:held", {"seq": 0})])
            deadline = time.monotonic() + DEADLINE
            while not (tmp_path / "held").exists():
                assert time.monotonic() < deadline, "the victim never claimed the job"
                time.sleep(0.01)
            held = json.loads((tmp_path / "held").read_text(encoding="utf-8"))
            os.kill(victim["victim"].pid, signal.SIGKILL)
            victim["victim"].wait(DEADLINE)
        (tmp_path / "stop").unlink()
        with workers(inbox_url, tmp_path, ["w1", "w2"], lease=60):
            inbox.accept(
                [
                    Delivery("gitlab", f"d{n}", "Note Hook", f"request:r{n}", {"seq": n})
                    for n in (1, 2, 3)
                ]
            )
            drained(inbox)
        done = records(tmp_path)
        assert held["job"] == "request:held"
        [rescued] = [record for record in done if record["job"] == "request:held"]
        assert rescued["worker"] in ("w1", "w2")
        assert rescued["start"] >= held["lease_until"] - 0.05  # not before the lease ran out
        assert sorted(record["job"] for record in done) == [
            "request:held", "request:r1", "request:r2", "request:r3",
        ]  # fmt: skip
        assert inbox.stats().pending == 0
    finally:
        inbox.close()
