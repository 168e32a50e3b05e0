"""Load benchmark of the webhook front: the real uvicorn server with the SQLite inbox.

Not a timed test: run it by hand and read the figures.

    .venv/bin/python -m benchmarks.bench_service [--rate 200] [--seconds 30] [--workers 0]
        [--worker-process]

The server runs in its own process on 127.0.0.1 (as ``sop-sync serve`` would: JSON logs to a
file, the inbox synced on every accept). Sender threads with keep-alive sessions post a paced
stream of signed GitLab and Jira events naming ~40 requests, one in ten a re-send of an
earlier delivery (same id, same body). Reported:

1. acknowledgement latency p50/p99/max, from the moment each request was sent (and p99 from
   the moment it was *due*, so a sender falling behind cannot hide slowness);
2. events lost: deliveries answered 2xx that the inbox does not hold (must be 0);
3. jobs after coalescing against events;
4. with ``--workers N``: the service's workers drain the queue, each job a real reconcile of
   one of the ~40 requests, opened on a local tracker first;
   the time from the last event until no job is due.

Goal (issue 12): p99 acknowledgement < 50 ms at 200 events/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import queue
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from sop_sync.config import Settings
from sop_sync.trackers.base import Connection
from sop_sync.trackers.gitlab.marker import Marker, attach

SECRET = "bench-webhook-secret-4d1f0a"  # noqa: S105 - a loopback benchmark's
REQUESTS = 40
SENDERS = 8


@dataclass(frozen=True)
class Event:
    """One POST to make: when (seconds after the start), where, what."""

    due: float
    path: str
    headers: dict[str, str]
    body: bytes
    delivery: tuple[str, str]
    """(source, delivery id) as the inbox stores it."""


def gitlab_note(n: int, key: str) -> tuple[dict[str, str], bytes]:
    """A comment on a sop-sync issue of request ``key``."""
    payload = {
        "object_kind": "note",
        "event_type": "note",
        "user": {"id": 7, "name": "Sari", "username": "sari"},
        "project_id": 5,
        "project": {"id": 5, "path_with_namespace": "pemda/aplikasi"},
        "object_attributes": {
            "id": 100_000 + n,
            "note": f"Catatan nomor {n}: dokumen sudah diunggah.",
            "noteable_type": "Issue",
            "created_at": "2026-01-05 09:00:00 UTC",
            "action": "create",
            "system": False,
        },
        "issue": {
            "iid": n % 500,
            "description": attach("Langkah", Marker(key=key, sop="karanganyar", step=3)),
            "state": "opened",
            "labels": [{"title": "status::berjalan"}],
        },
    }
    headers = {
        "X-Gitlab-Token": SECRET,
        "X-Gitlab-Event": "Note Hook",
        "Idempotency-Key": f"g-{n}",
        "Content-Type": "application/json",
    }
    return headers, json.dumps(payload).encode()


def jira_update(n: int, key: str) -> tuple[dict[str, str], bytes]:
    """A status change of a Jira issue of request ``key``."""
    payload = {
        "timestamp": 1_767_600_000_000 + n,
        "webhookEvent": "jira:issue_updated",
        "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Budi"},
        "issue": {
            "id": str(20_000 + n),
            "key": f"APL-{n % 500}",
            "fields": {"labels": ["sop-sync", f"sop-sync-{key}"], "summary": "Langkah 4"},
        },
        "changelog": {"items": [{"field": "status", "fromString": "To Do", "toString": "Done"}]},
    }
    body = json.dumps(payload).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "X-Hub-Signature": f"sha256={signature}",
        "X-Atlassian-Webhook-Identifier": f"j-{n}",
        "Content-Type": "application/json",
    }
    return headers, body


def events(rate: float, seconds: float, seed: int = 12) -> list[Event]:
    """The paced stream: 2/3 GitLab, 1/3 Jira, one in ten a re-send of an earlier one."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable load, not a secret
    made: list[Event] = []
    for n in range(int(rate * seconds)):
        due = n / rate
        if made and rng.random() < 0.1:
            old = made[rng.randrange(len(made))]
            made.append(Event(due, old.path, old.headers, old.body, old.delivery))
            continue
        key = f"req-{rng.randrange(REQUESTS):02d}"
        if rng.random() < 2 / 3:
            headers, body = gitlab_note(n, key)
            made.append(Event(due, "/hooks/gitlab", headers, body, ("gitlab", f"g-{n}")))
        else:
            headers, body = jira_update(n, key)
            made.append(Event(due, "/hooks/jira", headers, body, ("jira", f"j-{n}")))
    return made


@dataclass(frozen=True)
class Result:
    """What one POST got."""

    event: Event
    status: int
    sent_ms: float
    """Milliseconds from sending to the answer."""
    due_ms: float
    """Milliseconds from when it was due to the answer."""


