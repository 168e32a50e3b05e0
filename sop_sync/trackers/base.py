"""The tracker protocol: plain values in, plain values out; and the typed handler tables.

The core never imports a tracker library; it computes :class:`Change` values and reads
:class:`ObservedRequest` values (both in :mod:`sop_sync.model`). Each adapter maps them to
its tracker, dispatching changes through an explicit table built with :func:`on`, so mypy
rejects a handler filed under the wrong change type.

Inspecting source repositories and reading merge requests are protocols of their own
(:class:`Repositories`, :class:`MergeRequests`): a request kept in one tracker may have its
code on another host.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sop_sync.model.changes import Change
from sop_sync.model.tracker import (
    Capabilities,
    Issue,
    Note,
    ObservedRequest,
    RepoStatus,
    RequestSummary,
)


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

    def apply(self, change: Change) -> None:
        """Carry out one change (as the account the tracker was opened with)."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


class Repositories(Protocol):
    """Inspects source repositories for the open-repository evidence."""

    def inspect(self, url: str) -> RepoStatus:
        """Whether the repository at ``url`` is public with an OSI-approved licence.

        A host that cannot be inspected answers ``RepoState.UNVERIFIABLE``.
        """
        ...


@dataclass(frozen=True)
class MergeRequestRef:
    """An open merge request that names a request, with its latest pipeline (for re-runs)."""

    project: str
    """The project's id (as the code host gives it)."""
    iid: int
    web_url: str = ""
    pipeline_id: int | None = None
    """The latest pipeline of the MR; None when it has none."""
    pipeline_status: str | None = None
    """GitLab's pipeline status (``success``, ``failed``, ``running``, ...)."""
    gate_job_id: int | None = None
    """The gate job in that pipeline (None when the pipeline has none)."""
    gate_failed: bool = False
    """Whether that gate job failed."""

    @property
    def needs_rerun(self) -> bool:
        """No pipeline yet, or the latest one (or its gate job) failed or was cancelled."""
        stopped = self.pipeline_status in (None, "failed", "canceled", "canceling")
        return stopped or self.gate_failed


class MergeRequests(Protocol):
    """Merge requests on the code host: the gate's look-ups and its re-runs."""

    def request_key(self, project: str, iid: int) -> str | None:
        """The request a merge request names: a ``SOP: <kunci>`` line, else an issue it closes."""
        ...

    def request_of_issue(self, issue: str) -> str | None:
        """The request a tracker issue an MR names belongs to (a Jira key such as ``APL-12``).

        None when the issue does not exist or is no request's.
        """
        ...

    def open_for(self, key: str, *, issue_keys: Collection[str] = ()) -> list[MergeRequestRef]:
        """The open MRs that name request ``key``, with their latest pipeline.

        Named: a ``SOP: <kunci>`` line, closing one of the request's issues, or (requests kept
        in Jira) one of ``issue_keys`` in the title, description or source branch.
        """
        ...

    def rerun(self, mr: MergeRequestRef) -> None:
        """A new merge-request pipeline; where that is refused, a retry of the gate job."""
        ...

    def explain(self, project: str, iid: int, text: str) -> bool:
        """Post ``text`` as a note on the MR once; False when it is there already."""
        ...


@dataclass(frozen=True)
class ForeignIssue:
    """An issue read as people wrote it (sop-sync need not own it): a request template."""

    ref: str
    """The tracker's own reference: ``<project-id>#<iid>`` on GitLab, the key on Jira."""
    title: str
    description: str
    """As written (Markdown; Jira's wiki markup converted), without sop-sync's marker."""
    author: str
    url: str
    notes: tuple[Note, ...] = ()
    """Comments, oldest first; a reply tag counts only on sop-sync's own (``in_reply_to``)."""
    request_key: str | None = None
    """The request the issue belongs to when it carries sop-sync's marker, else None."""


class Discussions(Protocol):
    """Reads and comments on any issue of the tracker (``/sop buka`` on a request template)."""

    def read(self, ref: str) -> ForeignIssue:
        """The issue ``ref`` with its comments."""
        ...

    def request_comments(self, epic: Issue) -> tuple[Note, ...]:
        """The comments on a request's epic as observed (with history), oldest first.

        For the documents, whose sections people may write there. Jira's observation carries
        them already (no call); GitLab's does not (nothing else reads them): one call.
        """
        ...

    def comment(self, ref: str, text: str, in_reply_to: str | None = None) -> None:
        """Comment on issue ``ref`` (Markdown); ``in_reply_to`` tags the answer as sop-sync's."""
        ...


@dataclass
class Connection:
    """An opened tracker, with the code host's repository inspector and merge requests."""

    tracker: Tracker
    repositories: Repositories
    merge_requests: MergeRequests | None = None
    """None when no code host is configured (the gate then needs a ``SOP:`` line)."""
    discussions: Discussions | None = None
    """Issues sop-sync does not own (None where there are no webhooks: the local tracker)."""

    def close(self) -> None:
        """Close the tracker."""
        self.tracker.close()


Context = TypeVar("Context")
C = TypeVar("C", bound=Change)


@dataclass(frozen=True)
class Handler(Generic[Context]):
    """One row of an adapter's table: a change type and the function that carries it out."""

    change_type: type
    run: Callable[[Context, Any], None]


def on(change_type: type[C], run: Callable[[Context, C], None]) -> Handler[Context]:
    """A table row; mypy checks that ``run`` takes exactly ``change_type``."""
    return Handler(change_type, run)


def table(*rows: Handler[Context]) -> Mapping[type, Callable[[Context, Any], None]]:
    """The dispatch table of an adapter (one row per change type; a test checks coverage)."""
    found: dict[type, Callable[[Context, Any], None]] = {}
    for row in rows:
        if row.change_type in found:
            raise ValueError(f"two handlers for {row.change_type.__name__}")
        found[row.change_type] = row.run
    return found
