"""One run's session with Jira: the client, the project, and what this run has read.

Readers (:mod:`.read`, :mod:`.history`) and writers (:mod:`.write`, :mod:`.create`) take
the session; nothing else holds the library's client. Owned issues are found with JQL
searches on the marker labels asking only for the fields planning needs, with the marker
property (``properties=sop-sync``), paginated the way each flavour pages: Cloud's
``/search/jql`` by ``nextPageToken`` (its old ``/search`` answers 410), DC's ``/search`` by
``startAt`` (pages after the first fetched side by side). ``requests()`` loads every owned
issue of the project at once, so reconciling N requests costs ceil(issues / page) searches;
``observe`` of a single request costs one search for that request's label. The cache is kept
current from the run's own writes, so planning never reads an issue one by one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import jira

from sop_sync.errors import TrackerError
from sop_sync.model.changes import Ref
from sop_sync.model.tracker import Capabilities, Hierarchy, Markup
from sop_sync.trackers.jira import meta
from sop_sync.trackers.jira.bulk import LIMIT, Batcher, Send
from sop_sync.trackers.jira.marker import OWNED_LABEL, Marker, of_issue, request_label
from sop_sync.trackers.jira.people import People
from sop_sync.trackers.jira.rest import Rest, guarded
from sop_sync.trackers.jira.search import pages

PLAN_FIELDS = (
    "summary", "description", "status", "labels", "assignee", "duedate", "fixVersions",
    "issuetype", "issuelinks",
)  # fmt: skip
HISTORY_FIELDS = (*PLAN_FIELDS, "created", "creator", "reporter", "comment", "attachment")
T = TypeVar("T")
PersonClient = Callable[[str], jira.JIRA]
"""A client authenticated as the person named (tests act as people through it)."""


@dataclass
class Owned:
    """An issue sop-sync owns, as last seen: Jira's ``{id, key, fields}`` and the marker."""

    raw: dict[str, Any]
    marker: Marker

    @property
    def key(self) -> str:
        """The issue key (``APL-7``)."""
        return str(self.raw["key"])

    @property
    def fields(self) -> dict[str, Any]:
        """Jira's fields of the issue."""
        fields: dict[str, Any] = self.raw.setdefault("fields", {})
        return fields


@dataclass
class Cache:
    """What this run has read, updated from the answers of its own writes."""

    issues: dict[Ref, Owned] = field(default_factory=dict)
    complete: bool = False
    loaded: set[str] = field(default_factory=set)
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    transitions: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)
    statuses: dict[str, str] | None = None
    me: dict[str, Any] | None = None