def send_all(base: str, stream: list[Event]) -> list[Result]:
    """Post every event at its time from ``SENDERS`` keep-alive threads."""
    work: queue.Queue[Event | None] = queue.Queue()
    results: list[Result] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def sender() -> None:
        with requests.Session() as session:
            while (event := work.get()) is not None:
                due = start + event.due
                if (wait := due - time.perf_counter()) > 0:
                    time.sleep(wait)
                sent = time.perf_counter()
                try:
                    answer = session.post(
                        base + event.path, data=event.body, headers=event.headers, timeout=10
                    )
                    status = answer.status_code
                except requests.RequestException:
                    status = 0
                done = time.perf_counter()
                with lock:
                    results.append(Result(event, status, (done - sent) * 1000, (done - due) * 1000))

    for event in stream:
        work.put(event)
    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        work.put(None)
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def open_requests(settings: Settings) -> None:
    """Open the requests the events name on the local tracker (Karanganyar, 14 steps each)."""
    from sop_sync.app.requests import converge
    from sop_sync.app.sops import find_sop
    from sop_sync.model.request import RequestInput
    from sop_sync.render.tracker import TrackerTexts
    from sop_sync.trackers.factory import open_tracker

    sop = find_sop(settings.mappings_dir, "karanganyar")
    tracker = open_tracker(settings)
    try:
        for n in range(REQUESTS):
            key = f"req-{n:02d}"
            request = RequestInput(key, sop.id, f"Aplikasi {key}", dt.date(2026, 12, 1), "BKD")
            converge(tracker, sop, request, settings, TrackerTexts())
    finally:
        tracker.close()


def serve(port: int, inbox_path: Path, workers: int) -> None:
    """The server process: the app on the SQLite inbox, optionally with workers."""
    import uvicorn

    from sop_sync.config import LocalSettings, ServiceSettings
    from sop_sync.resources import BUNDLED_MAPPINGS
    from sop_sync.service.inbox import open_inbox
    from sop_sync.service.logs import configure_logging
    from sop_sync.service.web import create_app

    configure_logging("INFO")
    inbox = open_inbox(str(inbox_path), max_attempts=3, retry_seconds=0.2)
    app = create_app(inbox, ServiceSettings(), SECRET, own={"sop-sync"})
    running = []
    if workers:
        from sop_sync.service.runner import connector
        from sop_sync.service.worker import Worker, worker_name

        settings = Settings(
            tracker=LocalSettings(path=inbox_path.parent / "tracker.db"),
            mappings=BUNDLED_MAPPINGS,
        )
        open_requests(settings)  # the events' requests exist: each job is a real reconcile
        for index in range(workers):
            worker = Worker(inbox, settings, connector(settings), name=worker_name(index),
                            observe=app.state.metrics.observe_job, poll=0.05)  # fmt: skip
            worker.start()
            running.append(worker)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    try:
        uvicorn.Server(config).run()
    finally:
        for worker in running:
            worker.stop()
        inbox.close()


def work(inbox_path: Path, workers: int) -> None:
    """A worker-only process (``sop-sync service worker``): open the requests, then drain."""
    from sop_sync.config import LocalSettings
    from sop_sync.resources import BUNDLED_MAPPINGS
    from sop_sync.service.inbox import open_inbox
    from sop_sync.service.runner import start_workers

    settings = Settings(
        tracker=LocalSettings(path=inbox_path.parent / "tracker.db"), mappings=BUNDLED_MAPPINGS
    )
    open_requests(settings)
    inbox = open_inbox(str(inbox_path), max_attempts=3, retry_seconds=0.2)
    running = start_workers(inbox, settings, connector_of(settings), workers, reconcile=False)
    (inbox_path.parent / "workers-ready").touch()
    try:
        while True:
            time.sleep(1)
    finally:
        running.stop()


def connector_of(settings: Settings) -> Callable[[], Connection]:
    """The service's own connector (imported late: the sender side needs none of it)."""
    from sop_sync.service.runner import connector

    return connector(settings)


