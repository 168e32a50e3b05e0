"""Open the tracker the settings name. The one place that knows every adapter.

Adapters are imported only when chosen, so a command on the local tracker never loads
python-gitlab.
"""

from __future__ import annotations

from sop_sync.config import GitLabSettings, JiraSettings, LocalSettings, Settings
from sop_sync.errors import ConfigError
from sop_sync.trackers.base import Connection, Tracker
from sop_sync.trackers.repository import TrustedHosts


def connect(
    settings: Settings, person: str | None = None, *, read_only: bool = False
) -> Connection:
    """The configured tracker with its code host; with ``person``, acting as that person.

    Acting as a person is what the local ``sop-sync issue`` commands and tests do; on GitLab it
    needs an admin token (``Sudo``). ``read_only`` is for commands that only read (status,
    check without --fix, dry runs): the local tracker then creates and writes nothing.
    """
    trusted = frozenset(settings.trusted_hosts)
    tracker_settings = settings.tracker
    if isinstance(tracker_settings, LocalSettings):
        from sop_sync.trackers.local.facade import LocalTracker

        local = LocalTracker(tracker_settings.path, read_only=read_only)
        return Connection(local.acting_as(person) if person else local, TrustedHosts(trusted))
    if isinstance(tracker_settings, GitLabSettings):
        from sop_sync.trackers.gitlab.connect import connect as connect_gitlab

        return connect_gitlab(tracker_settings, trusted, person)
    if isinstance(tracker_settings, JiraSettings):
        from sop_sync.trackers.jira.connect import connect as connect_jira

        host = None
        if settings.code_host is not None:
            from sop_sync.trackers.gitlab.connect import code_host

            host = code_host(settings.code_host, trusted)
        return connect_jira(tracker_settings, trusted, person, code_host=host)
    raise ConfigError(
        f"tracker kind {tracker_settings.kind!r} is not available"
    )  # pragma: no cover


def open_tracker(settings: Settings) -> Tracker:
    """Just the tracker (for callers that inspect no repositories)."""
    return connect(settings).tracker
