"""One run's session with GitLab: the client, the project and group, and what was read.

Readers (:mod:`.read`) and writers (:mod:`.write`) take the session; nothing else holds
python-gitlab objects. The list calls themselves are in :mod:`.listing`; the session keeps
their answers for the run, current with the API's own answers to its writes.

Step issues are found in one of two ways. In bulk: every issue labelled ``sop::<id>``, listed
once per run (about ceil(issues / 100) list calls, whatever the number of requests), which is
what planning and a run over many requests use: it is the authoritative view, so a step is
never created twice. One by one: the first request read with its history in a run (``status
<kunci>``, ``check <kunci>``) lists only its own issues (:func:`.listing.request_steps`).
Milestones come with the issues that use them, else from a filtered listing (``search`` on
the request key) or an exact ``title`` look-up. Lazy loads happen under the lock: writes
running in parallel share one cache.

Every call goes through the transport of :mod:`.patience` (timeouts, a retry budget, no POST
sent twice by the transport); :meth:`GitLabSession.create` makes a create safe to try again.
"""

from __future__ import annotations

import builtins
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabError

from sop_sync.errors import TrackerError, TrackerUnavailableError
from sop_sync.model.changes import Ref
from sop_sync.model.tracker import Capabilities, Hierarchy
from sop_sync.secrets import mask_url
from sop_sync.trackers.gitlab import listing
from sop_sync.trackers.gitlab.cache import Cache, MarkedIssue
from sop_sync.trackers.gitlab.patience import (
    BACKOFF,
    SHORTEST_TRY,
    TRANSIENT,
    TRIES,
    GaveUpError,
    Patience,
    PatientAdapter,
)

PER_PAGE = 100
CREATE_TRIES = 4
"""Sends of one create at most, each after looking for what the one before may have made."""
T = TypeVar("T")


class UncertainError(TrackerError):
    """A call failed in a way that may come after GitLab did it (5xx, lost connection)."""


