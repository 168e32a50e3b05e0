"""Benchmark the request engine on the local tracker: operations against the lower bound.

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_local [--requests 200]

1. Opening a 14-step request (Karanganyar): tracker writes against the lower bound
   (1 epic + 14 issues + ordering links + phase milestones + labels not yet present),
   plus the reads the engine needs.
2. Reconciling N unchanged open requests: operations and wall time.
3. `status` (the one-line overview of every request) and `check` of every request: wall
   time per request, the SOP parsed once per run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections import Counter
from pathlib import Path

from sop_sync.app.enforce import check, progress
from sop_sync.app.requests import converge, request_of, sync_request
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.model.request import RequestInput
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.base import Connection
from sop_sync.trackers.local.facade import LocalTracker
from sop_sync.trackers.repository import TrustedHosts


def request(key: str) -> RequestInput:
    """A sample request on the Karanganyar SOP."""
    return RequestInput(
        key=key,
        sop_id="karanganyar",
        title=f"Aplikasi {key}",
        start=dt.date(2026, 12, 1),
        requester="BKD",
        people=(("analis-sistem", ("sari",)),),
    )


def main() -> None:
    """Run both benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sop-sync-bench-"))
    settings = Settings(
        tracker=LocalSettings(path=folder / "tracker.db"), mappings=BUNDLED_MAPPINGS
    )
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    texts = TrackerTexts()
    tracker = LocalTracker(folder / "tracker.db")

    before = tracker.operations
    outcome = converge(tracker, sop, request("bench-0"), settings, texts)
    ops = tracker.operations - before
    writes = Counter(type(change).__name__ for change in outcome.applied)
    observed = tracker.observe("bench-0")
    bound = 1 + len(observed.steps) + len(observed.links) + len(observed.milestones)
    labels = writes["EnsureLabel"]
    print(f"open a 14-step request: {sum(writes.values())} writes, {ops} tracker operations")
    print(
        f"  lower bound {bound} + {labels} labels not yet present = {bound + labels} writes: "
        f"1 epic + {len(observed.steps)} issues + {len(observed.links)} links "
        f"+ {len(observed.milestones)} milestones"
    )
    print(f"  writes by kind: {dict(sorted(writes.items()))}")
    print(f"  reads: {ops - sum(writes.values())} (observe before each pass)")

    started = time.perf_counter()
    for n in range(1, args.requests):
        converge(tracker, sop, request(f"bench-{n}"), settings, texts)
    opened = time.perf_counter() - started
    print(f"opened {args.requests - 1} more requests in {opened:.1f} s")

    before = tracker.operations
    started = time.perf_counter()
    summaries = tracker.requests()
    changed = sum(len(sync_request(tracker, s, settings, texts).applied) for s in summaries)
    elapsed = time.perf_counter() - started
    ops = tracker.operations - before
    count = len(summaries)
    print(f"reconcile {count} unchanged requests: {changed} writes, {ops} tracker operations")
    print(f"  {ops / count:.1f} operations and {elapsed / count * 1000:.1f} ms per request")
    print(f"  wall time {elapsed:.2f} s")

    connection = Connection(tracker, TrustedHosts())
    started = time.perf_counter()
    overview = progress(connection, settings, None, dt.date(2026, 12, 15))
    elapsed = time.perf_counter() - started
    print(f"status of {len(overview)} requests: {elapsed / len(overview) * 1000:.1f} ms each")
    started = time.perf_counter()
    for summary in summaries:
        check(connection, sop, request_of(summary), settings.closing.policy(sop.id))
    elapsed = time.perf_counter() - started
    print(f"check of {count} requests: {elapsed / count * 1000:.1f} ms each")
    tracker.close()


if __name__ == "__main__":
    main()
