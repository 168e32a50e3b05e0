"""The webhook front: verify, read, acknowledge once the inbox holds the delivery.

- ``POST /hooks/gitlab``: ``X-Gitlab-Token`` must equal the secret (constant-time compare), or,
  when GitLab signs with a signing token (Standard Webhooks: ``webhook-signature: v1,<base64
  HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">``), the signature must verify with
  ``SOP_SYNC_WEBHOOK_SIGNING_TOKEN`` and the timestamp be within five minutes (no replays);
- ``POST /hooks/jira``: ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>``;
- ``GET /healthz``: the inbox and the tracker check, 503 naming what is down;
- ``GET /metrics``: Prometheus text from a private registry.

Answers: 401 bad or missing credentials; 413 a body over ``max_body_bytes`` (refused from
``Content-Length``, or while streaming, before the rest is read); 400 malformed JSON; 202
``ignored`` for events that name no job; 202 ``accepted`` only after :meth:`Inbox.accept`
returned (committed); 200 ``duplicate`` for a delivery id already stored; 503 when the inbox
cannot take it (the vendor retries). A 2xx therefore never loses an event. Requests arriving
together are stored in one transaction (group commit: one disk sync for a burst), each still
answered only once that transaction committed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Set
from concurrent.futures import Future, InvalidStateError
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sop_sync.config import ServiceSettings
from sop_sync.errors import ConfigError
from sop_sync.secrets import WEBHOOK_SECRET, WEBHOOK_SIGNING_TOKEN
from sop_sync.service import hooks
from sop_sync.service.inbox.base import Delivery, Inbox
from sop_sync.service.logs import logger

_LOG = logger()


class _Refused(Exception):  # noqa: N818 - an answer, not a bug
    """A request answered with ``status`` before any work (the reason goes to metrics)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# Metrics --------------------------------------------------------------------------------


class _InboxCollector(Collector):
    """Gauges read from ``inbox.stats()`` at scrape time."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def collect(self) -> Iterable[Metric]:
        """The inbox's counts; ``sop_sync_inbox_up 0`` alone when it cannot be read."""
        up = GaugeMetricFamily("sop_sync_inbox_up", "1 when the inbox answered the scrape")
        try:
            stats = self.inbox.stats()
        except Exception as error:  # a scrape must answer; the log says why
            _LOG.warning("metrics", extra={"status": "inbox-down", "error": error})
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        gauges = (
            ("sop_sync_queue_depth", "Jobs waiting or running (not parked)", stats.pending),
            ("sop_sync_jobs_running", "Jobs under a live lease", stats.running),
            ("sop_sync_jobs_parked", "Jobs that failed too often, waiting for a person",
             stats.parked),
            ("sop_sync_oldest_pending_age_seconds", "Seconds the oldest pending job has waited",
             stats.oldest_pending_age),
            ("sop_sync_deliveries_remembered", "Delivery ids kept for de-duplication",
             stats.deliveries),
        )  # fmt: skip
        for name, text, value in gauges:
            yield GaugeMetricFamily(name, text, value=value)
        yield CounterMetricFamily(
            "sop_sync_jobs_processed", "Jobs finished since the inbox was created",
            value=stats.processed,
        )  # fmt: skip
        yield CounterMetricFamily(
            "sop_sync_jobs_failed", "Failed job attempts since the inbox was created",
            value=stats.failed,
        )  # fmt: skip


