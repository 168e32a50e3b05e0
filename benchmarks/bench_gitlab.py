"""Benchmark the GitLab backend on the emulator: HTTP requests against the lower bound.

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_gitlab [--requests 200] [--latency 0.05] [--others 20]

1. Opening seed 002 (Karanganyar, 14 steps) on Free and on Premium: requests by kind
   against the lower bound; opening it again.
2. The same opening with latency added to every request: wall time in round trips, with
   the engine's bounded concurrency and sequentially.
3. ``check <kunci>`` of one request among ``--others`` requests of the same SOP, with
   latency: calls and wall time in round trips (goal: at most 15 calls and 5 round trips),
   just opened and in progress (comments, an attachment, closed steps).
4. ``sync`` of N unchanged requests: every list call against ceil(issues / 100) (goal 1.2).

The emulator serves from another process (as GitLab would), so its work does not share the
client's GIL, and templates and the holiday tables are warmed first: the timed figures count
network round trips, not start-up work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection as Pipe
from typing import Any

import gitlab

from benchmarks.bench_local import request
from sop_sync.app.enforce import check
from sop_sync.app.requests import converge, open_requests, request_of, sync_request
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.changes import Attach, Close, Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.reports.report import build_report
from sop_sync.reports.writers.gather import gather
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.base import Connection
from sop_sync.trackers.gitlab.code_host import GitLabRepositories
from sop_sync.trackers.gitlab.facade import GitLabTracker
from tests.fakes.gitlab import FakeGitLab

PROJECT = "diskominfo/aplikasi-sop"
SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
SOP = find_sop(BUNDLED_MAPPINGS, "karanganyar")
TEXTS = TrackerTexts()
Entry = tuple[str, str, str, int]
"""A served request: method, path, query, status."""


def emulator(tier: str, latency: float = 0.0) -> FakeGitLab:
    """A started emulator with the project and one person."""
    fake = FakeGitLab(tier=tier, latency=latency).start()
    fake.state.add_project(PROJECT)
    fake.state.add_user("sari")
    return fake


def tracker(url: str, token: str, workers: int = 16) -> GitLabTracker:
    """A new run's adapter."""
    client = gitlab.Gitlab(url, private_token=token, retry_transient_errors=True)
    return GitLabTracker.on_client(client, PROJECT, group="diskominfo", workers=workers)


def kind(path: str) -> str:
    """The endpoint kind of a path: its collection (``issues``, ``notes``, ...) or ``object``."""
    tail = path.rstrip("/").split("/")
    last = tail[-1] if not tail[-1].isdigit() else tail[-2]
    return last if last.isalpha() or "_" in last else "object"


def kinds(log: Sequence[Entry]) -> Counter[str]:
    """Requests by method and endpoint kind."""
    return Counter(f"{method} {kind(path)}" for method, path, _, _ in log)


def list_calls(log: Sequence[Entry]) -> int:
    """GETs of a collection (every page counts), as opposed to GETs of one object."""
    return sum(
        1
        for method, path, _, _ in log
        if method == "GET" and not path.rstrip("/").split("/")[-1].isdigit()
        and kind(path) != "object"
    )  # fmt: skip


def entries(fake: FakeGitLab) -> list[Entry]:
    """The emulator's request log as plain tuples."""
    return [(e.method, e.path, e.query, e.status) for e in fake.requests]


def opening(tier: str) -> None:
    """Requests for one opening, then for opening again."""
    fake = emulator(tier)
    try:
        outcome = converge(tracker(fake.url, fake.token), SOP, request("absensi"), SETTINGS, TEXTS)
        assert outcome.ok, outcome.failures
        log = entries(fake)
        writes = [e for e in log if e[0] != "GET"]
        labels = sum(1 for e in writes if e[1].endswith("/labels"))
        bound_writes = 1 + 14 + 13 + 6 + labels + (14 if tier == "free" else 0)
        print(
            f"[{tier}] open seed 002: {len(log)} HTTP requests"
            f" ({len(writes)} writes, {len(log) - len(writes)} reads)"
        )
        print(f"  by kind: {dict(sorted(kinds(log).items()))}")
        parent_links = " + 14 parent links" if tier == "free" else ""
        print(
            f"  lower bound writes: 1 parent + 14 issues + 13 links + 6 milestones"
            f" + {labels} labels{parent_links} = {bound_writes}"
        )
        fake.reset_log()
        again = converge(tracker(fake.url, fake.token), SOP, request("absensi"), SETTINGS, TEXTS)
        writes_again = sum(1 for e in fake.requests if e.method != "GET")
        print(
            f"  open again: {len(fake.requests)} requests, {writes_again} writes,"
            f" {len(again.applied)} changes"
        )
    finally:
        fake.stop()


def _serve(tier: str, pipe: Pipe) -> None:
    """Child process: an emulator of its own, driven by commands from the parent."""
    fake = emulator(tier)
    pipe.send((fake.url, fake.token))
    while True:
        command, value = pipe.recv()
        if command == "stop":
            break
        if command == "latency":
            fake.latency = value
        if command == "reset":
            fake.reset_log()
        pipe.send(entries(fake) if command == "log" else None)
    fake.stop()


@contextmanager
def served(tier: str) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """An emulator in a child process: its URL, token, and a way to send it commands."""
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_serve, args=(tier, theirs))
    child.start()
    url, token = ours.recv()

    def ask(command: str, value: Any = None) -> Any:
        ours.send((command, value))
        return ours.recv()

    try:
        yield url, token, ask
    finally:
        ours.send(("stop", None))
        child.join()