class JiraSession:
    """A ``jira`` client on one project, with the run's cache."""

    def __init__(
        self,
        client: jira.JIRA,
        project: str,
        *,
        flavour: str = "auto",
        workers: int = 16,
        epic_type: str | None = None,
        step_type: str | None = None,
        accounts: dict[str, str] | None = None,
        person_client: PersonClient | None = None,
        linger: float = 0.005,
    ) -> None:
        self.client = client
        self.server = client.server_url
        self.gate = threading.BoundedSemaphore(workers)
        self.rest = Rest(client, self.gate)
        self.lock = threading.RLock()
        self.cache = Cache()
        self.names = (epic_type, step_type)
        self.person_client = person_client
        self.linger = linger
        self.writers: dict[str, Rest] = {}
        self.batchers: dict[int, Batcher] = {}
        self.pool = ThreadPoolExecutor(max(workers, 4), thread_name_prefix="jira")
        self._epic_fields: Future[meta.EpicFields] | None = None
        # the first reads in one round trip: the server's flavour, the project, its versions
        info = None
        if flavour == "auto":
            info = self.pool.submit(self.call, "reading serverInfo", client.server_info)
        opening = self.pool.submit(
            self.call, f"opening project {project!r}", lambda: self.rest.get(f"project/{project}")
        )
        versions = self.pool.submit(
            self.call, "listing versions", lambda: self.rest.get(f"project/{project}/versions")
        )
        cloud = flavour == "cloud"
        if info is not None:
            server = info.result()
            cloud = server.get("deploymentType") == "Cloud"
            client.deploymentType = server.get("deploymentType")
        self.cloud = cloud
        self.project = meta.Project.of(opening.result(), cloud)
        self.cache.versions = {str(v["name"]): v for v in versions.result()}
        self.people = People(cloud, self._lookup, accounts)
        self.capabilities = Capabilities(
            hierarchy=Hierarchy.EPIC,
            blocking_links=True,
            scoped_labels=False,
            label_spaces=False,
            label_definitions=False,
            markup=Markup.JIRA_WIKI,
            parallel_writes=LIMIT,  # threads; requests in flight stay within ``workers``
        )

    # --- calls --------------------------------------------------------------------------

    def call(self, doing: str, action: Callable[[], T]) -> T:
        """One call through the boundary (errors become one-line tracker errors)."""
        result: T = guarded(doing, action, self.server)
        return result

    def web_url(self, key: str) -> str:
        """The issue's page."""
        return f"{self.server}/browse/{key}"

    def writer(self, person: str | None) -> Rest:
        """Where writes go: the run's account, or a person's (tests act as people)."""
        if person is None:
            return self.rest
        with self.lock:
            if person not in self.writers:
                if self.person_client is None:
                    raise TrackerError(
                        "Jira cannot act as another person (no impersonation in Jira's API)"
                    )
                self.writers[person] = Rest(self.person_client(person), self.gate)
            return self.writers[person]

    def batcher(self, rest: Rest, send: Send) -> Batcher:
        """The bulk creator of one writer (``send`` makes one bulk call)."""
        with self.lock:
            if id(rest) not in self.batchers:
                self.batchers[id(rest)] = Batcher(send, self.linger)
            return self.batchers[id(rest)]

    # --- metadata -----------------------------------------------------------------------

    def epic_type(self) -> dict[str, Any]:
        """The request's issue type (an error naming what to change when there is none)."""
        return self.project.require_epic_type(self.names[0])

    def step_type(self) -> dict[str, Any]:
        """The steps' issue type."""
        return self.project.require_step_type(self.names[1])

    def prepare_epic(self) -> None:
        """Start reading the epic fields now (a request is about to be created)."""
        with self.lock:
            if self._epic_fields is None:
                self._epic_fields = self.pool.submit(self._read_epic_fields)

    def epic_fields(self) -> meta.EpicFields:
        """Epic Name and Epic Link field ids (read once)."""
        self.prepare_epic()
        assert self._epic_fields is not None  # noqa: S101 - set by prepare_epic
        return self._epic_fields.result()

    def _read_epic_fields(self) -> meta.EpicFields:
        if not self.cloud:
            return meta.epic_fields_of_site(
                self.call("reading fields", lambda: self.rest.get("field"))
            )
        kind = self.epic_type()
        path = f"issue/createmeta/{self.project.key}/issuetypes/{kind['id']}"
        return meta.epic_name_on_screen(
            self.call("reading the Epic create screen", lambda: self.rest.get(path, maxResults=200))
        )

    def statuses(self) -> dict[str, str]:
        """Status id -> category key (read once, when history is read)."""
        with self.lock:
            if self.cache.statuses is None:
                found = self.call("listing statuses", lambda: self.rest.get("status"))
                self.cache.statuses = meta.categories(found)
            return self.cache.statuses

    def me(self) -> dict[str, Any]:
        """The run's own account (to trust reply markers only on its own comments)."""
        with self.lock:
            if self.cache.me is None:
                self.cache.me = self.call("reading the account", lambda: self.rest.get("myself"))
            return self.cache.me

    def _lookup(self, query: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.call(
            f"looking up user {query!r}", lambda: self.rest.get("user/search", query=query)
        )
        return found

    # --- searches -----------------------------------------------------------------------

    def search(
        self, jql: str, fields: tuple[str, ...], expand: str | None = None
    ) -> list[dict[str, Any]]:
        """Every issue ``jql`` finds, page after page, with ``fields`` and the marker."""
        return pages(self.call, self.rest, self.pool, self.cloud, jql, fields, expand)

    def merge(self, raws: list[dict[str, Any]], key: str | None = None) -> None:
        """Keep found issues (one per marker: the oldest); drop those of ``key`` not found."""
        found: dict[Ref, Owned] = {}
        for raw in sorted(raws, key=lambda r: int(r["id"])):
            marker = of_issue(raw)
            if marker is not None and marker.ref not in found:
                found[marker.ref] = Owned(raw, marker)
        with self.lock:
            if key is not None:
                for ref in [r for r in self.cache.issues if r.key == key and r not in found]:
                    del self.cache.issues[ref]
            self.cache.issues.update(found)

    def load_all(self) -> None:
        """Every owned issue of the project (once per run)."""
        with self.lock:
            if self.cache.complete:
                return
        jql = f'project = "{self.project.key}" AND labels = "{OWNED_LABEL}" ORDER BY key ASC'
        self.merge(self.search(jql, PLAN_FIELDS))
        with self.lock:
            self.cache.complete = True

    def load_request(self, key: str, *, history: bool = False) -> None:
        """One request's issues (with history: every field and the changelog, fresh)."""
        with self.lock:
            if not history and (self.cache.complete or key in self.cache.loaded):
                return
        jql = f'project = "{self.project.key}" AND labels = "{request_label(key)}" ORDER BY key ASC'
        fields, expand = (HISTORY_FIELDS, "changelog") if history else (PLAN_FIELDS, None)
        raws = [r for r in self.search(jql, fields, expand) if (m := of_issue(r)) and m.key == key]
        self.merge(raws, key)
        with self.lock:
            self.cache.loaded.add(key)

    def issues_of(self, key: str) -> dict[int | None, Owned]:
        """The request's epic (None) and steps, by step number."""
        self.load_request(key)
        with self.lock:
            return {ref.step: o for ref, o in self.cache.issues.items() if ref.key == key}

    def owned(self, ref: Ref) -> Owned | None:
        """The issue behind a ref."""
        return self.issues_of(ref.key).get(ref.step)

    def remember(self, owned: Owned) -> None:
        """Keep the cache current with an issue this run wrote."""
        with self.lock:
            self.cache.issues[owned.marker.ref] = owned

    def versions(self) -> dict[str, dict[str, Any]]:
        """The project's versions by name (read when the session opened)."""
        with self.lock:
            return self.cache.versions

    def close(self) -> None:
        """Stop the worker threads."""
        self.pool.shutdown(wait=False)


@dataclass(frozen=True)
class Write:
    """What a write handler works with: the session, where writes go, and whose they are.

    ``person`` is None for the run's own account; tests act as people through their clients.
    """

    session: JiraSession
    rest: Rest
    person: str | None = None