class Metrics:
    """The service's Prometheus metrics in a registry of their own.

    The web front counts events; the worker calls :meth:`observe_job` per job.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["source"]
        self.received = Counter(
            "sop_sync_events_received", "Webhook requests received", labels,
            registry=self.registry,
        )  # fmt: skip
        self.accepted = Counter(
            "sop_sync_events_accepted", "Deliveries stored in the inbox", labels,
            registry=self.registry,
        )  # fmt: skip
        self.duplicate = Counter(
            "sop_sync_events_duplicate", "Deliveries already stored (re-sent)", labels,
            registry=self.registry,
        )  # fmt: skip
        self.rejected = Counter(
            "sop_sync_events_rejected", "Webhook requests refused", [*labels, "reason"],
            registry=self.registry,
        )  # fmt: skip
        self.ignored = Counter(
            "sop_sync_events_ignored", "Webhook events that name no job", labels,
            registry=self.registry,
        )  # fmt: skip
        self.job_seconds = Histogram(
            "sop_sync_job_seconds", "Time one job took in a worker", ["outcome"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
            registry=self.registry,
        )  # fmt: skip

    def observe_job(self, seconds: float, ok: bool) -> None:
        """One job done (``ok``) or failed, after ``seconds``."""
        self.job_seconds.labels(outcome="ok" if ok else "failed").observe(seconds)

    def watch(self, inbox: Inbox) -> None:
        """Expose ``inbox.stats()`` at every scrape."""
        self.registry.register(_InboxCollector(inbox))

    def render(self) -> bytes:
        """The Prometheus text exposition (reads the inbox: call it off the event loop)."""
        return generate_latest(self.registry)


# The app --------------------------------------------------------------------------------


_Batch = tuple[list[Delivery], "Future[list[bool]]"]


class _GroupCommit:
    """Concurrent accepts share one inbox transaction: one sync to disk for a burst.

    Each request still gets its answer only after the transaction holding its deliveries
    committed. Under load the disk sync, not the CPU, bounds the rate; a burst of N requests
    then waits for one sync instead of N in a row. A failing batch is retried one request at
    a time, so one bad request does not fail the others.
    """

    MAX_BATCH = 200

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.waiting: queue.SimpleQueue[_Batch | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    async def accept(self, deliveries: list[Delivery]) -> list[bool]:
        """True per new delivery, once committed (raises what the inbox raised)."""
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="inbox-commit", daemon=True)
                self.thread.start()
        done: Future[list[bool]] = Future()
        self.waiting.put((deliveries, done))
        return await asyncio.wrap_future(done)

    def stop(self) -> None:
        """End the commit thread after the batches already waiting."""
        with self.lock:
            if self.thread is not None:
                self.waiting.put(None)
                self.thread.join(30)
                self.thread = None

    def _run(self) -> None:
        while (first := self.waiting.get()) is not None:
            batch = [first]
            stop = False
            while len(batch) < self.MAX_BATCH:
                try:
                    more = self.waiting.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Batch]) -> None:
        try:
            new = self.inbox.accept([d for deliveries, _ in batch for d in deliveries])
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][1], error=error)
                return
            for one in batch:
                self._commit([one])
            return
        start = 0
        for deliveries, done in batch:
            _settle(done, new[start : start + len(deliveries)])
            start += len(deliveries)


def _settle(
    done: Future[list[bool]], result: list[bool] | None = None, error: Exception | None = None
) -> None:
    """Answer one waiting request (one that gave up waiting is skipped, not fatal)."""
    with contextlib.suppress(InvalidStateError):
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result or [])


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 once it passes ``limit`` (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise _Refused(400, "content-length")
        if int(declared) > limit:
            raise _Refused(413, "too-large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _Refused(413, "too-large")
    return bytes(body)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _Refused(400, "malformed-json") from None


SIGNATURE_TOLERANCE = 300.0
"""Seconds a signed webhook's timestamp may be off (Standard Webhooks' five minutes)."""


def signing_key_of(signing_token: str) -> bytes:
    """The HMAC key of a GitLab signing token ``whsec_<base64 of 32 bytes>``."""
    try:
        key = base64.b64decode(signing_token.strip().removeprefix("whsec_"), validate=True)
    except ValueError:
        key = b""
    if not signing_token.strip().startswith("whsec_") or len(key) < 24:
        raise ConfigError(
            f"{WEBHOOK_SIGNING_TOKEN}: not a signing token (whsec_ and the base64 of a "
            "32-byte key, as GitLab generates it)"
        )
    return key


def standard_signature_ok(key: bytes, headers: Mapping[str, str], body: bytes, now: float) -> bool:
    """Whether a Standard Webhooks signature (``v1,<base64>``, any of several) verifies.

    Signed is ``{webhook-id}.{webhook-timestamp}.{body}``; a timestamp more than
    :data:`SIGNATURE_TOLERANCE` away from ``now`` fails (a replayed request).
    """
    webhook_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    if not webhook_id or not stamp.isdigit() or abs(now - int(stamp)) > SIGNATURE_TOLERANCE:
        return False
    signed = f"{webhook_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    offered = [
        part.partition(",")[2].encode("latin-1")
        for part in headers.get("webhook-signature", "").split()
        if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(candidate, expected) for candidate in offered)


def _answer(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def create_app(
    inbox: Inbox,
    settings: ServiceSettings,
    secret: str | None,
    own: Set[str] = frozenset(),
    health: Callable[[], None] | None = None,
    metrics: Metrics | None = None,
    signing_token: str | None = None,
) -> Starlette:
    """The Starlette app of ``sop-sync serve``.

    ``inbox`` is a thread-safe inbox (the caller opens and closes it).
    ``secret`` is GitLab's secret token and Jira's HMAC key; without one the app is refused:
    a webhook endpoint anybody may post to is not a default. ``own`` holds sop-sync's own
    usernames and account ids (their events are ignored); ``health`` raises when the tracker
    cannot be reached. ``app.state.metrics`` is the :class:`Metrics` the worker reports to.
    """
    if not secret:
        raise ConfigError(
            f"set {WEBHOOK_SECRET}: the webhook secret (GitLab's secret token, the Jira "
            "webhook's secret); the service does not accept unauthenticated webhooks"
        )
    key = secret.encode("utf-8")
    signing_key = signing_key_of(signing_token) if signing_token else None
    metrics = metrics or Metrics()
    metrics.watch(inbox)
    committer = _GroupCommit(inbox)
    limit = settings.max_body_bytes

    def refused(source: str, kind: str, started: float, refusal: _Refused) -> JSONResponse:
        metrics.rejected.labels(source=source, reason=refusal.reason).inc()
        _log(source, kind, "", "", "refused", started, reason=refusal.reason)
        return _answer(refusal.status, {"status": "refused", "reason": refusal.reason})

    async def accept(
        source: str, kind: str, delivery_id: str, deliveries: list[Delivery], started: float
    ) -> JSONResponse:
        if not deliveries:
            metrics.ignored.labels(source=source).inc()
            _log(source, kind, delivery_id, "", "ignored", started)
            return _answer(202, {"status": "ignored"})
        jobs = ",".join(d.job for d in deliveries)
        try:
            new = await committer.accept(deliveries)
        except Exception as error:  # answered 503: the vendor sends it again
            metrics.rejected.labels(source=source, reason="inbox").inc()
            _log(source, kind, delivery_id, jobs, "unavailable", started, error=error)
            return _answer(503, {"status": "unavailable", "reason": "inbox"})
        if any(new):
            metrics.accepted.labels(source=source).inc()
            _log(source, kind, delivery_id, jobs, "accepted", started)
            return _answer(202, {"status": "accepted", "jobs": sum(new)})
        metrics.duplicate.labels(source=source).inc()
        _log(source, kind, delivery_id, jobs, "duplicate", started)
        return _answer(200, {"status": "duplicate"})

    async def gitlab(request: Request) -> Response:
        started = time.perf_counter()
        metrics.received.labels(source="gitlab").inc()
        kind = request.headers.get("x-gitlab-event", "")[:100]
        try:
            token = request.headers.get("x-gitlab-token")
            # no secret token sent, a signature instead (a hook with only a signing token)
            by_signature = token is None and "webhook-signature" in request.headers
            if not (by_signature and signing_key) and not hmac.compare_digest(
                (token or "").encode("latin-1"), key
            ):
                raise _Refused(401, "token")
            body = await _read_body(request, limit)
            if (
                by_signature
                and signing_key
                and not standard_signature_ok(signing_key, request.headers, body, time.time())
            ):
                raise _Refused(401, "signature")
            if kind not in hooks.GITLAB_EVENTS:
                metrics.ignored.labels(source="gitlab").inc()
                _log("gitlab", kind, "", "", "ignored", started)
                return _answer(202, {"status": "ignored"})
            payload = _json(body)
        except _Refused as refusal:
            return refused("gitlab", kind, started, refusal)
        delivery_id = hooks.gitlab_delivery_id(request.headers, body)
        deliveries = hooks.gitlab_deliveries(payload, event=kind, delivery_id=delivery_id, own=own)
        return await accept("gitlab", kind, delivery_id, deliveries, started)

    async def jira(request: Request) -> Response:
        started = time.perf_counter()
        metrics.received.labels(source="jira").inc()
        kind = ""
        try:
            signature = request.headers.get("x-hub-signature", "").encode("latin-1")
            if not signature.startswith(b"sha256="):
                raise _Refused(401, "signature")
            body = await _read_body(request, limit)
            expected = b"sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest().encode()
            if not hmac.compare_digest(signature.lower(), expected):
                raise _Refused(401, "signature")
            payload = _json(body)
        except _Refused as refusal:
            return refused("jira", kind, started, refusal)
        if isinstance(payload, dict) and isinstance(payload.get("webhookEvent"), str):
            kind = payload["webhookEvent"][:100]
        delivery_id = hooks.jira_delivery_id(request.headers, body)
        deliveries = hooks.jira_deliveries(payload, delivery_id=delivery_id, own=own)
        return await accept("jira", kind, delivery_id, deliveries, started)

    async def healthz(request: Request) -> Response:
        state = {"inbox": "ok", "tracker": "ok" if health is not None else "unchecked"}
        checks: list[tuple[str, Callable[[], None]]] = [("inbox", inbox.ping)]
        if health is not None:
            checks.append(("tracker", health))
        for name, check in checks:
            try:
                await run_in_threadpool(check)
            except Exception as error:  # reported as down, the log says why
                state[name] = "down"
                _LOG.warning("health", extra={"status": f"{name}-down", "error": error})
        down = any(value == "down" for value in state.values())
        return _answer(503 if down else 200, state)

    async def metrics_text(request: Request) -> Response:
        return Response(await run_in_threadpool(metrics.render), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(committer.stop)

    app = Starlette(
        routes=[
            Route("/hooks/gitlab", gitlab, methods=["POST"]),
            Route("/hooks/jira", jira, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_text, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    return app


def _log(
    source: str,
    kind: str,
    delivery: str,
    job: str,
    status: str,
    started: float,
    **more: Any,
) -> None:
    ms = round((time.perf_counter() - started) * 1000, 2)
    fields = {"source": source, "kind": kind, "delivery": delivery, "job": job, "status": status}
    level = 30 if status in ("refused", "unavailable") else 20
    _LOG.log(level, "webhook", extra={**fields, "ms": ms, **more})
