"""The tracker protocol: plain values in, plain values out.

The core never imports a tracker library; it computes :class:`Change` values (see
:mod:`sop_sync.changes`) and reads :class:`ObservedRequest` values. Each adapter maps them
to its tracker, dispatching changes through an explicit table.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sop_sync.changes import Change, Label, Milestone, Ref

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


class Hierarchy(enum.Enum):
    """How a request holds its step issues."""

    EPIC = "epic"  # a real epic (local, GitLab Premium group epic, Jira Epic)
    ISSUE = "issue"  # a parent issue labelled `permohonan` (GitLab Free)


class State(enum.Enum):
    """An issue is open or closed; nothing else is portable."""

    OPEN = "opened"
    CLOSED = "closed"


@dataclass(frozen=True)
class Capabilities:
    """What a tracker can do; the core adapts to these values, never to a tracker's name."""

    hierarchy: Hierarchy
    blocking_links: bool
    scoped_labels: bool
    milestone_dates: bool = True
    max_title: int = 255
    label_spaces: bool = True


@dataclass(frozen=True)
class Note:
    """A comment, with the author the tracker recorded (never parsed from the text)."""

    id: str
    author: str
    body: str
    created_at: dt.datetime
    system: bool = False


@dataclass(frozen=True)
class Attachment:
    """A file attached to an issue."""

    id: str
    filename: str
    url: str
    uploaded_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Event:
    """One entry of an issue's history: who did what, when."""

    at: dt.datetime
    actor: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class Issue:
    """An issue (or the request's epic) as the tracker has it now."""

    ref: Ref
    tracker_id: str
    web_url: str
    title: str
    description: str
    state: State
    labels: frozenset[str]
    assignees: tuple[str, ...]
    due: dt.date | None
    milestone: str | None
    data: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class ObservedRequest:
    """Everything a tracker holds for one request, found by the hidden markers."""

    key: str
    epic: Issue | None
    steps: dict[int, Issue]
    labels: dict[str, Label]
    milestones: dict[str, Milestone]
    links: frozenset[tuple[int, int]]
    """Ordering links between step numbers (source step, target step)."""


@dataclass(frozen=True)
class RequestSummary:
    """One request as listed by :meth:`Tracker.requests` (from the epic's marker)."""

    key: str
    sop_id: str
    title: str
    state: State
    data: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


class Tracker(Protocol):
    """What every tracker does for sop-sync. Small on purpose."""

    @property
    def capabilities(self) -> Capabilities:
        """What this tracker can do."""
        ...

    def requests(self) -> list[RequestSummary]:
        """Every request sop-sync owns in this tracker."""
        ...

    def observe(self, key: str) -> ObservedRequest:
        """The request's objects (an empty request when nothing exists yet)."""
        ...

    def apply(self, change: Change, actor: str | None = None) -> None:
        """Carry out one change; ``actor`` is the person when a person acts (local CLI)."""
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