def round_trips(latency: float) -> None:
    """Wall time of one opening with latency, concurrent and sequential."""
    warm = emulator("premium")
    converge(tracker(warm.url, warm.token), SOP, request("warm-up"), SETTINGS, TEXTS)
    warm.stop()
    for workers in (32, 1):
        with served("premium") as (url, token, ask):
            ask("latency", latency)
            started = time.perf_counter()
            run = tracker(url, token, workers)
            assert converge(run, SOP, request("absensi"), SETTINGS, TEXTS).ok
            elapsed = time.perf_counter() - started
            count = len(ask("log"))
        print(
            f"open with {latency * 1000:.0f} ms latency, {workers:>2} workers: {elapsed:.2f} s"
            f" = {elapsed / latency:.1f} round trips ({count} requests)"
        )


def _check(url: str, token: str, key: str) -> None:
    """What ``sop-sync check <kunci>`` does: a new run, the request found, its rules run."""
    run = tracker(url, token)
    connection = Connection(run, GitLabRepositories(run.session))
    [summary] = open_requests(run, key)
    check(connection, SOP, request_of(summary))


def _in_progress(url: str, token: str, key: str) -> None:
    """Work on the request: comments on steps 1-5, an attachment on 3, steps 1-4 closed."""
    person = tracker(url, token).acting_as("sari")
    for number in range(1, 6):
        person.apply(Comment(Ref(key, number), "Sudah dikerjakan, mohon diperiksa."))
    person.apply(Attach(Ref(key, 3), "Rancangan DFD (final).png", b"\x89PNG..."))
    for number in range(1, 5):
        person.apply(Close(Ref(key, number)))


def check_one(tier: str, latency: float, others: int) -> None:
    """Calls and wall time of ``check <kunci>`` among ``others`` requests of the same SOP."""
    with served(tier) as (url, token, ask):
        run = tracker(url, token)
        for n in range(others):
            assert converge(run, SOP, request(f"lain-{n}"), SETTINGS, TEXTS).ok
        assert converge(run, SOP, request("absensi"), SETTINGS, TEXTS).ok
        _check(url, token, "absensi")  # warm-up: templates, holiday tables, imports
        for state in ("just opened", "in progress"):
            if state == "in progress":
                _in_progress(url, token, "absensi")
            ask("reset")
            ask("latency", latency)
            started = time.perf_counter()
            _check(url, token, "absensi")
            elapsed = time.perf_counter() - started
            ask("latency", 0.0)
            log = ask("log")
            print(
                f"[{tier}] check <kunci> ({state}, {others} other requests),"
                f" {latency * 1000:.0f} ms latency: {len(log)} calls, {elapsed:.2f} s"
                f" = {elapsed / latency:.1f} round trips"
            )
            print(f"  by kind: {dict(sorted(kinds(log).items()))}")


def reconcile(count: int) -> None:
    """Every list call of a sync of ``count`` unchanged requests, against ceil(issues / 100)."""
    fake = emulator("free")
    try:
        run = tracker(fake.url, fake.token)
        for n in range(count):
            assert converge(run, SOP, request(f"req-{n}"), SETTINGS, TEXTS).ok
        issues = sum(len(i) for i in fake.state.issues.values())
        fake.reset_log()
        started = time.perf_counter()
        run = tracker(fake.url, fake.token)
        applied = sum(len(sync_request(run, s, SETTINGS, TEXTS).applied) for s in run.requests())
        elapsed = time.perf_counter() - started
        log = entries(fake)
        lists = list_calls(log)
        bound = math.ceil(issues / 100)
        writes = sum(1 for e in log if e[0] != "GET")
        print(
            f"sync {count} unchanged requests: {len(log)} requests, {lists} list calls,"
            f" {writes} writes, {applied} changes, {elapsed:.1f} s"
        )
        print(
            f"  list calls / ceil(issues / 100) = {lists} / ceil({issues} / 100)"
            f" = {lists / bound:.2f} (goal <= 1.2); by kind {dict(sorted(kinds(log).items()))}"
        )
    finally:
        fake.stop()


def report(latency: float, count: int) -> None:
    """``sop-sync laporan`` over ``count`` requests in progress: calls per request, wall time."""
    with served("premium") as (url, token, ask):
        run = tracker(url, token)
        for n in range(count):
            assert converge(run, SOP, request(f"lap-{n}"), SETTINGS, TEXTS).ok
            _in_progress(url, token, f"lap-{n}")
        fresh = tracker(url, token)
        items = list(gather(fresh, SETTINGS))  # warm-up: imports, templates, holiday tables
        ask("reset")
        ask("latency", latency)
        started = time.perf_counter()
        items = list(gather(tracker(url, token), SETTINGS))
        gathered = time.perf_counter() - started
        ask("latency", 0.0)
        data = build_report(items, SETTINGS.calendar.calendar(), dt.datetime(2026, 12, 15, 12))
        log = ask("log")
        print(
            f"laporan over {len(items)} requests in progress, {latency * 1000:.0f} ms latency:"
            f" {len(log)} calls ({len(log) / len(items):.1f} per request),"
            f" {gathered:.2f} s = {gathered / latency / len(items):.1f} round trips per request"
            f" ({len(data.requests)} requests in the report)"
        )
        print(f"  by kind: {dict(sorted(kinds(log).items()))}")


def main() -> None:
    """Run every benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--others", type=int, default=20)
    parser.add_argument(
        "--only", choices=("open", "trips", "check", "sync", "report"), default=None
    )
    args = parser.parse_args()
    if args.only in (None, "open"):
        opening("free")
        opening("premium")
    if args.only in (None, "trips"):
        round_trips(args.latency)
    if args.only in (None, "check"):
        check_one("premium", args.latency, args.others)
        check_one("free", args.latency, args.others)
    if args.only in (None, "sync"):
        reconcile(args.requests)
    if args.only in (None, "report"):
        report(args.latency, args.others)


if __name__ == "__main__":
    main()
