"""Open the tracker the settings name. The one place that knows every adapter.

Adapters are imported only when chosen, so a command on the local tracker never loads
python-gitlab.
"""

from __future__ import annotations

from sop_sync.config import GitLabSettings, LocalSettings, Settings
from sop_sync.errors import ConfigError
from sop_sync.trackers.base import Connection, Tracker
from sop_sync.trackers.repository import TrustedHosts


def connect(settings: Settings, person: str | None = None) -> Connection:
    """The configured tracker with its code host; with ``person``, acting as that person.

    Acting as a person is what the local ``sop-sync issue`` commands and tests do; on GitLab it
    needs an admin token (``Sudo``).
    """
    trusted = frozenset(settings.trusted_hosts)
    tracker_settings = settings.tracker
    if isinstance(tracker_settings, LocalSettings):
        from sop_sync.trackers.local.facade import LocalTracker

        local = LocalTracker(tracker_settings.path)
        return Connection(local.acting_as(person) if person else local, TrustedHosts(trusted))
    if isinstance(tracker_settings, GitLabSettings):
        from sop_sync.trackers.gitlab.connect import connect as connect_gitlab

        return connect_gitlab(tracker_settings, trusted, person)
    raise ConfigError(
        f"tracker kind {tracker_settings.kind!r} is not available"
    )  # pragma: no cover


def open_tracker(settings: Settings) -> Tracker:
    """Just the tracker (for callers that inspect no repositories)."""
    return connect(settings).tracker
