"""A stateful GitLab REST v4 emulator on 127.0.0.1 for the real python-gitlab client.

Test infrastructure, never shipped. This module is the HTTP server and its routing table
(an explicit list of method, path pattern, handler). The handlers, one per documented
endpoint, are in :mod:`.issues`, :mod:`.labels`, :mod:`.planning`, :mod:`.uploads` and
:mod:`.projects` (and others beside them), their plumbing in :mod:`.api`, the data
in :mod:`.state`. The server does what a client meets on a real GitLab:
authentication (``PRIVATE-TOKEN``, ``Authorization: Bearer``, ``Sudo`` for an administrator's
token only), offset pagination headers (doc/api/rest/index.md "Pagination"), Grape's error
bodies, and, for tests, fault injection (429 with Retry-After, 5xx, latency; a fault after the
handler ran: "done, but the answer was lost"; a reset connection; silence) and a request log
for counting calls. :func:`silent_host` and :func:`refused_url` stand for a GitLab that
accepts connections and never answers, and one whose port is closed.

    with FakeGitLab(tier="premium") as fake:
        fake.add_project("diskominfo/aplikasi")
        gl = gitlab.Gitlab(fake.url, private_token=fake.token)
"""

from __future__ import annotations

import re
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, NamedTuple

from tests.fakes.delivery import Outbox
from tests.fakes.gitlab import (
    issues,
    labels,
    merge_requests,
    note_edits,
    pipelines,
    planning,
    projects,
    uploads,
    webhooks,
    wikis,
)
from tests.fakes.gitlab.api import TOKEN, ApiError, Call, Handler, paginate, parse_body
from tests.fakes.gitlab.state import Json, State
from tests.fakes.http import Loopback, handler_class

