"""Values a tracker reports and the core reads: issues, notes, attachments, capabilities.

Plain frozen values shared by the core (plan, rules) and every adapter, plus what
inspecting a source repository found (:class:`RepoStatus`).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from sop_sync.model.changes import Label, Milestone, Ref


class Hierarchy(enum.Enum):
    """How a request holds its step issues."""

    EPIC = "epic"  # a real epic (local, GitLab Premium group epic, Jira Epic)
    ISSUE = "issue"  # a parent issue labelled `permohonan` (GitLab Free)


class State(enum.Enum):
    """An issue is open or closed; nothing else is portable."""

    OPEN = "opened"
    CLOSED = "closed"


class Markup(enum.Enum):
    """The text format a tracker shows descriptions and comments in."""

    MARKDOWN = "markdown"  # local, GitLab
    JIRA_WIKI = "jira-wiki"  # Jira REST v2 (Data Center; Cloud through v2)


@dataclass(frozen=True)
class Capabilities:
    """What a tracker can do; the core adapts to these values, never to a tracker's name."""

    hierarchy: Hierarchy
    blocking_links: bool
    scoped_labels: bool
    milestone_dates: bool = True
    max_title: int = 255
    label_spaces: bool = True
    label_definitions: bool = True
    """Labels have a colour and a description to keep (GitLab); Jira's labels are bare names."""
    markup: Markup = Markup.MARKDOWN
    parallel_writes: int = 1
    """How many independent writes may run at once (round trips matter on remote trackers)."""


def text_digest(text: str) -> str:
    """A short digest of a text sop-sync wrote, kept where the tracker keeps the marker.

    The diff compares digests, not texts: a tracker may give a description back in another
    form (Jira returns wiki markup or ADF), and the digest of what sop-sync rendered does not
    change with it.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Note:
    """A comment, with the author the tracker recorded (never parsed from the text)."""

    id: str
    author: str
    body: str
    created_at: dt.datetime
    system: bool = False
    in_reply_to: str | None = None
    """For sop-sync's own replies: the id of the note answered (see :class:`Comment`)."""


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
    digest: str = ""
    """:func:`text_digest` of the description as sop-sync last wrote it."""
    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    events: tuple[Event, ...] = ()


def replied_to(notes: Iterable[Note]) -> set[str]:
    """What the notes answer (:attr:`Note.in_reply_to`; adapters set it only on sop-sync's own)."""
    return {note.in_reply_to for note in notes if note.in_reply_to}


def last_close(issue: Issue) -> Event | None:
    """The issue's newest ``closed`` event (None when its history names none)."""
    closes = [event for event in issue.events if event.action == "closed"]
    return max(closes, key=lambda event: event.at) if closes else None


@dataclass(frozen=True)
class Duplicate:
    """Several tracker objects carry the marker of one owned object; sop-sync uses the oldest."""

    ref: Ref
    used: str
    """The object used (its URL, else its id)."""
    others: tuple[str, ...]

    def describe(self) -> str:
        """One line naming every copy and the one used."""
        others = ", ".join(self.others)
        return (
            f"duplicate: {self.ref.describe()} is on {1 + len(self.others)} objects: "
            f"{self.used} (used: the oldest) and {others} (close or delete the newer)"
        )


@dataclass(frozen=True)
class ObservedRequest:
    """Everything a tracker holds for one request, found by the hidden markers."""

    key: str
    epic: Issue | None
    steps: dict[int, Issue]
    labels: dict[str, Label]
    """Label definitions the tracker already has (at least every label sop-sync manages)."""
    milestones: dict[str, Milestone]
    links: frozenset[tuple[int, int]]
    """Ordering links between step numbers (source step, target step)."""
    duplicates: tuple[Duplicate, ...] = ()
    """Owned objects found more than once (a retried create, a copy): reported, never used."""


@dataclass(frozen=True)
class RequestSummary:
    """One request as listed by :meth:`Tracker.requests` (from the epic's marker)."""

    key: str
    sop_id: str
    title: str
    state: State
    data: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


class RepoState(enum.Enum):
    """What inspecting a source repository found."""

    OPEN = "terbuka"
    PRIVATE = "privat"
    NO_LICENCE = "tanpa lisensi"
    NOT_OSI = "lisensi bukan OSI"
    UNVERIFIABLE = "tidak dapat diverifikasi"
    MISSING = "tidak ditemukan"


@dataclass(frozen=True)
class RepoStatus:
    """One repository's inspection."""

    url: str
    state: RepoState
    detail: str = ""
