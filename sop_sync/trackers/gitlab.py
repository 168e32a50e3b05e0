"""The GitLab tracker, through python-gitlab (REST v4), on Free and on Premium.

Mapping (DESIGN.md "Tracker mapping"): a request is a group epic (Premium, ``hierarchy:
epic``) or a parent issue labelled ``permohonan`` (any tier, ``hierarchy: issue``); each step
is a project issue carrying the hidden marker at the end of its description. Owned objects
are found with paginated list calls filtered by label, cached for the run and kept current
from the API's own answers, so reconciling many requests costs about ceil(issues / 100)
list calls. Ordering links cannot be listed in bulk: the epic's marker records the links
sop-sync confirmed (``tautan``), so reconciling needs no per-issue link reads.
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import gitlab
import requests
from gitlab.exceptions import GitlabError

from sop_sync.changes import Change, Ref
from sop_sync.errors import TrackerError
from sop_sync.evidence import RepoState, RepoStatus
from sop_sync.gate import key_from_description
from sop_sync.labels import REQUEST
from sop_sync.licences import osi_approved
from sop_sync.plan import LINKS_KEY, parse_links
from sop_sync.trackers.base import (
    Attachment,
    Capabilities,
    Event,
    Hierarchy,
    Issue,
    Label,
    Milestone,
    Note,
    ObservedRequest,
    RequestSummary,
    State,
)
from sop_sync.trackers.marker import Marker, split, upload_links

PER_PAGE = 100


def _date(text: object) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None


def _moment(text: object) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


@dataclass
class Owned:
    """One object sop-sync owns, as last seen: GitLab's attributes and the parsed marker."""

    attrs: dict[str, Any]
    marker: Marker
    epic: bool = False
    """True for a group epic (Premium); the Free parent issue is a plain issue."""


@dataclass
class Cache:
    """What this run has read from GitLab, updated from the answers of its own writes."""

    labels: dict[str, Label] | None = None
    milestones: dict[str, dict[str, Any]] | None = None
    requests: dict[str, Owned] | None = None
    steps: dict[str, dict[str, dict[int, Owned]]] = field(default_factory=dict)
    """SOP id -> request key -> step -> issue."""
    users: dict[str, int] = field(default_factory=dict)
    confirmed_links: dict[str, set[tuple[int, int]]] = field(default_factory=dict)


