"""Webhook delivery shared by the tracker emulators: a queue, one sender thread, a record.

The emulators' handlers build a payload under the emulator's lock and :meth:`Outbox.post` it;
the POST happens on the outbox's own thread, outside that lock, in the order posted (so in
order per hook), as GitLab's Sidekiq workers and Jira's webhook dispatcher send after the
change is committed. The thread is started when there is something to send and ends when the
queue is empty: an emulator that sends nothing holds no thread.

Every send is recorded (:class:`Delivery`: status answered, milliseconds, what was sent);
:meth:`Outbox.redeliver` sends a recorded one again with the same identity headers (GitLab's
"Resend request", a Jira Cloud retry). Only loopback receivers are called: a hook registered
to any other host is recorded as not sent, so a test can never reach the internet.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

TIMEOUT = 10.0
"""Seconds a receiver has to answer (GitLab.com's webhook timeout; Jira Cloud's is similar)."""
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

Fresh = Callable[[int], dict[str, str]]
"""Headers made anew for each send, given the attempt (0: the first send, 1: the first
re-send...), e.g. GitLab's ``X-Gitlab-Webhook-UUID`` or Jira's ``X-Atlassian-Webhook-Retry``."""


def _no_fresh_headers(attempt: int) -> dict[str, str]:
    return {}


class Event(NamedTuple):
    """One webhook to send: where, the headers that stay the same on a re-send, the body."""

    url: str
    headers: dict[str, str]
    body: bytes
    fresh: Fresh = _no_fresh_headers


@dataclass(frozen=True)
class Delivery:
    """One send as it happened."""

    number: int
    """Its place in :attr:`Outbox.deliveries`."""
    event: Event
    headers: dict[str, str]
    """The headers as sent (the event's and the fresh ones)."""
    attempt: int
    """0 for the first send of the event, n for its n-th re-send."""
    status: int | None
    """The receiver's status code; None when nothing answered (refused, timed out, not sent)."""
    error: str | None
    ms: float

    @property
    def url(self) -> str:
        """Where it was sent."""
        return self.event.url

    @property
    def body(self) -> bytes:
        """The raw body sent."""
        return self.event.body


@dataclass
class Outbox:
    """The emulator's webhook queue and its record of deliveries."""

    timeout: float = TIMEOUT
    _deliveries: list[Delivery] = field(default_factory=list)
    _queue: deque[tuple[Event, int]] = field(default_factory=deque)
    _busy: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def post(self, event: Event) -> None:
        """Queue ``event``; it is sent after those queued before it."""
        self._enqueue(event, 0)

    def redeliver(self, number: int) -> None:
        """Send delivery ``number`` again with the same identity headers and body."""
        with self._changed:
            original = self._deliveries[number]
            attempts = [d.attempt for d in self._deliveries if d.event is original.event]
        self._enqueue(original.event, max(attempts) + 1)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every send so far, oldest first."""
        with self._changed:
            return list(self._deliveries)

    def flush(self, timeout: float = 15.0) -> list[Delivery]:
        """Wait until everything queued has been sent; the deliveries so far.

        Raises ``TimeoutError`` when sends are still under way after ``timeout`` seconds.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: not self._busy, timeout):
                raise TimeoutError(f"webhooks still being sent after {timeout} s")
            return list(self._deliveries)

    def _enqueue(self, event: Event, attempt: int) -> None:
        with self._changed:
            self._queue.append((event, attempt))
            if not self._busy:
                self._busy = True
                threading.Thread(target=self._run, name="webhooks", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._queue:
                    self._busy = False
                    self._changed.notify_all()
                    return
                event, attempt = self._queue.popleft()
            headers = event.headers | event.fresh(attempt)
            status, error, ms = self._send(event.url, headers, event.body)
            with self._changed:
                number = len(self._deliveries)
                self._deliveries.append(
                    Delivery(number, event, headers, attempt, status, error, ms)
                )
                self._changed.notify_all()

    def _send(
        self, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int | None, str | None, float]:
        """POST with http.client: no proxy, header names as spelt (urllib: ``X-gitlab-token``)."""
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if host not in LOOPBACK or parts.scheme != "http":
            return None, f"not sent: the emulators deliver to http on loopback only: {url}", 0.0
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, parts.port or 80, timeout=self.timeout)
        status: int | None = None
        error = None
        try:
            connection.request("POST", path, body, headers | {"Content-Length": str(len(body))})
            answer = connection.getresponse()
            answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException) as failure:  # refused, reset, timed out
            error = f"{type(failure).__name__}: {failure}"
        finally:
            connection.close()
        return status, error, (time.perf_counter() - started) * 1000


class Received(NamedTuple):
    """One webhook as a :class:`Receiver` got it."""

    path: str
    headers: Message
    """Case-insensitive, as HTTP header names are."""
    body: bytes


class Receiver:
    """A webhook receiver on 127.0.0.1 for tests: records each POST, answers ``status``.

    A context manager; ``url`` is where to register hooks; ``received`` what arrived.
    """

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, self.headers, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