PROJECT = r"/projects/(?P<project>[^/]+)"  # an id or a URL-encoded path
ISSUE = PROJECT + r"/issues/(?P<iid>\d+)"
MR = PROJECT + r"/merge_requests/(?P<iid>\d+)"
GROUP = r"/groups/(?P<group>[^/]+)"
EPIC = GROUP + r"/epics/(?P<iid>\d+)"
UPLOAD = PROJECT + r"/uploads/(?P<secret>[0-9a-f]{32})/(?P<file>[^/]+)"
EPIC_BY_ID = GROUP + r"/epics/(?P<eid>\d+)"  # notes and events address the epic's id
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/version", projects.version),
    ("GET", r"/metadata", projects.metadata),
    ("GET", r"/license", projects.license_info),
    ("GET", r"/user", projects.current_user),
    ("GET", r"/users", projects.list_users),
    ("GET", r"/users/(?P<uid>\d+)", projects.get_user),
    ("GET", r"/projects", projects.list_projects),
    ("GET", PROJECT, projects.get_project),
    ("PUT", PROJECT, projects.update_project),
    ("GET", PROJECT + r"/repository/files/(?P<file>[^/]+)", projects.get_file),
    ("POST", PROJECT + r"/repository/files/(?P<file>[^/]+)", projects.create_file),
    ("PUT", PROJECT + r"/repository/files/(?P<file>[^/]+)", projects.update_file),
    ("GET", PROJECT + r"/hooks", projects.list_hooks),
    ("POST", PROJECT + r"/hooks", projects.create_hook),
    ("GET", PROJECT + r"/hooks/(?P<hid>\d+)", projects.get_hook),
    ("PUT", PROJECT + r"/hooks/(?P<hid>\d+)", projects.update_hook),
    ("DELETE", PROJECT + r"/hooks/(?P<hid>\d+)", projects.delete_hook),
    ("GET", PROJECT + r"/issues", issues.list_issues),
    ("POST", PROJECT + r"/issues", issues.create_issue),
    ("GET", ISSUE, issues.get_issue),
    ("PUT", ISSUE, issues.update_issue),
    ("GET", ISSUE + r"/links", issues.list_links),
    ("POST", ISSUE + r"/links", issues.create_link),
    ("GET", ISSUE + r"/links/(?P<link>\d+)", issues.get_link),
    ("DELETE", ISSUE + r"/links/(?P<link>\d+)", issues.delete_link),
    ("GET", ISSUE + r"/notes", issues.list_notes),
    ("POST", ISSUE + r"/notes", issues.create_note),
    ("PUT", ISSUE + r"/notes/(?P<nid>\d+)", note_edits.update_note),
    ("GET", ISSUE + r"/resource_state_events", issues.list_state_events),
    ("GET", ISSUE + r"/resource_label_events", issues.list_label_events),
    ("GET", PROJECT + r"/labels", labels.list_labels),
    ("POST", PROJECT + r"/labels", labels.create_label),
    # python-gitlab edits labels through the older form, the name in the body
    ("PUT", PROJECT + r"/labels", labels.update_label),
    ("GET", PROJECT + r"/labels/(?P<label>[^/]+)", labels.get_label),
    ("PUT", PROJECT + r"/labels/(?P<label>[^/]+)", labels.update_label),
    ("DELETE", PROJECT + r"/labels/(?P<label>[^/]+)", labels.delete_label),
    ("GET", PROJECT + r"/milestones", planning.list_milestones),
    ("POST", PROJECT + r"/milestones", planning.create_milestone),
    ("GET", PROJECT + r"/milestones/(?P<mid>\d+)", planning.get_milestone),
    ("PUT", PROJECT + r"/milestones/(?P<mid>\d+)", planning.update_milestone),
    ("POST", PROJECT + r"/uploads", uploads.upload),
    ("DELETE", UPLOAD, uploads.delete_upload),
    ("GET", PROJECT + r"/wikis", wikis.list_pages),
    ("POST", PROJECT + r"/wikis", wikis.create_page),
    ("GET", PROJECT + r"/wikis/(?P<slug>[^/]+)", wikis.get_page),
    ("PUT", PROJECT + r"/wikis/(?P<slug>[^/]+)", wikis.update_page),
    ("DELETE", PROJECT + r"/wikis/(?P<slug>[^/]+)", wikis.delete_page),
    ("GET", MR, projects.get_merge_request),
    ("GET", MR + r"/closes_issues", projects.closes_issues),
    ("GET", MR + r"/pipelines", pipelines.list_mr_pipelines),
    ("POST", MR + r"/pipelines", pipelines.create_mr_pipeline),
    ("GET", MR + r"/notes", merge_requests.list_notes),
    ("POST", MR + r"/notes", merge_requests.create_note),
    ("GET", PROJECT + r"/merge_requests", merge_requests.list_for_project),
    ("GET", r"/merge_requests", merge_requests.list_all),
    ("GET", GROUP + r"/merge_requests", merge_requests.list_for_group),
    ("GET", PROJECT + r"/pipelines/(?P<pipeline>\d+)/jobs", pipelines.list_pipeline_jobs),
    ("POST", PROJECT + r"/jobs/(?P<job>\d+)/retry", pipelines.retry_job),
    ("GET", GROUP, projects.get_group),
    ("GET", GROUP + r"/labels", labels.list_labels),
    ("POST", GROUP + r"/labels", labels.create_label),
    ("PUT", GROUP + r"/labels", labels.update_label),
    ("PUT", GROUP + r"/labels/(?P<label>[^/]+)", labels.update_label),
    ("GET", GROUP + r"/epics", planning.list_epics),
    ("POST", GROUP + r"/epics", planning.create_epic),
    ("GET", EPIC, planning.get_epic),
    ("PUT", EPIC, planning.update_epic),
    ("GET", EPIC + r"/issues", planning.epic_issues),
    ("POST", EPIC + r"/issues/(?P<issue_id>\d+)", planning.assign_epic_issue),
    ("DELETE", EPIC + r"/issues/(?P<issue_id>\d+)", planning.remove_epic_issue),
    ("GET", EPIC_BY_ID + r"/notes", issues.list_notes),
    ("POST", EPIC_BY_ID + r"/notes", issues.create_note),
    ("GET", EPIC_BY_ID + r"/resource_label_events", issues.list_epic_label_events),
]
_COMPILED = [(verb, re.compile(pattern), handler) for verb, pattern, handler in ROUTES]

BAD_GATEWAY_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>GitLab is not responding (502)</title></head>"
    "<body><h1>502</h1><h3>GitLab is not responding.</h3></body></html>\n"
)