class GitLabTracker:
    """The tracker protocol on one GitLab project (and its group, for epics)."""

    def __init__(
        self,
        client: gitlab.Gitlab,
        project: str,
        *,
        group: str | None = None,
        hierarchy: str = "auto",
        workers: int = 32,
        trusted_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.gl = client
        self.trusted_hosts = trusted_hosts
        # one pooled connection per parallel write (requests keeps 10 by default)
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=workers)
        client.session.mount("http://", adapter)
        client.session.mount("https://", adapter)
        self.lock = threading.RLock()
        self.cache = Cache()
        self.group = client.groups.get(group, lazy=True) if group else None
        # Everything a run reads first, in one round trip: the project, whether epics exist
        # (on Premium the probe is the listing of requests), the labels and milestones.
        self.project = client.projects.get(project, lazy=True)  # by path until opened
        with ThreadPoolExecutor(4) as pool:
            opening = pool.submit(
                self.call, f"opening project {project!r}", lambda: client.projects.get(project)
            )
            probing = pool.submit(self._capabilities, hierarchy, workers)
            labels = pool.submit(self._fetch_labels)
            milestones = pool.submit(self._fetch_milestones)
            self.project = opening.result()  # its error first: it says the most
            self._caps, self.cache.requests = probing.result()
            self.cache.labels = labels.result()
            self.cache.milestones = milestones.result()

    # --- errors at the boundary ---------------------------------------------------------

    def call(self, doing: str, action: Callable[[], Any]) -> Any:
        """Run one python-gitlab call; GitLab errors become one-line tracker errors."""
        try:
            return action()
        except GitlabError as error:
            raise TrackerError(explain(doing, error)) from None
        except requests.exceptions.RequestException as error:
            raise TrackerError(
                f"GitLab: {doing}: cannot reach {self.gl.url} ({type(error).__name__})"
            ) from None

    def _capabilities(
        self, hierarchy: str, workers: int
    ) -> tuple[Capabilities, dict[str, Owned] | None]:
        """What the instance offers; on Premium, the requests found while probing for epics."""
        premium = False
        found: dict[str, Owned] | None = None
        group = self.group
        if group is not None and hierarchy in ("auto", "epic"):
            try:
                found = self._epic_requests(group)
                premium = True
            except TrackerError as error:
                if hierarchy == "epic":
                    raise TrackerError(
                        f"{error.message}; epics need GitLab Premium: "
                        "set `tracker.hierarchy: issue`"
                    ) from None
        elif hierarchy == "epic":
            raise TrackerError(
                "GitLab epics need a group: set `tracker.group` (or use `hierarchy: issue`)"
            )
        capabilities = Capabilities(
            hierarchy=Hierarchy.EPIC if premium else Hierarchy.ISSUE,
            blocking_links=premium,
            scoped_labels=premium,
            parallel_writes=workers,
        )
        return capabilities, found

    @property
    def capabilities(self) -> Capabilities:
        """Epics, blocking links and exclusive scoped labels only on Premium."""
        return self._caps

    def inspect_repository(self, url: str) -> RepoStatus:
        """A project on this GitLab: public, with an OSI-approved licence (GitLab's detection)."""
        base = urllib.parse.urlsplit(self.gl.url)
        parts = urllib.parse.urlsplit(url)
        if parts.hostname != base.hostname or parts.port != base.port:
            if parts.hostname in self.trusted_hosts:
                return RepoStatus(url, RepoState.OPEN, "host tepercaya")
            return RepoStatus(url, RepoState.UNVERIFIABLE, "bukan di GitLab yang terhubung")
        path = parts.path.strip("/").removesuffix(".git").split("/-/")[0]
        try:
            project = self.call(
                f"inspecting repository {path!r}",
                lambda: self.gl.projects.get(path, license=True),
            )
        except TrackerError as error:
            if "HTTP 404" in error.message:
                return RepoStatus(url, RepoState.MISSING, path)
            raise
        if project.attributes.get("visibility") != "public":
            return RepoStatus(url, RepoState.PRIVATE, project.attributes.get("visibility", ""))
        licence = (project.attributes.get("license") or {}).get("key")
        if not licence:
            return RepoStatus(url, RepoState.NO_LICENCE)
        if not osi_approved(licence):
            return RepoStatus(url, RepoState.NOT_OSI, licence)
        return RepoStatus(url, RepoState.OPEN, licence)

    def merge_request_key(self, project_id: str, iid: int) -> str | None:
        """The request a merge request names: its `SOP: <kunci>` line, else an issue it closes."""
        doing = f"reading merge request !{iid}"
        project = self.gl.projects.get(project_id, lazy=True)
        mr = self.call(doing, lambda: project.mergerequests.get(iid))
        key = key_from_description(mr.description)
        if key:
            return key
        for issue in self.call(doing, lambda: mr.closes_issues(get_all=True)):
            _, marker = split(issue.attributes.get("description"))
            if marker is not None:
                return marker.key
        return None

    def close(self) -> None:
        """Nothing to release: python-gitlab's session closes with the process."""

    # --- reading ------------------------------------------------------------------------

    def _list(self, doing: str, manager: Any, **filters: Any) -> list[dict[str, Any]]:
        """Every page of a list call; python-gitlab follows the Link headers."""
        objects = self.call(doing, lambda: manager.list(get_all=True, per_page=PER_PAGE, **filters))
        return [dict(obj.attributes) for obj in objects]

    def _fetch_requests(self) -> dict[str, Owned]:
        if self._caps.hierarchy is Hierarchy.EPIC and self.group is not None:
            return self._epic_requests(self.group)
        return self._owned_requests(self.project.issues, epic=False)

    def _epic_requests(self, group: Any) -> dict[str, Owned]:
        return self._owned_requests(group.epics, epic=True)

    def _owned_requests(self, manager: Any, *, epic: bool) -> dict[str, Owned]:
        found: dict[str, Owned] = {}
        for attrs in self._list("listing requests", manager, labels=[REQUEST], state="all"):
            _, marker = split(attrs.get("description"))
            if marker is not None and marker.step is None:
                found[marker.key] = Owned(attrs, marker, epic)
        return found

    def _fetch_steps(self, sop_id: str) -> dict[str, dict[int, Owned]]:
        grouped: dict[str, dict[int, Owned]] = {}
        label = f"sop::{sop_id}"
        for attrs in self._list(
            f"listing {label} issues", self.project.issues, labels=[label], state="all"
        ):
            _, marker = split(attrs.get("description"))
            if marker is not None and marker.step is not None:
                grouped.setdefault(marker.key, {})[marker.step] = Owned(attrs, marker)
        return grouped

    def _fetch_labels(self) -> dict[str, Label]:
        return {
            a["name"]: Label(a["name"], a["color"].upper(), a.get("description") or "")
            for a in self._list("listing labels", self.project.labels)
        }

    def _fetch_milestones(self) -> dict[str, dict[str, Any]]:
        return {
            a["title"]: a
            for a in self._list("listing milestones", self.project.milestones, state="all")
        }

    def _prefetch(self) -> None:
        """Fill the cold caches with their list calls in parallel (one round trip, not three)."""
        jobs: dict[str, Callable[[], Any]] = {}
        if self.cache.requests is None:
            jobs["requests"] = self._fetch_requests
        if self.cache.labels is None:
            jobs["labels"] = self._fetch_labels
        if self.cache.milestones is None:
            jobs["milestones"] = self._fetch_milestones
        if len(jobs) < 2:
            return
        with ThreadPoolExecutor(len(jobs)) as pool:
            results = dict(zip(jobs, pool.map(lambda job: job(), jobs.values()), strict=True))
        with self.lock:
            for name, value in results.items():
                if getattr(self.cache, name) is None:
                    setattr(self.cache, name, value)

    # Lazy loads happen under the lock: writes running in parallel must share one cache.

    def _requests(self) -> dict[str, Owned]:
        with self.lock:
            if self.cache.requests is None:
                self.cache.requests = self._fetch_requests()
            return self.cache.requests

    def _steps(self, sop_id: str) -> dict[str, dict[int, Owned]]:
        with self.lock:
            if sop_id not in self.cache.steps:
                self.cache.steps[sop_id] = self._fetch_steps(sop_id)
            return self.cache.steps[sop_id]

    def labels(self) -> dict[str, Label]:
        """Every project label."""
        with self.lock:
            if self.cache.labels is None:
                self.cache.labels = self._fetch_labels()
            return self.cache.labels

    def milestones(self) -> dict[str, dict[str, Any]]:
        """Every project milestone by title."""
        with self.lock:
            if self.cache.milestones is None:
                self.cache.milestones = self._fetch_milestones()
            return self.cache.milestones

    def requests(self) -> list[RequestSummary]:
        """Every request, from the epics' (or parent issues') markers."""
        return [
            RequestSummary(
                key, o.marker.sop, o.attrs["title"], _state(o.attrs), dict(o.marker.data)
            )
            for key, o in sorted(self._requests().items())
        ]

    def owned(self, ref: Ref) -> Owned | None:
        """The object behind a ref, from the run's cache."""
        epic = self._requests().get(ref.key)
        if ref.step is None or epic is None:
            return epic
        return self._steps(epic.marker.sop).get(ref.key, {}).get(ref.step)

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """The request's objects; notes and uploads only with ``history``."""
        self._prefetch()
        epic = self._requests().get(key)
        steps = self._steps(epic.marker.sop).get(key, {}) if epic else {}
        issues = {number: self._issue(o, history) for number, o in steps.items()}
        titles = {i.milestone for i in issues.values() if i.milestone}
        milestones = {
            title: _milestone(a)
            for title, a in self.milestones().items()
            if title in titles or title.startswith(f"{key} · ")
        }
        if history:
            links = self._links(steps)
        else:  # planning: the links the epic's marker records, plus those made this run
            recorded = parse_links(epic.marker.data.get(LINKS_KEY, "")) if epic else frozenset()
            links = recorded | frozenset(self.cache.confirmed_links.get(key, set()))
        return ObservedRequest(
            key=key,
            epic=self._issue(epic, history) if epic else None,
            steps=issues,
            labels=dict(self.labels()),
            milestones=milestones,
            links=links,
        )

    def _links(self, steps: dict[int, Owned]) -> frozenset[tuple[int, int]]:
        """Ordering links as GitLab has them (one list call per step issue)."""
        number_of = {o.attrs["iid"]: n for n, o in steps.items()}
        found: set[tuple[int, int]] = set()
        for number, owned in steps.items():
            doing = f"reading links of {owned.marker.ref.describe()}"
            for other in self._list(doing, self.handle(owned).links):
                target = number_of.get(other.get("iid"))
                if target is not None and target > number:  # ordering runs forward
                    found.add((number, target))
        return frozenset(found)

    def _issue(self, owned: Owned, history: bool) -> Issue:
        a = owned.attrs
        text, _ = split(a.get("description"))
        notes: tuple[Note, ...] = ()
        attachments: tuple[Attachment, ...] = ()
        events: tuple[Event, ...] = ()
        if history:
            notes = self._notes(owned)
            attachments = _attachments(a, text, notes)
            events = self._events(owned, notes)
        milestone = a.get("milestone") or None
        return Issue(
            ref=owned.marker.ref,
            tracker_id=str(a["iid"]),
            web_url=a.get("web_url", ""),
            title=a["title"],
            description=text,
            state=_state(a),
            labels=frozenset(a.get("labels") or ()),
            assignees=tuple(u["username"] for u in a.get("assignees") or ()),
            due=_date(a.get("due_date") or a.get("end_date")),
            milestone=milestone["title"] if milestone else None,
            data=dict(owned.marker.data),
            notes=notes,
            attachments=attachments,
            events=events,
        )

    def _notes(self, owned: Owned) -> tuple[Note, ...]:
        parent = self.handle(owned)
        found = self._list(
            f"reading notes of {owned.marker.ref.describe()}",
            parent.notes,
            sort="asc",
            order_by="created_at",
        )
        return tuple(
            Note(
                str(n["id"]),
                n["author"]["username"],
                n["body"],
                _moment(n["created_at"]),
                bool(n.get("system")),
            )
            for n in found
        )

    def _events(self, owned: Owned, notes: tuple[Note, ...]) -> tuple[Event, ...]:
        """One history from GitLab's records: creation, label and state events, comments."""
        a = owned.attrs
        author = (a.get("author") or {}).get("username", "")
        found = [Event(_moment(a["created_at"]), author, "created", a["title"])]
        found += [Event(n.created_at, n.author, "commented") for n in notes if not n.system]
        if not owned.epic:
            where = owned.marker.ref.describe()
            handle = self.handle(owned)
            created = _moment(a["created_at"])
            for e in self._list(f"reading label events of {where}", handle.resourcelabelevents):
                at = _moment(e["created_at"])
                by_author = e["user"]["username"] == author
                if e["action"] == "add" and by_author and abs((at - created).total_seconds()) < 1:
                    continue  # GitLab records the labels given at creation: part of "created"
                action = "labeled" if e["action"] == "add" else "unlabeled"
                name = (e.get("label") or {}).get("name", "")
                found.append(Event(at, e["user"]["username"], action, name))
            for e in self._list(f"reading state events of {where}", handle.resourcestateevents):
                action = "closed" if e["state"] == "closed" else "reopened"
                found.append(Event(_moment(e["created_at"]), e["user"]["username"], action))
        return tuple(sorted(found, key=lambda event: event.at))

    def handle(self, owned: Owned) -> Any:
        """A python-gitlab object for ``owned`` without a GET (``lazy``)."""
        if owned.epic:
            # epic notes are addressed by the epic's global id, so give the object its attributes
            epics = self.group.epics  # type: ignore[union-attr]
            return epics._obj_cls(epics, dict(owned.attrs))
        return self.project.issues.get(owned.attrs["iid"], lazy=True)

    # --- writing (handlers in sop_sync.trackers.gitlab_apply) ---------------------------

    def apply(self, change: Change, actor: str | None = None) -> None:
        """Carry out one change; with ``actor``, as that user (GitLab's ``Sudo``, admin only)."""
        from sop_sync.trackers.gitlab_apply import HANDLERS

        HANDLERS[type(change)](self, change, {"sudo": actor} if actor else {})

    def remember(self, owned: Owned) -> None:
        """Keep the run's cache current with an object GitLab just returned."""
        with self.lock:
            if owned.marker.step is None:
                self._requests()[owned.marker.key] = owned
            else:
                self._steps(owned.marker.sop).setdefault(owned.marker.key, {})[
                    owned.marker.step
                ] = owned

    def warm(self, sop_id: str, usernames: set[str]) -> None:
        """Load the step list of ``sop_id`` and the ids of ``usernames``, in parallel."""
        missing = sorted(name for name in usernames if name not in self.cache.users)
        with ThreadPoolExecutor(1 + min(len(missing), 8)) as pool:
            steps = pool.submit(self._steps, sop_id)
            found = list(pool.map(self._lookup_user, missing))
            steps.result()
        with self.lock:
            self.cache.users.update((n, i) for n, i in zip(missing, found, strict=True) if i)

    def _lookup_user(self, username: str) -> int | None:
        users = self.call(
            f"looking up user {username!r}",
            lambda: self.gl.users.list(username=username, get_all=False),
        )
        return int(users[0].id) if users else None

    def user_id(self, username: str) -> int:
        """A user's id, looked up once per run."""
        with self.lock:
            return self._user_id(username)

    def _user_id(self, username: str) -> int:
        if username not in self.cache.users:
            found = self._lookup_user(username)
            if found is None:
                raise TrackerError(f"GitLab: no user {username!r} (used in --peran or people)")
            self.cache.users[username] = found
        return self.cache.users[username]


