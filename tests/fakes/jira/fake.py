"""``FakeJira``: start the emulator, seed it, bend it, and count what clients asked.

    with FakeJira(flavour="cloud") as fake:        # or flavour="dc"
        fake.add_project("APL")
        client = jira.JIRA(fake.url, basic_auth=(fake.email, fake.token))   # Cloud
        client = jira.JIRA(fake.url, token_auth=fake.token)                 # DC

Test hooks: a request log (logged before the answer goes out), ``fail_next`` (429 with
``Retry-After``, 5xx), ``flaky_every`` (every n-th request 429 then 503, both ``Retry-After:
0``, in turn), ``latency``; other people (``add_user`` with a token, or ``comment_as`` and
``transition_as`` straight on the state); ``deny`` a permission; knobs for a project without
Epic, a site without the Blocks link type, a workflow without a way to done; ``clock`` to fix
the time, ``max_results`` for the search page limit; ``issue(key)`` for the stored record.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import ClassVar, NamedTuple

from tests.fakes.delivery import Outbox
from tests.fakes.http import Loopback
from tests.fakes.jira import webhooks
from tests.fakes.jira.api import Json
from tests.fakes.jira.catalog import PERMISSIONS, STATUSES, WORKFLOWS
from tests.fakes.jira.render import text_to_adf
from tests.fakes.jira.server import Reply, make_handler
from tests.fakes.jira.state import State, utc_now

TOKEN = "jira-test-token"
EMAIL = "sop-sync@example.go.id"


@dataclass
class Fault:
    """The next ``times`` matching requests answer ``status``."""

    status: int
    times: int
    retry_after: int | None = None
    path_contains: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault takes the request."""
        return (
            self.times > 0
            and self.method in (None, method)
            and (self.path_contains is None or self.path_contains in path)
        )

    def reply(self) -> Reply:
        """Jira's answer: 429 from the rate limiter, else an ErrorCollection."""
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        if self.status == 429:  # Cloud "Rate limiting": Retry-After and X-RateLimit-* headers
            headers |= {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}
        message = HTTPStatus(self.status).phrase
        return self.status, {"errorMessages": [message], "errors": {}}, headers


class Logged(NamedTuple):
    """One request as served: ``(method, path, query, status)``."""

    method: str
    path: str
    query: str
    status: int


