"""One run's session with GitLab: the client, the project and group, and what was read.

Readers (:mod:`.read`) and writers (:mod:`.write`) take the session; nothing else holds
python-gitlab objects. MarkedIssue objects are found with paginated list calls filtered by label,
cached for the run and kept current from the API's own answers, so reconciling many requests
costs about ceil(issues / 100) list calls. Lazy loads happen under the lock: writes running in
parallel share one cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import gitlab
import requests
from gitlab.exceptions import GitlabError

from sop_sync.errors import TrackerError
from sop_sync.model.changes import Label, Ref
from sop_sync.model.labels import REQUEST
from sop_sync.model.tracker import Capabilities, Hierarchy
from sop_sync.trackers.gitlab.marker import Marker, split

PER_PAGE = 100


@dataclass
class MarkedIssue:
    """An epic or issue sop-sync owns, as last seen: GitLab's attributes and its marker."""

    attrs: dict[str, Any]
    marker: Marker
    epic: bool = False
    """True for a group epic (Premium); the Free parent issue is a plain issue."""


@dataclass
class Cache:
    """What this run has read from GitLab, updated from the answers of its own writes."""

    labels: dict[str, Label] | None = None
    milestones: dict[str, dict[str, Any]] | None = None
    requests: dict[str, MarkedIssue] | None = None
    steps: dict[str, dict[str, dict[int, MarkedIssue]]] = field(default_factory=dict)
    """SOP id -> request key -> step -> issue."""
    users: dict[str, int] = field(default_factory=dict)
    confirmed_links: dict[str, set[tuple[int, int]]] = field(default_factory=dict)


class GitLabSession:
    """A python-gitlab client on one project (and its group, for epics), with the run's cache."""

    def __init__(
        self,
        client: gitlab.Gitlab,
        project: str,
        *,
        group: str | None = None,
        hierarchy: str = "auto",
        workers: int = 32,
    ) -> None:
        self.gl = client
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
            self.capabilities, self.cache.requests = probing.result()
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
    ) -> tuple[Capabilities, dict[str, MarkedIssue] | None]:
        """What the instance offers; on Premium, the requests found while probing for epics."""
        premium = False
        found: dict[str, MarkedIssue] | None = None
        group = self.group
        if group is not None and hierarchy in ("auto", "epic"):
            try:
                found = self._owned_requests(group.epics, epic=True)
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

    # --- list calls ---------------------------------------------------------------------

    def list(self, doing: str, manager: Any, **filters: Any) -> list[dict[str, Any]]:
        """Every page of a list call; python-gitlab follows the Link headers."""
        objects = self.call(doing, lambda: manager.list(get_all=True, per_page=PER_PAGE, **filters))
        return [dict(obj.attributes) for obj in objects]

    def _fetch_requests(self) -> dict[str, MarkedIssue]:
        if self.capabilities.hierarchy is Hierarchy.EPIC and self.group is not None:
            return self._owned_requests(self.group.epics, epic=True)
        return self._owned_requests(self.project.issues, epic=False)

    def _owned_requests(self, manager: Any, *, epic: bool) -> dict[str, MarkedIssue]:
        found: dict[str, MarkedIssue] = {}
        for attrs in self.list("listing requests", manager, labels=[REQUEST], state="all"):
            _, marker = split(attrs.get("description"))
            if marker is not None and marker.step is None:
                found[marker.key] = MarkedIssue(attrs, marker, epic)
        return found

    def _fetch_steps(self, sop_id: str) -> dict[str, dict[int, MarkedIssue]]:
        grouped: dict[str, dict[int, MarkedIssue]] = {}
        label = f"sop::{sop_id}"
        for attrs in self.list(
            f"listing {label} issues", self.project.issues, labels=[label], state="all"
        ):
            _, marker = split(attrs.get("description"))
            if marker is not None and marker.step is not None:
                grouped.setdefault(marker.key, {})[marker.step] = MarkedIssue(attrs, marker)
        return grouped

    def _fetch_labels(self) -> dict[str, Label]:
        return {
            a["name"]: Label(a["name"], a["color"].upper(), a.get("description") or "")
            for a in self.list("listing labels", self.project.labels)
        }

    def _fetch_milestones(self) -> dict[str, dict[str, Any]]:
        return {
            a["title"]: a
            for a in self.list("listing milestones", self.project.milestones, state="all")
        }

    def prefetch(self) -> None:
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

    # --- the run's cache ----------------------------------------------------------------

    def requests(self) -> dict[str, MarkedIssue]:
        """Every request by key."""
        with self.lock:
            if self.cache.requests is None:
                self.cache.requests = self._fetch_requests()
            return self.cache.requests

    def steps(self, sop_id: str) -> dict[str, dict[int, MarkedIssue]]:
        """The step issues of every request of ``sop_id``: key -> step -> issue."""
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

    def owned(self, ref: Ref) -> MarkedIssue | None:
        """The object behind a ref, from the run's cache."""
        epic = self.requests().get(ref.key)
        if ref.step is None or epic is None:
            return epic
        return self.steps(epic.marker.sop).get(ref.key, {}).get(ref.step)

    def remember(self, owned: MarkedIssue) -> None:
        """Keep the run's cache current with an object GitLab just returned."""
        with self.lock:
            if owned.marker.step is None:
                self.requests()[owned.marker.key] = owned
            else:
                self.steps(owned.marker.sop).setdefault(owned.marker.key, {})[owned.marker.step] = (
                    owned
                )

    def confirm_link(self, key: str, link: tuple[int, int]) -> None:
        """Remember an ordering link made this run (the epic's marker records it next)."""
        with self.lock:
            self.cache.confirmed_links.setdefault(key, set()).add(link)

    def confirmed_links(self, key: str) -> frozenset[tuple[int, int]]:
        """The ordering links made this run for request ``key``."""
        with self.lock:
            return frozenset(self.cache.confirmed_links.get(key, set()))

    def warm(self, sop_id: str, usernames: set[str]) -> None:
        """Load the step list of ``sop_id`` and the ids of ``usernames``, in parallel."""
        missing = sorted(name for name in usernames if name not in self.cache.users)
        with ThreadPoolExecutor(1 + min(len(missing), 8)) as pool:
            steps = pool.submit(self.steps, sop_id)
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
            if username not in self.cache.users:
                found = self._lookup_user(username)
                if found is None:
                    raise TrackerError(f"GitLab: no user {username!r} (used in --peran or people)")
                self.cache.users[username] = found
            return self.cache.users[username]

    def handle(self, owned: MarkedIssue) -> Any:
        """A python-gitlab object for ``owned`` without a GET (``lazy``)."""
        if owned.epic:
            # epic notes are addressed by the epic's global id, so give the object its attributes
            epics = self.group.epics  # type: ignore[union-attr]
            return epics._obj_cls(epics, dict(owned.attrs))
        return self.project.issues.get(owned.attrs["iid"], lazy=True)


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
