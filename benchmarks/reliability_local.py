"""Reliability campaign on the local tracker: kill -9 and Ctrl-C at random moments.

Not a timed test: run it by hand and read the figures (every problem count should be 0).

    .venv/bin/python -m benchmarks.reliability_local [--kills 50] [--interrupts 30]

1. ``open`` killed with SIGKILL (every third inside a write transaction), then run again:
   duplicates, incomplete requests, orphan files, integrity.
2. ``issue attach`` of a 4 MB file killed the same way (every third after its bytes were
   stored, before the commit), then the next runs: orphan files, attachments without a file,
   files recorded twice.
3. ``open`` interrupted with SIGINT at a random moment after sop-sync's first line (before
   it, Python itself is starting): exit 130 with one line, every time; the time from the
   signal to the exit.

The parts are in :mod:`tests.reliability.campaign`; ``tests/trackers/local/test_reliability.py``
runs a small campaign as a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.campaign import Campaign


def main() -> None:
    """Run the campaign and print its figures; exit 1 if anything is not zero."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=50, help="kill -9 runs of each command")
    parser.add_argument("--interrupts", type=int, default=30, help="Ctrl-C runs of `open`")
    parser.add_argument("--steps", type=int, default=40, help="steps of the SOP opened")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    campaign = Campaign(
        kills_open=args.kills,
        kills_attach=args.kills,
        interrupts=args.interrupts,
        steps=args.steps,
        seed=args.seed,
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sop-sync-reliability-") as folder:
        found = campaign.run(Path(folder), report=print)
    problems = sum(figures.problems for figures in found)
    print(f"problems: {problems} ({time.monotonic() - started:.0f} s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
