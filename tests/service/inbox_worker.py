"""A worker process for test_inbox_processes.py: claim, "process", record, finish; repeat.

Usage: ``python -m tests.service.inbox_worker URL NAME FOLDER LEASE``. Each processing is one
JSON line in ``FOLDER/NAME.jsonl`` (job, worker, generation, the ``seq`` hint, start, end),
written before ``finish``. While ``FOLDER/hold`` exists, the first worker to rename it to
``FOLDER/held`` writes its claim there and sleeps inside it (to be killed with SIGKILL). The
worker exits when ``FOLDER/stop`` exists and nothing is due.
"""

from __future__ import annotations

import json
import random
import sys
import time
from contextlib import suppress
from pathlib import Path

from sop_sync.service.inbox import open_inbox


def main(url: str, name: str, folder: Path, lease: float) -> None:
    """Work until told to stop."""
    inbox = open_inbox(url, max_attempts=5)
    records = (folder / f"{name}.jsonl").open("a", encoding="utf-8")
    (folder / f"{name}.ready").touch()
    while True:
        claim = inbox.claim(name, lease)
        if claim is None:
            if (folder / "stop").exists():
                break
            time.sleep(0.005)
            continue
        start = time.time()
        held = False
        with suppress(FileNotFoundError):
            (folder / "hold").rename(folder / "held.tmp")
            held = True
        if held:
            (folder / "held.tmp").write_text(
                json.dumps({"job": claim.job, "worker": name, "lease_until": claim.lease_until}),
                encoding="utf-8",
            )
            (folder / "held.tmp").rename(folder / "held")
            time.sleep(600)  # killed here
        time.sleep(random.uniform(0.001, 0.01))  # noqa: S311 - jitter, not cryptography
        end = time.time()
        line = {
            "job": claim.job,
            "worker": name,
            "generation": claim.generation,
            "seq": claim.hints.get("seq"),
            "start": start,
            "end": end,
        }
        records.write(json.dumps(line) + "\n")
        records.flush()
        inbox.finish(claim)
    records.close()
    inbox.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4]))
