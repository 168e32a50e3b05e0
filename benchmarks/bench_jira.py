"""Benchmark the Jira backend on the emulator: HTTP requests against the lower bound.

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_jira [--requests 200] [--latency 0.05]

1. Opening seed 002 (Karanganyar, 14 steps) on Jira Cloud and Data Center: requests by kind
   against the lower bound (below); opening it again writes nothing.
2. The same opening with latency added to every request: wall time in round trips.
3. ``sync`` of N unchanged requests: search pages against ceil(issues / page size).

The lower bound of an opening, with Jira's API as it is (bulk create, no bulk for versions,
links or the epic's update):

- reads: serverInfo (the flavour), the project (its issue types), its versions, one search
  (is the request there?), the Epic's create screen (Cloud: is Epic Name on it?) or the
  field list (DC: Epic Name and Epic Link ids), and on Cloud one user search per person
  (account ids) — 6 on Cloud with one person, 5 on DC;
- writes: one version per phase (6), the epic (1), the steps in ceil(14 / 50) = 1 bulk call,
  one Blocks link per ordering edge (13), and the epic's update once the steps exist (its
  text lists them: 1) — 22.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import statistics
import time
from collections import Counter
from multiprocessing.connection import Connection

from benchmarks.bench_local import request
from sop_sync.app.requests import converge, sync_request
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.tracker import Capabilities, Hierarchy
from sop_sync.plan.desired import desired_state
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.jira.connect import client
from sop_sync.trackers.jira.facade import JiraTracker
from tests.fakes.jira import FakeJira

SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
SOP = find_sop(BUNDLED_MAPPINGS, "karanganyar")
TEXTS = TrackerTexts()
PROJECT = "APL"


def emulator(flavour: str = "cloud", latency: float = 0.0) -> FakeJira:
    """A started emulator with the project and one person."""
    fake = FakeJira(flavour=flavour, latency=latency).start()
    fake.add_project(PROJECT)
    fake.add_user("sari", "Sari", "sari@example.go.id")
    return fake


def tracker(url: str, flavour: str, email: str, token: str) -> JiraTracker:
    """A new run's adapter."""
    secret: tuple[str, str] | str = (email, token) if flavour == "cloud" else token
    return JiraTracker.on_client(client(url, secret), PROJECT)


def kinds(fake: FakeJira) -> Counter[str]:
    """Requests by method and endpoint kind."""
    found: Counter[str] = Counter()
    for entry in fake.log:
        parts = [p for p in entry.path.split("/")[4:] if not p.isdigit() and "-" not in p]
        found[f"{entry.method} {'/'.join(parts[:2])}"] += 1
    return found


def bound(flavour: str) -> tuple[int, int]:
    """The lower bound (reads, writes) of opening the sample request (see the module doc)."""
    caps = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=False)
    desired = desired_state(SOP, request("absensi"), SETTINGS.calendar.calendar(), caps, TEXTS)
    people = {n for _, names in request("absensi").people for n in names}
    reads = 5 + (len(people) if flavour == "cloud" else 0)
    steps = len(desired.steps)
    writes = len(desired.milestones) + 1 + math.ceil(steps / 50) + len(desired.links) + 1
    return reads, writes


def opening(flavour: str) -> None:
    """Requests for one opening against the bound, then for opening again."""
    fake = emulator(flavour)
    try:
        run = tracker(fake.url, flavour, fake.email, fake.token)
        outcome = converge(run, SOP, request("absensi"), SETTINGS, TEXTS)
        assert outcome.ok, outcome.failures
        total = len(fake.log)
        writes = sum(1 for e in fake.log if e.method != "GET")
        reads, wanted = bound(flavour)
        print(f"[{flavour}] open seed 002: {total} HTTP requests ({writes} writes)")
        print(f"  by kind: {dict(sorted(kinds(fake).items()))}")
        print(
            f"  lower bound: {reads} reads + {wanted} writes = {reads + wanted};"
            f" ratio {total / (reads + wanted):.2f} (goal <= 1.10)"
        )
        fake.reset_log()
        again = converge(
            tracker(fake.url, flavour, fake.email, fake.token), SOP, request("absensi"),
            SETTINGS, TEXTS,
        )  # fmt: skip
        writes_again = sum(1 for e in fake.log if e.method != "GET")
        print(
            f"  open again: {len(fake.log)} requests, {writes_again} writes,"
            f" {len(again.applied)} changes"
        )
    finally:
        fake.stop()


def _serve(latency: float, pipe: Connection) -> None:
    """Child process: an emulator of its own, so server work does not share our GIL."""
    fake = emulator("cloud", latency)
    pipe.send((fake.url, fake.email, fake.token))
    pipe.recv()  # until the parent is done
    pipe.send(len(fake.log))
    fake.stop()


def round_trips(latency: float, runs: int = 5) -> None:
    """Wall time of one opening with latency (templates and holidays warmed first).

    The emulator runs in another process, as Jira would; ``runs`` openings, each on a new
    emulator, and their median (the machine's other work moves single runs).
    """
    warm = emulator()
    converge(tracker(warm.url, "cloud", warm.email, warm.token), SOP, request("w"), SETTINGS, TEXTS)
    warm.stop()
    times: list[float] = []
    for _ in range(runs):
        ours, theirs = multiprocessing.Pipe()
        child = multiprocessing.Process(target=_serve, args=(latency, theirs))
        child.start()
        url, email, token = ours.recv()
        started = time.perf_counter()
        run = tracker(url, "cloud", email, token)
        assert converge(run, SOP, request("absensi"), SETTINGS, TEXTS).ok
        times.append(time.perf_counter() - started)
        ours.send("done")
        served = ours.recv()
        child.join()
    shown = ", ".join(f"{t / latency:.1f}" for t in times)
    print(
        f"open with {latency * 1000:.0f} ms latency: median {statistics.median(times):.2f} s"
        f" = {statistics.median(times) / latency:.1f} round trips (runs: {shown};"
        f" {served} requests each; goal <= 10)"
    )


def reconcile(count: int) -> None:
    """Search pages for a sync of ``count`` unchanged requests."""
    fake = emulator("cloud")
    try:
        run = tracker(fake.url, "cloud", fake.email, fake.token)
        for n in range(count):
            assert converge(run, SOP, request(f"req-{n}"), SETTINGS, TEXTS).ok
        issues = len(fake.state.issues)
        fake.reset_log()
        started = time.perf_counter()
        run = tracker(fake.url, "cloud", fake.email, fake.token)
        applied = sum(len(sync_request(run, s, SETTINGS, TEXTS).applied) for s in run.requests())
        elapsed = time.perf_counter() - started
        pages = fake.count("GET", "/search")
        others = len(fake.log) - pages
        writes = sum(1 for e in fake.log if e.method != "GET")
        size = fake.max_results
        print(
            f"sync {count} unchanged requests: {pages} search pages, {others} other requests"
            f" ({dict(sorted(kinds(fake).items()))}), {writes} writes, {applied} changes,"
            f" {elapsed:.1f} s"
        )
        print(f"  ceil(issues / page size) = ceil({issues} / {size}) = {math.ceil(issues / size)}")
    finally:
        fake.stop()


def main() -> None:
    """Run every benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    opening("cloud")
    opening("dc")
    round_trips(args.latency)
    reconcile(args.requests)


if __name__ == "__main__":
    main()