def free_port() -> int:
    """A port nothing listens on (127.0.0.1)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stored(inbox_path: Path) -> tuple[set[tuple[str, str]], int, int]:
    """(deliveries, jobs pending, jobs processed) in the inbox file, read-only."""
    with sqlite3.connect(f"file:{inbox_path}?mode=ro", uri=True) as db:
        ids = {(s, d) for s, d in db.execute("SELECT source, delivery_id FROM deliveries")}
        (pending,) = db.execute("SELECT count(*) FROM jobs WHERE parked = 0").fetchone()
        (parked,) = db.execute("SELECT count(*) FROM jobs WHERE parked = 1").fetchone()
        (processed,) = db.execute("SELECT processed FROM counters").fetchone()
    return ids, pending + parked, processed


def due_jobs(inbox_path: Path) -> int:
    """Jobs due or running now (not parked, not waiting for a retry)."""
    with sqlite3.connect(f"file:{inbox_path}?mode=ro", uri=True) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM jobs WHERE parked = 0 AND due_at <= ?", (time.time(),)
        ).fetchone()
    return int(count)


def main() -> None:
    """Run the load and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=0, help="drain with N workers")
    parser.add_argument(
        "--worker-process",
        action="store_true",
        help="run the workers in a process of their own (serve --workers 0 + service worker)",
    )
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.serve, args.workers)
        return
    if args.work:
        work(args.work, args.workers)
        return
    folder = Path(tempfile.mkdtemp(prefix="sop-sync-bench-service-"))
    inbox_path = folder / "inbox.db"
    port = free_port()
    log = (folder / "service.log").open("wb")
    in_server = 0 if args.worker_process else args.workers
    server = subprocess.Popen(  # noqa: S603 - this module, with our own arguments
        [sys.executable, "-m", "benchmarks.bench_service", "--serve", str(inbox_path),
         "--port", str(port), "--workers", str(in_server)],
        stderr=log,
    )  # fmt: skip
    worker = None
    if args.worker_process and args.workers:
        worker = subprocess.Popen(  # noqa: S603 - this module, with our own arguments
            [sys.executable, "-m", "benchmarks.bench_service", "--work", str(inbox_path),
             "--workers", str(args.workers)],
            stderr=log,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # with workers, the requests are opened first
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start; see {folder / 'service.log'}")
            time.sleep(0.05)
        while worker is not None and not (folder / "workers-ready").exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the workers did not start; see {folder / 'service.log'}")
            time.sleep(0.05)
        stream = events(args.rate, args.seconds)
        began = time.perf_counter()
        results = send_all(base, stream)
        took = time.perf_counter() - began - 0.5  # senders start half a second in
        last_event = time.monotonic()
        drained = None
        if args.workers:
            while due_jobs(inbox_path) and time.monotonic() - last_event < 600:
                time.sleep(0.05)
            drained = time.monotonic() - last_event
        metrics = requests.get(base + "/metrics", timeout=5).text
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(30)
        log.close()
    report(results, stream, took, inbox_path, drained, metrics, args)


def report(
    results: list[Result],
    stream: list[Event],
    took: float,
    inbox_path: Path,
    drained: float | None,
    metrics: str,
    args: argparse.Namespace,
) -> None:
    """Print the figures."""
    by_status: dict[int, int] = {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
    sent = [r.sent_ms for r in results]
    due = [r.due_ms for r in results]
    acknowledged = {r.event.delivery for r in results if 200 <= r.status < 300}
    ids, jobs, processed = stored(inbox_path)
    lost = acknowledged - ids
    unique = len({e.delivery for e in stream})
    keys = len({(e.path, e.body) for e in stream})
    print(f"load: {len(stream)} events in {took:.1f} s ({len(stream) / took:.0f}/s, "
          f"asked {args.rate:.0f}/s for {args.seconds:.0f} s), {SENDERS} keep-alive senders; "
          f"{unique} distinct deliveries, {len(stream) - unique} re-sends")  # fmt: skip
    print(f"  answers: {dict(sorted(by_status.items()))} (202 accepted, 200 duplicate)")
    print(f"  acknowledgement from send: p50 {statistics.median(sent):.1f} ms, "
          f"p99 {percentile(sent, 0.99):.1f} ms, max {max(sent):.1f} ms")  # fmt: skip
    print(f"  acknowledgement from due time: p50 {statistics.median(due):.1f} ms, "
          f"p99 {percentile(due, 0.99):.1f} ms, max {max(due):.1f} ms")  # fmt: skip
    verdict = "met" if percentile(sent, 0.99) < 50 else "MISSED"
    print(f"  goal p99 < 50 ms: {verdict}")
    print(f"  events lost (answered 2xx, not in the inbox): {len(lost)}; "
          f"inbox holds {len(ids)} deliveries of {len(acknowledged)} acknowledged")  # fmt: skip
    print(f"  jobs after coalescing: {jobs} waiting + {processed} processed "
          f"for {len(stream)} events ({keys} distinct bodies, {REQUESTS} requests)")  # fmt: skip
    if drained is not None:
        print(f"  {args.workers} workers: queue drained {drained:.2f} s after the last event")
        for line in metrics.splitlines():
            if line.startswith(("sop_sync_job_seconds_count", "sop_sync_jobs_")):
                print(f"    {line}")


if __name__ == "__main__":
    main()