class RefusedError(TrackerError):
    """GitLab answered with an error status and did nothing (4xx); ``status`` is that status."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


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
        patience: Patience | None = None,
    ) -> None:
        self.gl = client
        self.workers = workers
        # one pooled connection per parallel call (requests keeps 10 by default); timeouts and
        # retries within a budget there, python-gitlab's own retry off (see .patience)
        self.adapter = PatientAdapter(patience or Patience(), pool_maxsize=workers)
        client.session.mount("http://", self.adapter)
        client.session.mount("https://", self.adapter)
        client.retry_transient_errors = False
        self.lock = threading.RLock()
        self._own: str | None = None
        self.cache = Cache()
        self.group = client.groups.get(group, lazy=True) if group else None
        # Everything a run reads first, in one round trip: the project, whether epics exist
        # (the probe is the listing of requests as epics), the parent issues when requests may
        # be those (Free; with `hierarchy: auto` listed alongside the probe, not after it) and
        # the labels. Milestones are read per request, or come with the issues that use them.
        self.project = client.projects.get(project, lazy=True)  # by path until opened
        if not project:  # a code host only (requests elsewhere): no tracker project to read
            self.capabilities = Capabilities(
                hierarchy=Hierarchy.ISSUE,
                blocking_links=False,
                scoped_labels=False,
                parallel_writes=workers,
            )
            return
        probe = group is not None and hierarchy in ("auto", "epic")
        if hierarchy == "epic" and not probe:
            raise TrackerError(
                "GitLab epics need a group: set `tracker.group` (or use `hierarchy: issue`)"
            )
        with ThreadPoolExecutor(4) as pool:
            opening = pool.submit(
                self.call, f"opening project {project!r}", lambda: client.projects.get(project)
            )
            probing = pool.submit(self._probe, hierarchy) if probe else None
            parents = (
                pool.submit(listing.owned_requests, self, self.project.issues, epic=False)
                if hierarchy != "epic"
                else None
            )
            labels = pool.submit(listing.labels, self)
            self.project = opening.result()  # its error first: it says the most
            epics = probing.result() if probing is not None else None
            premium = epics is not None
            if not premium and parents is not None:
                self.cache.requests = parents.result()
            elif premium:
                self.cache.requests = epics
            self.cache.labels, self.cache.group_labels = labels.result()
        self.capabilities = Capabilities(
            hierarchy=Hierarchy.EPIC if premium else Hierarchy.ISSUE,
            blocking_links=premium,
            scoped_labels=premium,
            parallel_writes=workers,
        )

    # --- errors at the boundary ---------------------------------------------------------

    def call(self, doing: str, action: Callable[[], Any]) -> Any:
        """Run one python-gitlab call; GitLab errors become one-line tracker errors.

        :class:`UncertainError` when the call may have been carried out all the same (a 5xx, a
        connection lost after sending); :class:`RefusedError` when GitLab answered that it did
        not carry it out (its status kept); :class:`TrackerUnavailableError` when the retry
        budget ran out (the run stops: every further call would wait the same).
        """
        url = mask_url(self.gl.url)
        try:
            return action()
        except GaveUpError as error:
            where = f"cannot reach {url}: {error.reason}" if error.unreachable else error.reason
            raise TrackerUnavailableError(f"GitLab: {doing}: {where}") from None
        except GitlabError as error:
            if error.response_code in TRANSIENT:
                raise UncertainError(explain(doing, error)) from None
            raise RefusedError(explain(doing, error), error.response_code) from None
        except requests.exceptions.RetryError as error:  # tries used up (Retry-After: 0)
            code = re.search(r"too many (\d+) error", str(error))
            status = f"HTTP {code[1]}" if code else "refused"
            hint = HINTS.get(int(code[1]) if code else 0)
            raise TrackerUnavailableError(
                f"GitLab: {doing}: {status} after {TRIES} tries" + (f" — {hint}" if hint else "")
            ) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as error:
            lost = f"GitLab: {doing}: cannot reach {url} ({type(error).__name__})"
            raise UncertainError(lost) from None
        except requests.exceptions.RequestException as error:
            failed = f"GitLab: {doing}: cannot reach {url} ({type(error).__name__})"
            raise TrackerError(failed) from None

    def create(
        self, doing: str, send: Callable[[], T], find: Callable[[], T | None] | None = None
    ) -> T:
        """A POST that never makes a second object, sent again after an uncertain failure.

        After a 5xx or a lost connection GitLab may have made the object and lost the answer:
        ``find`` looks for it (by its marker, its exact body) before the next send. Without
        ``find`` GitLab itself refuses a second object (409: a label's name, a milestone's
        title, an issue link), and the caller takes that answer. One budget covers it all.
        """
        with self.adapter.span():
            for attempt in range(1, CREATE_TRIES + 1):
                try:
                    made: T = self.call(doing, send)
                    return made
                except UncertainError:
                    wait = BACKOFF * 2 ** (attempt - 1)  # a proxy's 502 may precede the commit
                    if attempt == CREATE_TRIES or self.adapter.left() < wait + SHORTEST_TRY:
                        raise
                    time.sleep(wait)
                    found = find() if find is not None else None
                    if found is not None:
                        return found
        raise AssertionError("unreachable")  # pragma: no cover

    def list(self, doing: str, manager: Any, **filters: Any) -> list[dict[str, Any]]:
        """Every page of a list call; python-gitlab follows the Link headers."""
        objects = self.call(doing, lambda: manager.list(get_all=True, per_page=PER_PAGE, **filters))
        return [dict(obj.attributes) for obj in objects]

    def parallel(self, jobs: Iterable[Callable[[], T]]) -> builtins.list[T]:
        """Run independent calls with the same bounded concurrency as writes, in order."""
        todo = list(jobs)
        if len(todo) < 2:
            return [job() for job in todo]
        with ThreadPoolExecutor(min(self.workers, len(todo))) as pool:
            return list(pool.map(lambda job: job(), todo))

    def _probe(self, hierarchy: str) -> dict[str, MarkedIssue] | None:
        """The requests as epics (Premium), or None where epics are not served (Free)."""
        try:
            return listing.owned_requests(self, self.group.epics, epic=True)  # type: ignore[union-attr]
        except TrackerError as error:
            if hierarchy == "epic":
                raise TrackerError(
                    f"{error.message}; epics need GitLab Premium: set `tracker.hierarchy: issue`"
                ) from None
            return None

    @property
    def epics(self) -> bool:
        """Requests are group epics (Premium, with a group)."""
        return self.group is not None and self.capabilities.hierarchy is Hierarchy.EPIC

    # --- requests and their steps -------------------------------------------------------

    def requests(self) -> dict[str, MarkedIssue]:
        """Every request by key (listed when the session opened)."""
        with self.lock:
            if self.cache.requests is None:
                group, epic = self.group, self.epics
                manager = group.epics if group is not None and epic else self.project.issues
                self.cache.requests = listing.owned_requests(self, manager, epic=epic)
            return self.cache.requests

    def first_observed(self, key: str) -> bool:
        """Record that ``key`` is observed; True while it is the only request observed."""
        with self.lock:
            self.cache.observed.add(key)
            return self.cache.observed == {key}

    def steps_of(
        self, epic: MarkedIssue, *, alone: bool = False, complete: bool = False
    ) -> dict[int, MarkedIssue]:
        """The step issues of one request: from the bulk listing of its SOP, or on their own.

        ``alone`` lists only this request's issues when nothing is known yet; ``complete``
        insists on the bulk listing (before creating a step: never twice).
        """
        key, sop = epic.marker.key, epic.marker.sop
        with self.lock:
            known = sop in self.cache.listed or (key in self.cache.alone and not complete)
        if not known and alone:  # a read: other calls may run meanwhile
            found = listing.request_steps(self, epic)
            with self.lock:
                if found is not None and key not in self.cache.alone:  # None: a step missed
                    self.absorb_milestones(o.attrs for o in found.values())
                    # anything already cached for the key was written this run: newer
                    self.cache.steps[key] = {**found, **self.cache.steps.get(key, {})}
                    self.cache.alone.add(key)
                known = key in self.cache.alone or sop in self.cache.listed
        with self.lock:
            if not known:
                self.list_sop(sop)
            return dict(self.cache.steps.get(key, {}))

    def list_sop(self, sop: str) -> None:
        """List every step issue of ``sop`` once per run (the bulk path)."""
        with self.lock:
            if sop in self.cache.listed:
                return
            for key, steps in listing.sop_steps(self, sop).items():
                self.absorb_milestones(o.attrs for o in steps.values())
                self.cache.steps[key] = steps
            self.cache.listed.add(sop)

    def owned(self, ref: Ref, *, complete: bool = False) -> MarkedIssue | None:
        """The object behind a ref, from the run's cache."""
        epic = self.requests().get(ref.key)
        if ref.step is None or epic is None:
            return epic
        return self.steps_of(epic, complete=complete).get(ref.step)

    def remember(self, owned: MarkedIssue) -> None:
        """Keep the run's cache current with an object GitLab just returned."""
        with self.lock:
            key, step = owned.marker.key, owned.marker.step
            kept: dict[Any, MarkedIssue] = (
                self.requests() if step is None else self.cache.steps.setdefault(key, {})
            )
            before = kept.get(key if step is None else step)
            if before is not None and not owned.twins:
                owned.twins = before.twins  # duplicates the listing found stay reported
            kept[key if step is None else step] = owned
            self.absorb_milestones([owned.attrs])

    def absorb_milestones(self, issues: Iterable[dict[str, Any]]) -> None:
        """Keep the milestones GitLab embeds in the issues it answers with."""
        with self.lock:
            for attrs in issues:
                milestone = attrs.get("milestone")
                if isinstance(milestone, dict) and milestone.get("title"):
                    self.cache.milestones[milestone["title"]] = milestone

    def confirm_link(self, key: str, link: tuple[int, int]) -> None:
        """Remember an ordering link made this run (the epic's marker records it next)."""
        with self.lock:
            self.cache.confirmed_links.setdefault(key, set()).add(link)

    def confirmed_links(self, key: str) -> frozenset[tuple[int, int]]:
        """The ordering links made this run for request ``key``."""
        with self.lock:
            return frozenset(self.cache.confirmed_links.get(key, set()))

    # --- people -------------------------------------------------------------------------

    def warm(self, sop_id: str, usernames: set[str]) -> None:
        """Load the step list of ``sop_id`` and the ids of ``usernames``, in parallel."""
        missing = sorted(name for name in usernames if name not in self.cache.users)
        with ThreadPoolExecutor(1 + min(len(missing), 8)) as pool:
            steps = pool.submit(self.list_sop, sop_id)
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

    def own_username(self) -> str:
        """The token's own user: the only author whose reply tags are trusted (read once)."""
        with self.lock:
            if self._own is None:
                user = self.call("reading the token's user", lambda: self.gl.http_get("/user"))
                self._own = str(user["username"]) if isinstance(user, dict) else ""
            return self._own

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
            # epic notes are addressed by the epic's own id (not an issue's, not the iid), so
            # give the object its attributes
            epics = self.group.epics  # type: ignore[union-attr]
            return epics._obj_cls(epics, dict(owned.attrs))
        return self.project.issues.get(owned.attrs["iid"], lazy=True)


def explain(doing: str, error: GitlabError) -> str:
    """One line for a person: what was being done, the HTTP status, what to do."""
    code = error.response_code
    message = str(error.error_message).strip() or type(error).__name__
    hint = HINTS.get(code or 0)
    if "sudo" in message.lower():
        hint = "acting as a person (Sudo) needs an administrator's token with the sudo scope"
    return f"GitLab: {doing}: HTTP {code}: {message}" + (f" — {hint}" if hint else "")


HINTS = {
    401: "GitLab refused the token: check SOP_SYNC_GITLAB_TOKEN "
    "(or the python-gitlab configuration section)",
    403: "the token lacks permission for this",
    404: "not found (check the project/group path and that the token can see it)",
    429: "GitLab's rate limit is exhausted even after retries; try again later",
}
"""What to do about an HTTP status, for a person."""
