"""Build the tracker the settings name. The one place that knows every adapter."""

from __future__ import annotations

from collections.abc import Callable

from sop_sync.config import Settings
from sop_sync.errors import ConfigError
from sop_sync.trackers.base import Tracker


def _local(settings: Settings) -> Tracker:
    from sop_sync.trackers.local import LocalTracker

    return LocalTracker(settings.tracker.path, trusted_hosts=frozenset(settings.trusted_hosts))


def _gitlab(settings: Settings) -> Tracker:
    from sop_sync.trackers.gitlab_connect import open_gitlab

    return open_gitlab(settings)


FACTORIES: dict[str, Callable[[Settings], Tracker]] = {"local": _local, "gitlab": _gitlab}


def open_tracker(settings: Settings) -> Tracker:
    """The tracker named by ``settings.tracker.kind``."""
    factory = FACTORIES.get(settings.tracker.kind)
    if factory is None:
        known = ", ".join(sorted(FACTORIES))
        raise ConfigError(
            f"tracker kind {settings.tracker.kind!r} is not available (known: {known})"
        )
    return factory(settings)