def _state(attrs: dict[str, Any]) -> State:
    return State.CLOSED if attrs.get("state") == "closed" else State.OPEN


def _milestone(a: dict[str, Any]) -> Milestone:
    return Milestone(
        a["title"], _date(a.get("start_date")), _date(a.get("due_date")), a.get("description") or ""
    )


def _attachments(
    attrs: dict[str, Any], text: str, notes: tuple[Note, ...]
) -> tuple[Attachment, ...]:
    """Uploads linked in the description (by the issue's author) and in notes (by their authors)."""
    author = (attrs.get("author") or {}).get("username", "")
    created = _moment(attrs.get("created_at") or "1970-01-01T00:00:00Z")
    found = [(name, url, author, created) for name, url in upload_links(text)]
    for note in notes:
        found += [
            (name, url, note.author, note.created_at) for name, url in upload_links(note.body)
        ]
    return tuple(Attachment(url, name, url, by, at) for name, url, by, at in found)


def explain(doing: str, error: GitlabError) -> str:
    """One line for a person: what was being done, the HTTP status, what to do."""
    code = error.response_code
    message = str(error.error_message).strip() or type(error).__name__
    hints = {
        401: "GitLab refused the token: check SOP_SYNC_GITLAB_TOKEN "
        "(or the python-gitlab configuration section)",
        403: "the token lacks permission for this",
        404: "not found (check the project/group path and that the token can see it)",
        429: "GitLab's rate limit is exhausted even after retries; try again later",
    }
    hint = hints.get(code or 0)
    return f"GitLab: {doing}: HTTP {code}: {message}" + (f" — {hint}" if hint else "")
