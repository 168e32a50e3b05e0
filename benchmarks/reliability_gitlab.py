"""Reliability campaign on GitLab: ``sop-sync open`` against a GitLab that fails in every way.

Not a timed test: run it by hand and read the figures (duplicates must be 0, every give-up
within the budget: 60 s by default, ``SOP_SYNC_GITLAB_RETRY_BUDGET`` otherwise).

    .venv/bin/python -m benchmarks.reliability_gitlab [--runs 3] [--kinds 502-after,refused]

Each run is a real ``sop-sync open`` process (the CLI, python-gitlab over HTTP) against a fresh
GitLab emulator (:mod:`tests.fakes.gitlab`, on 127.0.0.1) with one kind of fault, then the
emulator's objects are counted by their markers: a marker on two objects is a duplicate.
Faults on creates hit the parent issue and the first step issues (Free). Kinds that never let
a call through (``Retry-After: 3600``, a refused port, a silent host) must give up with one
line; the give-up time is the process's (Python's start included), shown with the default
budget and with a 5 s budget (``SOP_SYNC_GITLAB_RETRY_BUDGET=5``).

``--source DIR`` runs the ``sop_sync`` package found in DIR instead (e.g. an older release
unpacked by ``git archive``), to compare; ``--cap`` kills a run that takes longer.
"""

from __future__ import annotations

import argparse
import email.utils
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.gitlab.marker import split
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.server import refused_url, silent_host

PROJECT = "diskominfo/aplikasi-sop"
OPEN = [
    "open", "karanganyar", "--judul", "Aplikasi Absensi", "--kunci", "absensi",
    "--pemohon", "BKD", "--mulai", "2026-12-01",
    "--peran", "analis-sistem=sari", "--peran", "tim-pengembang=budi",
]  # fmt: skip


def _on_creates(fake: FakeGitLab, status: int, **fault: Any) -> None:
    """The fault on the first three issue creates (the parent issue, then steps)."""
    fake.inject(status, 3, method="POST", path_contains="/issues", **fault)


def _lost_502(fake: FakeGitLab) -> None:
    _on_creates(fake, 502, after=True)


def _early_502(fake: FakeGitLab) -> None:
    _on_creates(fake, 502)


def _reset_after(fake: FakeGitLab) -> None:
    _on_creates(fake, 502, after=True, reset=True)


def _late_answer(fake: FakeGitLab) -> None:  # the answer comes after the read timeout (2 s)
    _on_creates(fake, 201, after=True, hang=4)


def _hour(fake: FakeGitLab) -> None:
    fake.inject(503, 10_000, retry_after=3600)


def _date(fake: FakeGitLab) -> None:
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    _on_creates(fake, 429, retry_after=when)


def _rate(fake: FakeGitLab) -> None:
    _on_creates(fake, 429, retry_after=1)


@dataclass(frozen=True)
class Kind:
    """One kind of fault: how the emulator (or the host) misbehaves."""

    name: str
    fault: Callable[[FakeGitLab], None] | None = None
    host: str = "emulator"  # or "refused", "silent"
    gives_up: bool = False
    env: tuple[tuple[str, str], ...] = ()


KINDS = (
    Kind("502-after-create", _lost_502),
    Kind("502-before-create", _early_502),
    Kind("reset-after-create", _reset_after),
    Kind("answer-after-read-timeout", _late_answer, env=(("SOP_SYNC_GITLAB_TIMEOUT", "2"),)),
    Kind("429-retry-after-1", _rate),
    Kind("429-retry-after-http-date", _date),
    Kind("503-retry-after-3600", _hour, gives_up=True),
    Kind("refused-connection", host="refused", gives_up=True),
    Kind("silent-host", host="silent", gives_up=True),
)


@dataclass(frozen=True)
class Run:
    """One ``open``: exit code, its last line, seconds, duplicates found."""

    kind: str
    budget: str
    code: int | None
    line: str
    seconds: float
    duplicates: int


def duplicates(fake: FakeGitLab) -> int:
    """Objects beyond the first that carry the same marker."""
    with fake.lock:
        texts = [i.get("description") for p in fake.state.issues.values() for i in p.values()]
        texts += [e.get("description") for g in fake.state.epics.values() for e in g.values()]
    refs = Counter(m.ref for _, m in map(split, texts) if m is not None)
    return sum(n - 1 for n in refs.values())


