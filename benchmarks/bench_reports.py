"""Benchmark ``sop-sync laporan`` over N requests on the local tracker (goal: 500 in < 3 s).

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_reports [--requests 500]

Setting up opens N requests of seed 002 (Karanganyar, 14 steps) with start dates spread over
November and December 2026 and closes a seeded random number of steps of each, in order, at
known moments (the tracker's clock), so every report reads real history. Then, timed:
reading and judging every request with its history (gather), the pure report data, the HTML
page and the Markdown page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.model.changes import Close, Ref
from sop_sync.model.request import RequestInput
from sop_sync.render.tracker import TrackerTexts
from sop_sync.reports.report import build_report
from sop_sync.reports.writers.gather import gather
from sop_sync.reports.writers.html import render_html
from sop_sync.reports.writers.markdown import render_markdown
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.local.facade import LocalTracker

NOW = dt.datetime(2026, 12, 31, 12, 0)


def setup(folder: Path, count: int) -> Settings:
    """N requests with history in a new tracker file."""
    settings = Settings(
        tracker=LocalSettings(path=folder / "tracker.db"), mappings=BUNDLED_MAPPINGS
    )
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    texts = TrackerTexts()
    clock = [dt.datetime(2026, 11, 1, 7, 0)]
    tracker = LocalTracker(folder / "tracker.db", clock=lambda: clock[0])
    chance = random.Random(14)  # noqa: S311 - a benchmark's reproducible sample
    requesters = ("BKD", "Dinas Kesehatan", "Bappeda", "Diskominfo", "Dinas Pendidikan")
    for n in range(count):
        start = dt.date(2026, 11, 2) + dt.timedelta(days=chance.randrange(50))
        request = RequestInput(
            key=f"bench-{n}",
            sop_id=sop.id,
            title=f"Aplikasi {n}",
            start=start,
            requester=requesters[n % len(requesters)],
            people=(("analis-sistem", ("sari",)),),
        )
        clock[0] = dt.datetime.combine(start, dt.time(7, 0))
        assert converge(tracker, sop, request, settings, texts).ok
        moment = dt.datetime.combine(start, dt.time(8, 0))
        for step in sop.steps[: chance.randrange(len(sop.steps))]:
            moment += dt.timedelta(minutes=chance.randrange(30, 3000))
            if moment >= NOW:
                break
            clock[0] = moment
            tracker.apply(Close(Ref(request.key, step.number)))
    tracker.close()
    return settings


def main() -> None:
    """Set up, then time each part of the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sop-sync-bench-reports-"))
    started = time.perf_counter()
    settings = setup(folder, args.requests)
    print(f"set up {args.requests} requests in {time.perf_counter() - started:.1f} s")
    tracker = LocalTracker(folder / "tracker.db")
    calendar = settings.calendar.calendar()
    calendar.is_working_day(NOW.date())  # the holiday tables load once per run

    started = time.perf_counter()
    items = list(gather(tracker, settings))
    gathered = time.perf_counter()
    report = build_report(items, calendar, NOW, tentative=settings.tentative_duration)
    built = time.perf_counter()
    page = render_html(report)
    html = time.perf_counter()
    text = render_markdown(report)
    markdown = time.perf_counter()
    tracker.close()

    count = len(report.requests)
    print(f"report over {count} requests ({tracker.operations} tracker operations):")
    print(f"  gather (observe with history, evaluate): {gathered - started:.2f} s")
    print(f"  report data (pure):                      {built - gathered:.2f} s")
    print(f"  HTML page ({len(page) / 1e6:.1f} MB):                    {html - built:.2f} s")
    print(f"  Markdown page ({len(text) / 1e6:.1f} MB):                {markdown - html:.2f} s")
    print(f"  total, HTML report:                      {html - started:.2f} s (goal < 3 s)")


if __name__ == "__main__":
    main()