@dataclass
class Fault:
    """The next ``times`` matching requests answer ``status`` (``body``: text is HTML).

    ``after``: the request is carried out first and only its answer is replaced (a proxy's
    502 after GitLab created the object). ``reset``: the connection is closed without an
    answer instead. ``hang``: seconds of silence before answering. ``retry_after`` is a number
    of seconds or an HTTP date (text).
    """

    status: int
    times: int
    retry_after: int | str | None = None
    path_prefix: str | None = None
    path_contains: str | None = None
    method: str | None = None
    body: str | Json | None = None
    after: bool = False
    reset: bool = False
    hang: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to the request (path with or without ``/api/v4``)."""
        route = path.removeprefix("/api/v4")
        return (
            self.times > 0
            and self.method in (None, method)
            and (self.path_contains is None or self.path_contains in path)
            and (
                self.path_prefix is None
                or path.startswith(self.path_prefix)
                or route.startswith(self.path_prefix)
            )
        )


class Logged(NamedTuple):
    """One request as served: ``(method, path, query, status)``."""

    method: str
    path: str
    query: str
    status: int


Reply = tuple[int, Any, dict[str, str]]


@dataclass
class FakeGitLab(Loopback):
    """The emulator: start it, point python-gitlab at ``url`` with ``token``.

    ``tier`` is ``free`` or ``premium``; ``edition`` (``ee`` or ``ce``) picks how Free
    refuses Premium features (api.py docstring). All state sits behind ``lock``.
    """

    tier: str = "free"
    admin: bool = True
    """Whether ``token`` is an administrator's: only then may it use ``Sudo`` (act as a
    person), as on GitLab. sop-sync's own token in production is not; tests that act as
    people need one that is."""
    manage_group_labels: bool = True
    """Whether the token may create and edit group labels (a role in the group); False: a
    token with project access only, so GitLab drops missing labels given to an epic."""
    latency: float = 0.0
    """Seconds added to every request."""
    edition: str = "ee"
    state: State = field(default_factory=State)
    log: list[Logged] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    token: str = TOKEN
    flaky_every: int = 0
    """When set, every n-th request fails: 429 with Retry-After 0, and 502, in turn."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    errors: list[str] = field(default_factory=list)
    """Tracebacks of handler crashes (answered 500): an emulator bug, not a GitLab answer."""
    _served: int = 0

    running: ClassVar[list[FakeGitLab]] = []
    """Emulators serving now (tests find the one behind a URL)."""

    def __post_init__(self) -> None:
        if self.tier not in ("free", "premium") or self.edition not in ("ee", "ce"):
            raise ValueError(f"tier {self.tier!r}, edition {self.edition!r}")
        self.state.tier, self.state.edition = self.tier, self.edition
        self.state.manage_group_labels = self.manage_group_labels
        self.url = self._listen(_handler(self))
        self._server.handle_error = _quiet_reset(self._server.handle_error)  # type: ignore[method-assign]
        self.state.base_url = self.url
        self.user = self.state.add_user("sop-sync-bot", "sop-sync", token=self.token)
        if self.admin:
            self.state.admins.add(self.user["username"])

    # --- seeding (under the lock: safe while serving) ------------------------------------

    def add_user(self, username: str, name: str | None = None, token: str | None = None) -> Json:
        """A user; with ``token``, one that can authenticate (not an administrator)."""
        with self.lock:
            return self.state.add_user(username, name, token)

    def add_group(self, path: str) -> Json:
        """A group (and its parents)."""
        with self.lock:
            return self.state.add_group(path)

    def add_project(
        self, path_with_namespace: str, visibility: str = "private", license: str | None = None
    ) -> Json:
        """A project (its group made as needed); ``license`` is a key such as ``mit``."""
        with self.lock:
            return self.state.add_project(path_with_namespace, visibility, license)

    def add_file(self, project: str, path: str, content: bytes | str) -> None:
        """A file on ``project``'s default branch."""
        with self.lock:
            self.state.add_file(self._project(project), path, content)

    def add_merge_request(
        self, project: str, title: str, description: str = "", closes: tuple[int, ...] = ()
    ) -> Json:
        """A merge request that closes the issues ``closes`` (iids) when merged."""
        with self.lock:
            mr = self.state.add_merge_request(self._project(project), title, description, closes)
            webhooks.merge_request_saved(self.state, mr, self.user)  # as if the bot opened it
            return mr

    def add_note(self, project: str, iid: int, body: str, author: str) -> Json:
        """A comment on issue ``iid`` by ``author`` (a username), as if they had posted it."""
        with self.lock:
            user = self.state.users[author]
            note = self.state.add_note(("issue", self._project(project)["id"], iid), body, user)
            webhooks.note_saved(self.state, note, user)
            return note

    @property
    def webhooks(self) -> Outbox:
        """The webhooks sent to the project hooks (``flush``, ``deliveries``, ``redeliver``)."""
        with self.lock:
            return webhooks.outbox(self.state)

    def _project(self, ref: str) -> Json:
        found = self.state.project(ref)
        if found is None:
            raise KeyError(f"no project {ref!r}")
        return found

    # --- faults and the request log ------------------------------------------------------

    def inject(
        self,
        status: int,
        times: int = 1,
        retry_after: int | str | None = None,
        path_prefix: str | None = None,
        method: str | None = None,
        *,
        path_contains: str | None = None,
        body: str | Json | None = None,
        after: bool = False,
        reset: bool = False,
        hang: float = 0.0,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        429 answers as GitLab's rate limiter does (text "Retry later", ``Retry-After`` when
        given); 502/503/504 with an HTML page as the proxy in front of GitLab does; other
        statuses with GitLab's JSON ``{"message": "500 Internal Server Error"}``. ``body``
        overrides: a string is sent as HTML, a dict as JSON. ``after``, ``reset``, ``hang``: see
        :class:`Fault`.
        """
        fault = Fault(
            status, times, retry_after, path_prefix, path_contains, method, body, after, reset, hang
        )
        with self.lock:
            self.faults.append(fault)

    @property
    def requests(self) -> list[Logged]:
        """The request log so far, as ``(method, path, query, status)`` tuples."""
        with self.lock:
            return list(self.log)

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """Requests served, optionally only those of ``method`` whose path has the text."""
        return sum(
            1
            for entry in self.requests
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
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    # --- one request ---------------------------------------------------------------------

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, raw: bytes
    ) -> Reply:
        """Status, payload and headers for one request (``str`` payloads are sent as HTML)."""
        fault = self._fault(method, path)
        if fault is not None and not fault.after:
            return self._fault_reply(fault, method, path)
        reply = self._route(method, path, query, headers, raw)
        if fault is not None:  # done, and the answer lost on the way back
            return self._fault_reply(fault, method, path)
        return reply

    def _fault_reply(self, fault: Fault, method: str, path: str) -> Reply:
        if fault.hang:
            time.sleep(fault.hang)
        if fault.reset:
            with self.lock:
                self.log.append(Logged(method, path, "", 0))
            raise ResetConnection
        return _fault_reply(fault)

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, raw: bytes
    ) -> Reply:
        if not path.startswith("/api/v4/"):
            return 404, {"error": "404 Not Found"}, {}
        route = path.removeprefix("/api/v4")
        found = [(verb, m, h) for verb, rx, h in _COMPILED if (m := rx.fullmatch(route))]
        chosen = next(((m, h) for verb, m, h in found if verb == method), None)
        if chosen is None:
            return (
                (405, {"error": "405 Not Allowed"}, {})
                if found
                else (404, {"error": "404 Not Found"}, {})
            )
        token = headers.get("PRIVATE-TOKEN") or (headers.get("Authorization") or "").removeprefix(
            "Bearer "
        )
        with self.lock:
            user = self.state.users.get(self.state.tokens.get(token, ""))
            if user is None:
                return 401, {"message": "401 Unauthorized"}, {}
            # doc/api/rest/authentication.md "Sudo": a header or a `sudo` parameter, for an
            # administrator's token only (lib/api/helpers.rb #sudo!: forbidden! otherwise)
            sudo = headers.get("Sudo") or (query.get("sudo") or [""])[0]
            if sudo and user["username"] not in self.state.admins:
                return 403, {"message": "403 Forbidden - Must be admin to use sudo"}, {}
            if sudo:
                user = self.state.user(sudo)
                if user is None:
                    message = f"404 User with ID or username '{sudo}' Not Found"
                    return 404, {"message": message}, {}
            body, files = parse_body(headers.get("Content-Type") or "", raw)
            match, handler = chosen
            call = Call(self.state, match, query, body, user, files)
            try:
                status, payload = handler(call)
            except ApiError as error:
                return error.status, error.payload, {}
            except Exception:  # an emulator bug: answer as GitLab would, keep the trace
                self.errors.append(traceback.format_exc())
                return 500, {"message": "500 Internal Server Error"}, {}
        if method == "GET" and isinstance(payload, list):
            payload, pages = paginate(payload, query, self.url + path)
            return status, payload, pages
        return status, payload, {}


def _fault_reply(fault: Fault) -> Reply:
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
        if isinstance(fault.retry_after, int):
            headers["RateLimit-Reset"] = str(int(time.time()) + fault.retry_after)
    if fault.body is not None:
        return fault.status, fault.body, headers
    if fault.status == 429:  # Rack::Attack's throttled response (lib/gitlab/rack_attack.rb)
        return 429, "Retry later\n", headers | {"Content-Type": "text/plain"}
    if fault.status in (502, 503, 504):
        return fault.status, BAD_GATEWAY_PAGE.replace("502", str(fault.status)), headers
    phrase = HTTPStatus(fault.status).phrase
    return fault.status, {"message": f"{fault.status} {phrase}"}, headers


def _handler(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    def note(method: str, path: str, query: str, status: int) -> None:
        with fake.lock:
            fake.log.append(Logged(method, path, query, status))

    return handler_class(fake.answer, note, lambda: fake.latency)


class ResetConnection(Exception):  # noqa: N818 - an instruction to the server, not an error
    """Raised by :meth:`FakeGitLab.answer`: close the connection without an answer."""


def _quiet_reset(handle_error: Any) -> Any:
    """The server's error handler, closing a :class:`ResetConnection` with a TCP reset."""

    def handle(request: socket.socket, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return  # the client gave up waiting (its read timeout): nothing to report
        if isinstance(sys.exc_info()[1], ResetConnection):
            # SO_LINGER 0: close() sends RST, as a proxy dropping the connection does
            request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        handle_error(request, client_address)

    return handle


@contextmanager
def silent_host() -> Iterator[str]:
    """The URL of a host that accepts connections and never answers (a hung GitLab)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)  # the kernel completes the handshakes; nobody reads
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def refused_url() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
