"""Changes: immutable values saying what to do to a tracker, each with one ``describe()``.

Objects are named by :class:`Ref` (request key + step number), never by tracker ids: the
adapter resolves a ref through the hidden marker, so a change list can mention an issue it
creates earlier in the same list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from sop_sync.model.text import shorten

MARKER_VERSION = 1
"""Schema version written into every hidden marker."""


@dataclass(frozen=True, order=True)
class Ref:
    """One owned object: the request's epic (``step`` None) or one step issue."""

    key: str
    step: int | None = None

    def describe(self) -> str:
        """``permohonan abc`` or ``abc langkah 07``."""
        return (
            f"permohonan {self.key}" if self.step is None else f"{self.key} langkah {self.step:02d}"
        )


@dataclass(frozen=True)
class Label:
    """A label with its colour (``#RRGGBB``) and description."""

    name: str
    color: str
    description: str = ""


@dataclass(frozen=True)
class Milestone:
    """A phase of one request: title ``<kunci> · <fase>``, with its window."""

    title: str
    start: dt.date | None
    due: dt.date | None
    description: str = ""


@dataclass(frozen=True)
class SetTitle:
    """A new title."""

    value: str
    name: ClassVar[str] = "title"


@dataclass(frozen=True)
class SetDescription:
    """A new description (the text sop-sync renders, before any marker or markup)."""

    value: str
    name: ClassVar[str] = "description"


@dataclass(frozen=True)
class SetDue:
    """A new due date, or none."""

    value: dt.date | None
    name: ClassVar[str] = "due"


@dataclass(frozen=True)
class SetMilestone:
    """Another milestone (by title), or none."""

    value: str | None
    name: ClassVar[str] = "milestone"


@dataclass(frozen=True)
class SetData:
    """New request data for the epic's marker (see :meth:`RequestInput.as_data`)."""

    value: tuple[tuple[str, str], ...]
    name: ClassVar[str] = "data"


FieldUpdate = SetTitle | SetDescription | SetDue | SetMilestone | SetData
"""One field of an issue and its new value; adapters dispatch on the type."""


@dataclass(frozen=True)
class EnsureLabel:
    """Create the label, or update its colour and description."""

    label: Label

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"ensure label {self.label.name!r}"


@dataclass(frozen=True)
class EnsureMilestone:
    """Create the milestone, or update its dates and description."""

    milestone: Milestone

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        m = self.milestone
        return f"ensure milestone {m.title!r} ({m.start} – {m.due})"


@dataclass(frozen=True)
class CreateIssue:
    """Create the epic or a step issue, with its marker and every field set."""

    ref: Ref
    title: str
    description: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...] = ()
    due: dt.date | None = None
    milestone: str | None = None
    data: tuple[tuple[str, str], ...] = ()
    """Request data kept in the epic's marker (sop, mulai, pemohon, peran, repo)."""

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"create {self.ref.describe()}: {self.title}"


@dataclass(frozen=True)
class UpdateFields:
    """Set some fields of an owned issue to new values."""

    ref: Ref
    fields: tuple[FieldUpdate, ...]

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        names = ", ".join(field.name for field in self.fields)
        return f"update {self.ref.describe()}: {names}"


@dataclass(frozen=True)
class AddLabels:
    """Add labels to an owned issue."""

    ref: Ref
    labels: tuple[str, ...]

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"label {self.ref.describe()} +{', +'.join(self.labels)}"


@dataclass(frozen=True)
class RemoveLabels:
    """Remove labels from an owned issue."""

    ref: Ref
    labels: tuple[str, ...]

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"label {self.ref.describe()} -{', -'.join(self.labels)}"


@dataclass(frozen=True)
class Close:
    """Close an issue."""

    ref: Ref

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"close {self.ref.describe()}"


@dataclass(frozen=True)
class Reopen:
    """Reopen an issue."""

    ref: Ref

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"reopen {self.ref.describe()}"


@dataclass(frozen=True)
class Comment:
    """Add a comment (note) to an issue."""

    ref: Ref
    body: str
    in_reply_to: str | None = None
    """The id of the note this answers: each adapter stores it its own way, and the rules
    read it back as :attr:`Note.in_reply_to` so a command is never answered twice."""

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        first = self.body.strip().splitlines()[0] if self.body.strip() else ""
        return f"comment on {self.ref.describe()}: {shorten(first, 60)}"


@dataclass(frozen=True)
class Link:
    """An ordering link: ``source`` comes before ``target``."""

    source: Ref
    target: Ref

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"link {self.source.describe()} → {self.target.describe()}"


@dataclass(frozen=True)
class Attach:
    """Attach a file to an issue."""

    ref: Ref
    filename: str
    content: bytes

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"attach {self.filename!r} to {self.ref.describe()} ({len(self.content)} bytes)"


@dataclass(frozen=True)
class Detach:
    """Remove an attachment from an issue (an earlier version of a generated document).

    ``attachment_id`` is the :attr:`Attachment.id` the tracker gave when it was observed (a
    row id, a Jira attachment id, a GitLab upload URL); ``filename`` names it for people.
    """

    ref: Ref
    attachment_id: str
    filename: str

    def describe(self) -> str:
        """One line for the plan printout and the audit log."""
        return f"detach {self.filename!r} from {self.ref.describe()}"


Change = (
    EnsureLabel
    | EnsureMilestone
    | CreateIssue
    | UpdateFields
    | AddLabels
    | RemoveLabels
    | Close
    | Reopen
    | Comment
    | Link
    | Attach
    | Detach
)
CHANGE_TYPES: tuple[type, ...] = (
    EnsureLabel,
    EnsureMilestone,
    CreateIssue,
    UpdateFields,
    AddLabels,
    RemoveLabels,
    Close,
    Reopen,
    Comment,
    Link,
    Attach,
    Detach,
)
"""Every change type; each adapter's dispatch table must cover all of them (tested)."""
