"""Scale-out on a real PostgreSQL: one web replica, two worker processes, one killed midway.

``sop-sync serve --workers 0`` only acknowledges webhooks into the PostgreSQL inbox;
two ``sop-sync service worker`` processes (as on two hosts) reconcile. People close steps
early on four requests throughout; one worker is killed with SIGKILL halfway. Afterwards:

- every close is answered once, every step is open again, nothing exists twice;
- no request was ever reconciled by both workers at once (from the workers' JSON logs: each
  job line carries its end time and duration);
- the killed worker's job was taken over by the other once its lease ran out.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from sop_sync.model.changes import Close, Ref
from tests.reliability.harness import CHILD
from tests.service.audit import KEYS, audit, quiet, record
from tests.service.gitlab_world import People, gitlab_world, set_up
from tests.service.serving import running

Interval = tuple[float, float, str]


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``sop-sync service worker --workers 2`` as its own process."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, str(CHILD), "service", "worker", "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def job_intervals(logs: list[Path]) -> dict[str, list[Interval]]:
    """Per job key, the (start, end, worker log) of every run the logs record."""
    runs: dict[str, list[Interval]] = defaultdict(list)
    for log in logs:
        for line in log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry.get("event") != "job":
                continue
            end = dt.datetime.fromisoformat(entry["ts"]).timestamp()
            runs[entry["job"]].append((end - entry["ms"] / 1000, end, log.name))
    return runs


def overlaps(runs: dict[str, list[Interval]]) -> list[str]:
    """Runs of one job by two processes at once (10 ms of clock slack)."""
    return [
        f"{job}: {log_a} {start_a:.3f}-{end_a:.3f}, {log_b} {start_b:.3f}-{end_b:.3f}"
        for job, intervals in runs.items()
        for i, (start_a, end_a, log_a) in enumerate(intervals)
        for start_b, end_b, log_b in intervals[i + 1 :]
        if log_a != log_b and start_a < end_b - 0.01 and start_b < end_a - 0.01
    ]


def test_two_workers_on_postgres_one_killed(tmp_path: Path, fresh_postgres_url: str) -> None:
    """Every close answered once; never one request in two workers at once; none lost."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    with gitlab_world(tmp_path) as (fake, env):
        env = {**env, "SOP_SYNC_INBOX": fresh_postgres_url}
        with running(tmp_path, env, workers=0) as service:
            set_up(env, service.hook("gitlab"), KEYS)
            people = People(fake)
            fake.webhooks.flush()
            logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
            workers = [worker(env, log) for log in logs]
            try:
                for round_no in range(12):
                    for key in KEYS:
                        people.act(Close(Ref(key, rng.randint(2, 14))), "sari")
                    if round_no == 6:
                        fake.webhooks.flush()
                        workers[0].kill()  # SIGKILL, mid-work or between jobs
                        workers[0].wait(10)
                    time.sleep(0.1)
                fake.webhooks.flush()
                took = quiet(fake, people, timeout=60)
                figures = audit(fake, people)
            finally:
                for process in workers:
                    if process.poll() is None:
                        process.terminate()
                        process.wait(30)
            runs = job_intervals(logs)
            assert overlaps(runs) == []
            by_worker = {log.name: sum(r[2] == log.name for v in runs.values() for r in v)
                         for log in logs}  # fmt: skip
            assert all(by_worker.values()), by_worker  # both took part before the kill
            record(
                f"scale-out (PostgreSQL, 2 worker processes, one SIGKILLed): "
                f"jobs per worker {by_worker}, caught up {took:.1f} s, {figures}"
            )
