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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sop_sync.model.changes import Change
from sop_sync.model.tracker import Capabilities, ObservedRequest, RepoStatus, RequestSummary


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


class MergeRequests(Protocol):
    """Reads merge requests on the code host (for the merge-request gate)."""

    def request_key(self, project: str, iid: int) -> str | None:
        """The request a merge request names: a ``SOP: <kunci>`` line, else an issue it closes."""
        ...


@dataclass
class Connection:
    """An opened tracker, with the code host's repository inspector and merge requests."""

    tracker: Tracker
    repositories: Repositories
    merge_requests: MergeRequests | None = None
    """None when no code host is configured (the gate then needs a ``SOP:`` line)."""

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