@contextmanager
def host(kind: Kind) -> Iterator[tuple[str, FakeGitLab | None]]:
    """The URL to open against, and the emulator behind it (None for a dead host)."""
    if kind.host == "refused":
        yield refused_url(), None
    elif kind.host == "silent":
        with silent_host() as url:
            yield url, None
    else:
        with FakeGitLab(tier="free") as fake:
            fake.state.add_project(PROJECT)
            for name in ("sari", "budi"):
                fake.state.add_user(name)
            if kind.fault is not None:
                kind.fault(fake)
            yield fake.url, fake


def one(kind: Kind, budget: str | None, folder: Path, source: Path | None, cap: float) -> Run:
    """One ``sop-sync open`` process against the kind's host."""
    with host(kind) as (url, fake):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "COLUMNS": "200",
            "SOP_SYNC_MAPPINGS": str(BUNDLED_MAPPINGS),
            "SOP_SYNC_TRACKER": "gitlab",
            "SOP_SYNC_GITLAB_URL": url,
            "SOP_SYNC_GITLAB_TOKEN": fake.token if fake else "glpat-benchmark",
            "SOP_SYNC_GITLAB_PROJECT": PROJECT,
            **dict(kind.env),
        }
        if budget is not None:
            env["SOP_SYNC_GITLAB_RETRY_BUDGET"] = budget
        if source is not None:
            env["PYTHONPATH"] = str(source)
        started = time.monotonic()
        try:
            done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
                [sys.executable, "-m", "sop_sync", *OPEN],
                capture_output=True, text=True, env=env, cwd=folder, timeout=cap, check=False,
            )  # fmt: skip
            code: int | None = done.returncode
            lines = (done.stderr or done.stdout).strip().splitlines()
            line = lines[-1] if lines else ""
        except subprocess.TimeoutExpired:
            code, line = None, f"still running after {cap:.0f} s: killed"
        seconds = time.monotonic() - started
        found = duplicates(fake) if fake is not None else 0
    return Run(kind.name, budget or "default", code, line, seconds, found)


def main() -> None:
    """Run the campaign and print a table; exit 1 on a duplicate or a late give-up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind of fault")
    parser.add_argument("--kinds", default="", help="comma-separated kind names (default: all)")
    parser.add_argument("--source", type=Path, default=None, help="another sop_sync to run")
    parser.add_argument("--cap", type=float, default=300, help="kill a run after (s)")
    parser.add_argument("--short-budget", default="5", help="budget of the extra give-up run")
    args = parser.parse_args()
    chosen = [k for k in KINDS if not args.kinds or k.name in args.kinds.split(",")]
    runs: list[Run] = []
    print(f"{'fault':28} {'budget':>7} {'exit':>4} {'s':>6} {'dup':>3}  last line")
    with tempfile.TemporaryDirectory(prefix="sop-sync-gitlab-faults-") as folder:
        for kind in chosen:
            budgets: list[str | None] = [None] * args.runs
            if kind.gives_up and args.short_budget:
                budgets.append(args.short_budget)
            for budget in budgets:
                made = one(kind, budget, Path(folder), args.source, args.cap)
                runs.append(made)
                code = "-" if made.code is None else str(made.code)
                print(
                    f"{made.kind:28} {made.budget:>7} {code:>4} {made.seconds:6.1f} "
                    f"{made.duplicates:>3}  {made.line[:150]}",
                    flush=True,
                )
    dup = sum(r.duplicates for r in runs)
    slowest = max((r.seconds for r in runs if r.budget == "default"), default=0.0)
    failed_transient = [r for r in runs if r.code != 0 and not _gives_up(r.kind)]
    print(
        f"runs: {len(runs)}; duplicates: {dup}; slowest run (default budget): {slowest:.1f} s; "
        f"transient faults not survived: {len(failed_transient)}"
    )
    sys.exit(1 if dup or slowest > 65 or failed_transient else 0)


def _gives_up(name: str) -> bool:
    return next(k.gives_up for k in KINDS if k.name == name)


if __name__ == "__main__":
    main()
