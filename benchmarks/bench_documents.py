"""Benchmark documents: the KAK of one request as DOCX + PDF, warm (goal under 1 s).

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_documents [--runs 10]

1. Assembling and writing only (the pure data step, python-docx, WeasyPrint), from an
   observed request in memory.
2. The whole use case on the local tracker (``sop-sync dokumen kak <kunci> --format docx
   --format pdf`` without the process start): read the request, assemble, write both files.

"Warm" means after one first run in the same process (imports, fonts, the Jinja templates,
the holiday tables); the first run's time is printed too.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sop_sync.app.documents import produce
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.documents.assemble import assemble
from sop_sync.documents.writers import write
from sop_sync.model.changes import Ref, SetDescription, UpdateFields
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import DocumentKind
from sop_sync.trackers.local.facade import LocalTracker
from tests.documents.seed import (
    KEY,
    REQUEST_TEXT,
    TODAY,
    png,
    request,
    seed_observed,
    seed_schedule,
    settings,
)

KAK = DocumentKind.KAK


def timed(work: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """The first run's seconds, then ``runs`` warm runs."""
    start = time.perf_counter()
    work()
    first = time.perf_counter() - start
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        warm.append(time.perf_counter() - start)
    return first, warm


def show(label: str, first: float, warm: list[float]) -> None:
    """One line of figures."""
    print(
        f"{label}: first {first:.3f} s; warm median {statistics.median(warm):.3f} s, "
        f"min {min(warm):.3f} s, max {max(warm):.3f} s ({len(warm)} runs)"
    )


def main() -> None:
    """Run both benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sop-sync-bench-docs-"))
    (folder / "logo.png").write_bytes(png())
    documents = settings(folder / "logo.png")

    found, sop = seed_observed(KAK)
    plan = seed_schedule(sop)

    def in_memory() -> object:
        document = assemble(KAK, found, sop, plan, documents, TODAY)
        return write(document, "docx"), write(document, "pdf")

    show("KAK assemble + DOCX + PDF (in memory)", *timed(in_memory, args.runs))

    config = Settings(tracker=LocalSettings(path=folder / "t.db"), mappings=BUNDLED_MAPPINGS)
    tracker = LocalTracker(folder / "t.db")
    sop = find_sop(BUNDLED_MAPPINGS, "bkd-jateng")
    wanted = dataclasses.replace(request(sop), key=KEY)
    assert converge(tracker, sop, wanted, config, TrackerTexts()).ok
    tracker.apply(UpdateFields(Ref(KEY), (SetDescription(REQUEST_TEXT),)))

    def use_case() -> object:
        return produce(tracker, config, documents, KAK, KEY, ("docx", "pdf"), TODAY)

    show("KAK through the use case on the local tracker", *timed(use_case, args.runs))
    tracker.close()


if __name__ == "__main__":
    main()
