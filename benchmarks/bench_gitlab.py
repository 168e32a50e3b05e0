"""Benchmark the GitLab backend on the emulator: HTTP requests against the lower bound.

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_gitlab [--requests 200] [--latency 0.05]

1. Opening seed 002 (Karanganyar, 14 steps) on Free and on Premium: requests by kind
   against the lower bound; opening it again.
2. The same opening with latency added to every request: wall time in round trips, with
   the engine's bounded concurrency and sequentially.
3. ``sync`` of N unchanged requests: list calls against ceil(issues / 100).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import time
from collections import Counter
from multiprocessing.connection import Connection

import gitlab

from benchmarks.bench_local import request
from sop_sync.app.requests import converge, sync_request
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.gitlab.facade import GitLabTracker
from tests.fakes.gitlab import FakeGitLab

PROJECT = "diskominfo/aplikasi-sop"
SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
SOP = find_sop(BUNDLED_MAPPINGS, "karanganyar")
TEXTS = TrackerTexts()


def emulator(tier: str, latency: float = 0.0) -> FakeGitLab:
    """A started emulator with the project and one person."""
    fake = FakeGitLab(tier=tier, latency=latency).start()
    fake.state.add_project(PROJECT)
    fake.state.add_user("sari")
    return fake


def tracker(fake: FakeGitLab, workers: int = 16) -> GitLabTracker:
    """A new run's adapter."""
    client = gitlab.Gitlab(fake.url, private_token=fake.token, retry_transient_errors=True)
    return GitLabTracker.on_client(client, PROJECT, group="diskominfo", workers=workers)


def kinds(fake: FakeGitLab) -> Counter[str]:
    """Requests by method and endpoint kind."""
    found: Counter[str] = Counter()
    for entry in fake.log:
        tail = entry.path.rstrip("/").split("/")
        kind = tail[-1] if not tail[-1].isdigit() else tail[-2]
        found[f"{entry.method} {kind}"] += 1
    return found


def opening(tier: str) -> None:
    """Requests for one opening, then for opening again."""
    fake = emulator(tier)
    try:
        outcome = converge(tracker(fake), SOP, request("absensi"), SETTINGS, TEXTS)
        assert outcome.ok, outcome.failures
        writes = [e for e in fake.log if e.method != "GET"]
        reads = len(fake.log) - len(writes)
        labels = sum(1 for e in writes if e.path.endswith("/labels"))
        bound_writes = 1 + 14 + 13 + 6 + labels + (14 if tier == "free" else 0)
        total = len(fake.log)
        print(
            f"[{tier}] open seed 002: {total} HTTP requests ({len(writes)} writes, {reads} reads)"
        )
        print(f"  by kind: {dict(sorted(kinds(fake).items()))}")
        parent_links = " + 14 parent links" if tier == "free" else ""
        print(
            f"  lower bound writes: 1 parent + 14 issues + 13 links + 6 milestones"
            f" + {labels} labels{parent_links} = {bound_writes}"
        )
        print("  reads needed: project, epics probe, requests, labels, milestones, user = 6")
        extra = total - bound_writes - 6
        share = extra / (bound_writes + 6)
        print(f"  above the bound: {extra} ({share:.0%}): the update linking the steps, +reads")
        fake.reset_log()
        again = converge(tracker(fake), SOP, request("absensi"), SETTINGS, TEXTS)
        writes_again = sum(1 for e in fake.log if e.method != "GET")
        changes = len(again.applied)
        print(f"  open again: {len(fake.log)} requests, {writes_again} writes, {changes} changes")
    finally:
        fake.stop()


def _serve(tier: str, latency: float, pipe: Connection) -> None:
    """Child process: an emulator of its own, so server work does not share our GIL."""
    fake = emulator(tier, latency)
    pipe.send((fake.url, fake.token))
    pipe.recv()  # until the parent is done
    pipe.send(len(fake.log))
    fake.stop()


def round_trips(latency: float) -> None:
    """Wall time of one opening with latency, concurrent and sequential.

    The emulator runs in another process (as GitLab would), and templates and the holiday
    tables are warmed first, so the figure counts network round trips, not start-up work.
    """
    converge(tracker(emulator("premium")), SOP, request("warm-up"), SETTINGS, TEXTS)
    for workers in (32, 1):
        ours, theirs = multiprocessing.Pipe()
        child = multiprocessing.Process(target=_serve, args=("premium", latency, theirs))
        child.start()
        url, token = ours.recv()
        client = gitlab.Gitlab(url, private_token=token, retry_transient_errors=True)
        started = time.perf_counter()
        run = GitLabTracker.on_client(client, PROJECT, group="diskominfo", workers=workers)
        assert converge(run, SOP, request("absensi"), SETTINGS, TEXTS).ok
        elapsed = time.perf_counter() - started
        ours.send("done")
        served = ours.recv()
        child.join()
        print(
            f"open with {latency * 1000:.0f} ms latency, {workers:>2} workers: {elapsed:.2f} s"
            f" = {elapsed / latency:.1f} round trips ({served} requests)"
        )


def reconcile(count: int) -> None:
    """List calls for a sync of ``count`` unchanged requests."""
    fake = emulator("free")
    try:
        run = tracker(fake)
        for n in range(count):
            assert converge(run, SOP, request(f"req-{n}"), SETTINGS, TEXTS).ok
        issues = sum(len(i) for i in fake.state.issues.values())
        milestones = sum(len(m) for m in fake.state.milestones.values())
        fake.reset_log()
        started = time.perf_counter()
        run = tracker(fake)
        applied = sum(len(sync_request(run, s, SETTINGS, TEXTS).applied) for s in run.requests())
        elapsed = time.perf_counter() - started
        gets = fake.count("GET")
        writes = len(fake.log) - gets
        print(
            f"sync {count} unchanged requests: {gets} GET list pages, {writes} writes,"
            f" {applied} changes, {elapsed:.1f} s"
        )
        print(
            f"  ceil(issues / 100) = ceil({issues} / 100) = {math.ceil(issues / 100)};"
            f" milestones {milestones} -> {math.ceil(milestones / 100)} pages;"
            f" by kind {dict(sorted(kinds(fake).items()))}"
        )
    finally:
        fake.stop()


def main() -> None:
    """Run every benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    opening("free")
    opening("premium")
    round_trips(args.latency)
    reconcile(args.requests)


if __name__ == "__main__":
    main()