@dataclass(eq=False)  # identity: one emulator is one server
class FakeJira(Loopback):
    """The emulator; all state sits behind ``lock`` (handlers run under it)."""

    flavour: str = "cloud"
    latency: float = 0.0
    """Seconds added to every request."""
    flaky_every: int = 0
    """When set, every n-th request fails: 429 then 503, both with ``Retry-After: 0``."""
    workflow: str = "simplified"
    """``simplified`` (global transitions, ids 11/21/31) or ``stepwise`` (To Do -> In
    Progress -> Done, Stop Progress and Reopen back)."""
    clock: Callable[[], dt.datetime] = utc_now
    """Where timestamps (created, updated, changelog) come from: tests may fix the time."""
    log: list[Logged] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Tracebacks of handler crashes (answered 500): emulator bugs, not Jira answers."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    _served: int = 0

    running: ClassVar[list[FakeJira]] = []
    """Emulators serving now (tests find the one behind a URL)."""

    def __post_init__(self) -> None:
        if self.flavour not in ("cloud", "dc") or self.workflow not in WORKFLOWS:
            raise ValueError(f"flavour {self.flavour!r}, workflow {self.workflow!r}")
        self.state = State(flavour=self.flavour, clock=self.clock)
        self.state.workflow = [dict(t) for t in WORKFLOWS[self.workflow]]
        self.state.max_results = 100 if self.flavour == "cloud" else 1000
        self.url = self._listen(make_handler(self))
        self.state.base_url = self.url
        self.user = self.state.add_user("sop-sync-bot", "SOP Sync", EMAIL, TOKEN)

    @property
    def email(self) -> str:
        """The bot's email: the Basic auth login on Cloud."""
        return EMAIL

    @property
    def token(self) -> str:
        """The bot's API token (Cloud) / personal access token (DC)."""
        return TOKEN

    @property
    def max_results(self) -> int:
        """Most issues one search page holds (Cloud: 100 with fields; DC: 1000)."""
        return self.state.max_results

    @max_results.setter
    def max_results(self, value: int) -> None:
        with self.lock:
            self.state.max_results = value

    # --- seeding and knobs (under the lock: safe while serving) ---------------------------

    def add_user(
        self,
        name: str,
        display_name: str | None = None,
        email: str | None = None,
        token: str | None = None,
    ) -> Json:
        """A person; with ``token`` one who can call the API (Cloud: ``email`` + token)."""
        with self.lock:
            return self.state.add_user(name, display_name, email, token)

    def add_project(self, key: str, name: str | None = None, *, epic: bool = True) -> Json:
        """A software project led by the bot; ``epic=False``: the Epic type is missing."""
        with self.lock:
            return self.state.add_project(key, name, self.user, epic=epic)

    def remove_link_type(self, name: str) -> None:
        """Drop a link type (e.g. "Blocks") from the site."""
        with self.lock:
            self.state.link_types = [t for t in self.state.link_types if t["name"] != name]

    def without_done_transitions(self) -> None:
        """Leave the workflow with no transition into a done status."""
        with self.lock:
            self.state.workflow = [
                t for t in self.state.workflow if STATUSES[t["to"]]["category"] != "done"
            ]

    def deny(self, permission: str, user: str | None = None) -> None:
        """Refuse ``permission`` to ``user`` (a name, account id or email) or to everyone."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}; one of {PERMISSIONS}")
        with self.lock:
            self.state.denied.add((permission, self._who(user)))

    def allow(self, permission: str, user: str | None = None) -> None:
        """Undo :meth:`deny`."""
        with self.lock:
            self.state.denied.discard((permission, self._who(user)))

    def _who(self, user: str | None) -> str | None:
        if user is None:
            return None
        found = self.state.user(user)
        if found is None:
            raise KeyError(f"no user {user!r}")
        return str(found["id"])

    def issue(self, key: str) -> Json:
        """The stored record of an issue (for assertions on what a client wrote)."""
        with self.lock:
            found = self.state.issue(key)
            if found is None:
                raise KeyError(f"no issue {key!r}")
            return found

    def comment_as(self, user: str, key: str, body: str | Json) -> Json:
        """A comment by ``user`` as if they had posted it (Cloud stores ADF, DC wiki text)."""
        with self.lock:
            author, issue = self.state.user(user), self.issue(key)
            if author is None:
                raise KeyError(f"no user {user!r}")
            text = text_to_adf(body) if self.state.cloud and isinstance(body, str) else body
            comment = self.state.add_comment(issue, author, text)
            webhooks.comment_created(self.state, issue, comment, author)
            return comment

    def transition_as(self, user: str, key: str, status: str) -> None:
        """Move an issue to the status named ``status`` as ``user`` did (workflow bypassed)."""
        with self.lock:
            actor, issue = self.state.user(user), self.issue(key)
            target = next((sid for sid, s in STATUSES.items() if s["name"] == status), None)
            if actor is None or target is None:
                raise KeyError(f"no user {user!r} or status {status!r}")
            self.state.move(issue, target, actor)
            webhooks.transitioned(self.state, issue, actor)

    @property
    def webhooks(self) -> Outbox:
        """The webhooks sent to the registered admin webhooks (``flush``, ``redeliver``)."""
        with self.lock:
            return webhooks.outbox(self.state)

    # --- faults and the request log --------------------------------------------------------

    def fail_next(
        self,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        *,
        path_contains: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``."""
        with self.lock:
            self.faults.append(Fault(status, count, retry_after, path_contains, method))

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The fault this request meets, if any (and count the request for flaky mode)."""
        with self.lock:
            self._served += 1
            if self.flaky_every and self._served % self.flaky_every == 0:
                turn = self._served // self.flaky_every
                return Fault(429 if turn % 2 else 503, 0, retry_after=0)
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def note(self, method: str, path: str, query: str, status: int) -> None:
        """Log one request (called before its answer is sent: counts never lag)."""
        with self.lock:
            self.log.append(Logged(method, path, query, status))

    @property
    def requests(self) -> list[Logged]:
        """The request log so far."""
        with self.lock:
            return list(self.log)

    def count(
        self,
        method: str | None = None,
        path_contains: str | None = None,
        status: int | None = None,
    ) -> int:
        """Requests served, optionally only of ``method``, path text and ``status``."""
        return sum(
            1
            for e in self.requests
            if method in (None, e.method)
            and (path_contains is None or path_contains in e.path)
            and status in (None, e.status)
        )

    def reset_log(self) -> None:
        """Forget the requests served so far."""
        with self.lock:
            self.log.clear()
