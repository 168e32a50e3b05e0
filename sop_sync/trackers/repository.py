"""Repositories sop-sync cannot inspect: trusted hosts count as open, the rest unverifiable.

The inspector for trackers that host no code (local, Jira without a GitLab code host).
"""

from __future__ import annotations

import urllib.parse

from sop_sync.model.tracker import RepoState, RepoStatus


class TrustedHosts:
    """The :class:`~sop_sync.trackers.base.Repositories` of a tracker that hosts no code."""

    def __init__(self, hosts: frozenset[str] = frozenset()) -> None:
        self.hosts = hosts

    def inspect(self, url: str) -> RepoStatus:
        """Open on a trusted host; otherwise not verifiable."""
        host = urllib.parse.urlsplit(url).hostname or ""
        if host and host in self.hosts:
            return RepoStatus(url, RepoState.OPEN, "host tepercaya")
        return RepoStatus(url, RepoState.UNVERIFIABLE, "bukan di GitLab yang terhubung")
