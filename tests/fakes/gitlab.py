"""A stateful GitLab REST v4 emulator on 127.0.0.1 for the real python-gitlab client.

Test infrastructure, never shipped. Handlers (one per documented endpoint) are in
:mod:`tests.fakes.gitlab_api`, data in :mod:`tests.fakes.gitlab_state`. This module is the
HTTP server: authentication (``PRIVATE-TOKEN``, ``Authorization: Bearer``, ``Sudo``),
pagination headers as GitLab sends them (doc/api/rest/index.md "Pagination"), error bodies,
fault injection (429 with Retry-After, 5xx, latency) and a request log for counting calls.

    with FakeGitLab(tier="premium") as fake:
        gl = gitlab.Gitlab(fake.url, private_token=fake.token)
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar

from tests.fakes.gitlab_api import ROUTES, TOKEN, Call, NotFoundError
from tests.fakes.gitlab_state import Json, State

MAX_PER_PAGE = 100


@dataclass
class Fault:
    """The next ``times`` matching requests answer ``status``."""

    status: int
    times: int
    retry_after: int | None = None
    path_contains: str | None = None
    method: str | None = None


@dataclass
class Logged:
    """One request as served."""

    method: str
    path: str
    query: str
    status: int


@dataclass
class FakeGitLab:
    """The emulator: start it, point python-gitlab at ``url`` with ``token``."""

    tier: str = "free"
    latency: float = 0.0
    state: State = field(default_factory=State)
    log: list[Logged] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    token: str = TOKEN
    flaky_every: int = 0
    """When set, every n-th request fails: 429 with Retry-After 0, and 502, in turn."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    _served: int = 0

    def __post_init__(self) -> None:
        self.state.tier = self.tier
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.state.base_url = self.url
        self.state.add_user("sop-sync-bot", "sop-sync", token=self.token)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    running: ClassVar[list[FakeGitLab]] = []
    """Emulators serving now (tests find the one behind a URL)."""

    def start(self) -> FakeGitLab:
        """Serve in a background thread."""
        self._thread.start()
        FakeGitLab.running.append(self)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self in FakeGitLab.running:
            FakeGitLab.running.remove(self)

    def __enter__(self) -> FakeGitLab:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def inject(
        self,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        path_contains: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``."""
        with self.lock:
            self.faults.append(Fault(status, times, retry_after, path_contains, method))

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """Requests served, optionally filtered."""
        return sum(
            1
            for entry in self.log
            if method in (None, entry.method)
            and (path_contains is None or path_contains in entry.path)
        )

    def reset_log(self) -> None:
        """Forget the requests served so far."""
        with self.lock:
            self.log.clear()

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            self._served += 1
            if self.flaky_every and self._served % self.flaky_every == 0:
                turn = self._served // self.flaky_every
                return Fault(429, 0, retry_after=0) if turn % 2 else Fault(502, 0)
            for fault in self.faults:
                if (
                    fault.times > 0
                    and fault.method in (None, method)
                    and (fault.path_contains is None or fault.path_contains in path)
                ):
                    fault.times -= 1
                    return fault
        return None


def _paginate(
    items: list[Any], query: dict[str, list[str]], url: str
) -> tuple[list[Any], dict[str, str]]:
    """GitLab's offset pagination: X-* headers and a Link header with full URLs."""
    per_page = min(int((query.get("per_page") or ["20"])[0]), MAX_PER_PAGE)
    page = max(int((query.get("page") or ["1"])[0]), 1)
    total = len(items)
    pages = max(1, -(-total // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]

    def page_url(number: int) -> str:
        params = {k: v for k, v in query.items() if k != "page"}
        params["page"] = [str(number)]
        return f"{url}?{urllib.parse.urlencode(params, doseq=True)}"

    links = [f'<{page_url(1)}>; rel="first"', f'<{page_url(pages)}>; rel="last"']
    headers = {
        "X-Total": str(total),
        "X-Total-Pages": str(pages),
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    if page < pages:
        links.insert(0, f'<{page_url(page + 1)}>; rel="next"')
    if page > 1:
        links.insert(0, f'<{page_url(page - 1)}>; rel="prev"')
    headers["Link"] = ", ".join(links)
    return chunk, headers


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        if name:
            files[str(name)] = (filename, payload if isinstance(payload, bytes) else b"")
    return files


def _handler(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body in two writes: no 40 ms ACK wait
        timeout = 15  # a client that stops mid-request cannot hang a test

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the request log is in ``fake.log``."""

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _serve(self, method: str) -> None:
            if fake.latency:
                time.sleep(fake.latency)
            parsed = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload, headers = self._answer(method, parsed.path, query, raw)
            with fake.lock:  # logged before the client sees the answer: counts never lag
                fake.log.append(Logged(method, parsed.path, parsed.query, status))
            self._send(status, payload, headers)

        def _answer(
            self, method: str, path: str, query: dict[str, list[str]], raw: bytes
        ) -> tuple[int, Any, dict[str, str]]:
            fault = fake._fault(method, path)
            if fault is not None:
                retry = (
                    {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                )
                message = "Retry later" if fault.status == 429 else "Bad Gateway"
                return fault.status, {"message": message}, retry
            token = self.headers.get("PRIVATE-TOKEN") or (
                self.headers.get("Authorization") or ""
            ).removeprefix("Bearer ")
            username = fake.state.tokens.get(token)
            if username is None:
                return 401, {"message": "401 Unauthorized"}, {}
            user = fake.state.users[username]
            # doc/api/rest/authentication.md "Sudo": a header or a `sudo` parameter
            sudo = self.headers.get("Sudo") or (query.get("sudo") or [""])[0]
            if sudo:
                if sudo not in fake.state.users:
                    return 403, {"message": "403 Forbidden - Sudo user not found"}, {}
                user = fake.state.users[sudo]
            if not path.startswith("/api/v4/"):
                return 404, {"error": "404 Not Found"}, {}
            route = path[len("/api/v4") :]
            content_type = self.headers.get("Content-Type") or ""
            body: Json = {}
            files: dict[str, tuple[str, bytes]] = {}
            if content_type.startswith("multipart/form-data"):
                files = _multipart(content_type, raw)
            elif raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            for verb, pattern, handler in ROUTES:
                match = re.fullmatch(pattern, route)
                if match is None or verb != method:
                    continue
                call = Call(fake.state, match, query, body, user, files)
                try:
                    with fake.lock:
                        status, payload = handler(call)
                except NotFoundError as missing:
                    status, payload = 404, {"message": f"404 {missing.what}"}
                headers: dict[str, str] = {}
                if method == "GET" and isinstance(payload, list):
                    payload, headers = _paginate(payload, query, fake.url + path)
                return status, payload, headers
            return 404, {"error": "404 Not Found"}, {}

    return Handler
