"""The tracker protocol: plain values in, plain values out.

The core never imports a tracker library; it computes :class:`Change` values (see
:mod:`sop_sync.changes`) and reads :class:`ObservedRequest` values. Each adapter maps them
to its tracker, dispatching changes through an explicit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sop_sync.changes import Change, Label, Milestone, Ref
from sop_sync.evidence import RepoStatus
from sop_sync.values import (
    Attachment,
    Capabilities,
    Event,
    Hierarchy,
    Issue,
    Note,
    ObservedRequest,
    RequestSummary,
    State,
)

__all__ = [
    "Attachment",
    "Capabilities",
    "Event",
    "Hierarchy",
    "Issue",
    "Label",
    "Milestone",
    "Note",
    "ObservedRequest",
    "Ref",
    "RequestSummary",
    "State",
    "Tracker",
    "apply_all",
]


class Tracker(Protocol):
    """What every tracker does for sop-sync. Small on purpose."""

    @property
    def capabilities(self) -> Capabilities:
        """What this tracker can do."""
        ...

    def requests(self) -> list[RequestSummary]:
        """Every request sop-sync owns in this tracker."""
        ...

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """The request's objects (an empty request when nothing exists yet).

        ``history=False`` may leave out notes, attachments and events: planning needs only
        fields, labels and links, and some trackers need one call per issue for the rest.
        """
        ...

    def apply(self, change: Change, actor: str | None = None) -> None:
        """Carry out one change; ``actor`` is the person when a person acts (local CLI)."""
        ...

    def inspect_repository(self, url: str) -> RepoStatus:
        """Whether the repository at ``url`` is public with an OSI-approved licence.

        Trackers that cannot see it answer ``RepoState.UNVERIFIABLE``.
        """
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


def apply_all(tracker: Tracker, changes: Sequence[Change]) -> list[tuple[Change, str]]:
    """Apply changes in order; collect failures instead of stopping at the first.

    A change that depends on a failed one (a link to an issue never created) fails too and
    is reported; a re-run converges because every object is found again by its marker.
    """
    from sop_sync.errors import SopSyncError

    failures: list[tuple[Change, str]] = []
    for change in changes:
        try:
            tracker.apply(change)
        except SopSyncError as error:
            failures.append((change, error.message))
    return failures
