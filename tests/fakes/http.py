"""The HTTP plumbing both tracker emulators share: serving on loopback, and the handler.

An emulator gives a ``respond`` function (method, path, query, headers, body -> status,
payload, headers) and a ``note`` function that logs a request; the handler reads the request,
waits the emulator's latency, logs the answer *before* the client sees it (counts never lag)
and writes it as JSON, text or raw bytes.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, NamedTuple, Self

Answer = tuple[int, Any, dict[str, str]]
Respond = Callable[[str, str, dict[str, list[str]], Message, bytes], Answer]
Note = Callable[[str, str, str, int], None]


class Raw(NamedTuple):
    """A payload sent as bytes (attachment content, plain-text errors) instead of JSON."""

    content: bytes
    content_type: str


class MediaTypes(NamedTuple):
    """How an emulator names the types of its text and JSON answers."""

    text: str = "text/html; charset=utf-8"
    json: str = "application/json"


def handler_class(
    respond: Respond,
    note: Note,
    latency: Callable[[], float],
    types: MediaTypes = MediaTypes(),  # noqa: B008 - an immutable tuple
) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving ``respond``'s answers."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body in two writes: no 40 ms ACK wait
        timeout = 15  # a client that stops mid-request cannot hang a test

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the request log is the emulator's."""

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            if wait := latency():
                time.sleep(wait)
            parsed = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload, headers = respond(method, parsed.path, query, self.headers, raw)
            note(method, parsed.path, parsed.query, status)
            self._send(status, payload, dict(headers))

        def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
            kind: str | None
            if payload is None or status == 204:
                body, kind = b"", None
            elif isinstance(payload, Raw):
                body, kind = payload.content, payload.content_type
            elif isinstance(payload, str):
                body, kind = payload.encode(), types.text
            else:
                body, kind = json.dumps(payload).encode(), types.json
            kind = headers.pop("Content-Type", kind)
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    """The HTTP server, with a listen backlog as a real server has.

    socketserver's default of 5 pending connections makes a client that opens 20 connections
    at once wait a second for SYN retries.
    """

    request_queue_size = 128
    daemon_threads = True


class Loopback:
    """Serving an emulator on 127.0.0.1 in a background thread; a context manager.

    Subclasses call :meth:`_listen` once with their handler class and keep their own
    ``running`` list (tests find the emulator behind a URL).
    """

    running: ClassVar[list[Any]]
    _started: bool

    def _listen(self, handler: type[BaseHTTPRequestHandler]) -> str:
        """Bind an ephemeral port on 127.0.0.1; the base URL."""
        self._started = False
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        """Serve in a background thread."""
        self._thread.start()
        self._started = True
        type(self).running.append(self)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (safe to call twice, or before start)."""
        if self._started:
            self._server.shutdown()
            self._started = False
        self._server.server_close()
        if self in type(self).running:
            type(self).running.remove(self)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
