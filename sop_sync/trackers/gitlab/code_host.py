"""GitLab as the code host: repository inspection (merge requests: :mod:`.merge_requests`).

Separate from the tracker facade: a request kept in another tracker (Jira) may have its code
on GitLab, and these need only the client.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import gitlab

from sop_sync.errors import TrackerError
from sop_sync.model.tracker import RepoState, RepoStatus
from sop_sync.trackers.gitlab.session import GitLabSession
from sop_sync.trackers.licences import osi_approved


class GitLabRepositories:
    """Inspects repositories on the connected GitLab; trusted hosts count as open."""

    def __init__(self, session: GitLabSession, trusted_hosts: frozenset[str] = frozenset()) -> None:
        self.session = session
        self.trusted_hosts = trusted_hosts

    def inspect(self, url: str) -> RepoStatus:
        """A project on this GitLab: public, with an OSI-approved licence (GitLab's detection)."""
        gl: gitlab.Gitlab = self.session.gl
        base = urllib.parse.urlsplit(gl.url)
        parts = urllib.parse.urlsplit(url)
        if parts.hostname != base.hostname or parts.port != base.port:
            if parts.hostname in self.trusted_hosts:
                return RepoStatus(url, RepoState.OPEN, "host tepercaya")
            return RepoStatus(url, RepoState.UNVERIFIABLE, "bukan di GitLab yang terhubung")
        path = parts.path.strip("/").removesuffix(".git").split("/-/")[0]
        try:
            project: Any = self.session.call(
                f"inspecting repository {path!r}", lambda: gl.projects.get(path, license=True)
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
