"""The GitLab tracker, through python-gitlab (REST v4), on Free and on Premium.

Mapping (DESIGN.md "Tracker mapping"): a request is a group epic (Premium, ``hierarchy:
epic``) or a parent issue labelled ``permohonan`` (any tier, ``hierarchy: issue``); each step
is a project issue carrying the hidden marker at the end of its description (:mod:`.marker`).
Ordering links cannot be listed in bulk: the epic's marker records the links sop-sync
confirmed (``tautan``), so reconciling needs no per-issue link reads. The session
(:mod:`.session`) holds the client and the run's cache; :mod:`.read` and :mod:`.write` use it,
with :mod:`.listing`, :mod:`.history`, :mod:`.labels` and :mod:`.milestones`.
"""

from __future__ import annotations

from typing import Any

import gitlab

from sop_sync.model.changes import Change
from sop_sync.model.tracker import Capabilities, ObservedRequest, RequestSummary
from sop_sync.trackers.gitlab import read
from sop_sync.trackers.gitlab.session import GitLabSession
from sop_sync.trackers.gitlab.write import HANDLERS, Write


class GitLabTracker:
    """The tracker protocol on one GitLab project (and its group, for epics)."""

    def __init__(self, session: GitLabSession, who: dict[str, Any] | None = None) -> None:
        self.session = session
        self._write = Write(session, who or {})

    @classmethod
    def on_client(
        cls,
        client: gitlab.Gitlab,
        project: str,
        *,
        group: str | None = None,
        hierarchy: str = "auto",
        workers: int = 32,
    ) -> GitLabTracker:
        """The tracker on ``project`` through an existing python-gitlab client."""
        session = GitLabSession(client, project, group=group, hierarchy=hierarchy, workers=workers)
        return cls(session)

    @property
    def capabilities(self) -> Capabilities:
        """Epics, blocking links and exclusive scoped labels only on Premium."""
        return self.session.capabilities

    def acting_as(self, person: str) -> GitLabTracker:
        """The same tracker acting as ``person`` (GitLab's ``Sudo``: an admin token only)."""
        return GitLabTracker(self.session, {"sudo": person})

    def requests(self) -> list[RequestSummary]:
        """Every request, from the epics' (or parent issues') markers."""
        return read.requests(self.session)

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """The request's objects; notes, uploads and state events only with ``history``."""
        return read.observe(self.session, key, history=history)

    def apply(self, change: Change) -> None:
        """Carry out one change through its handler."""
        HANDLERS[type(change)](self._write, change)

    def ping(self) -> None:
        """One cheap authenticated call (the token's user): raises when GitLab cannot be used."""
        self.session.call("checking GitLab", lambda: self.session.gl.http_get("/user"))

    def own_accounts(self) -> frozenset[str]:
        """The usernames sop-sync writes as (its events are not reacted to)."""
        return frozenset({self.session.own_username()} - {""})

    def close(self) -> None:
        """Nothing to release: python-gitlab's session closes with the process."""
