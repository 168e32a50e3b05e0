"""The list calls sop-sync makes on GitLab, each answer turned into what the run keeps.

Each function takes the session (any :class:`Source`) and returns plain values; the session
decides when to call them and keeps the answers (:mod:`.session`). Every object is verified by
its hidden marker, whatever filter found it. When two objects carry the same marker (a create
retried after GitLab lost its answer, a copy made by hand) the oldest is used and the others
are kept as its ``twins``, for ``status`` and ``check`` to report.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Protocol, TypeVar

from sop_sync.model.changes import Label
from sop_sync.model.labels import REQUEST
from sop_sync.model.request import LINKS_KEY, parse_links
from sop_sync.trackers.gitlab.cache import MarkedIssue
from sop_sync.trackers.gitlab.marker import split

K = TypeVar("K")


def keep_oldest(found: MutableMapping[K, MarkedIssue], key: K, seen: MarkedIssue) -> None:
    """Add ``seen`` under ``key``: the oldest object is used, a newer one becomes its twin."""
    have = found.get(key)
    if have is None:
        found[key] = seen
        return
    old, new = (have, seen) if int(have.attrs["id"]) <= int(seen.attrs["id"]) else (seen, have)
    twins = tuple(sorted((*old.twins, *new.twins, new.attrs), key=lambda a: int(a["id"])))
    old.twins = twins
    new.twins = ()
    found[key] = old


class Source(Protocol):
    """What the list calls need: the project, the group, and a paginated list call."""

    project: Any
    group: Any

    def list(self, doing: str, manager: Any, **filters: Any) -> list[dict[str, Any]]:
        """Every page of a list call."""
        ...


def owned_requests(source: Source, manager: Any, *, epic: bool) -> dict[str, MarkedIssue]:
    """The requests (epics, or parent issues on Free) by key: labelled ``permohonan``."""
    found: dict[str, MarkedIssue] = {}
    for attrs in source.list("listing requests", manager, labels=[REQUEST], state="all"):
        _, marker = split(attrs.get("description"))
        if marker is not None and marker.step is None:
            keep_oldest(found, marker.key, MarkedIssue(attrs, marker, epic))
    return found


def sop_steps(source: Source, sop_id: str) -> dict[str, dict[int, MarkedIssue]]:
    """The bulk path: every step issue of every request of ``sop_id``, by key and step."""
    label = f"sop::{sop_id}"
    rows = source.list(
        f"listing {label} issues", source.project.issues, labels=[label], state="all"
    )
    grouped: dict[str, dict[int, MarkedIssue]] = {}
    for attrs in rows:
        _, marker = split(attrs.get("description"))
        if marker is not None and marker.step is not None:
            keep_oldest(grouped.setdefault(marker.key, {}), marker.step, MarkedIssue(attrs, marker))
    return grouped


def request_steps(source: Source, epic: MarkedIssue) -> dict[int, MarkedIssue] | None:
    """One request's step issues through the relation sop-sync made, in one list call.

    Premium: the epic's issues (doc/api/epic_issues.md "List issues for an epic"); each step
    joined its epic in the call that created it (``epic_id``). Free: the parent issue's links
    (doc/api/issue_links.md "List issue relations"), made right after each step. Both answer
    full issue entities. Issues search (``search`` + ``in=title`` on ``[kunci]``) is not used:
    on issues it is PostgreSQL full-text search (app/finders/issuable_finder.rb
    ``use_full_text_search?``; app/models/concerns/pg_full_text_searchable.rb: English stemming
    and stop words, so a key such as ``it`` finds nothing) and it counts against the search rate
    limit (lib/api/issues.rb ``validate_search_rate_limit!``).

    A Free request made before sop-sync stopped resending creates blind (its marker lacks
    ``aman``) may have a step issue made twice, the copy linked to nothing: its steps are
    listed instead by their SOP label among the issues created since the request was
    (``created_after``: a step is never made before its request), which finds such a copy
    for ``status`` and ``check`` to report. That is ceil(n / 100) calls for the n issues of
    the SOP made since: one for a recent request, up to the bulk listing for the oldest.

    None when a step the epic's marker records (its ``tautan``) is missing from the answer (a
    step moved out of its epic, a parent link lost): the caller then lists in bulk.
    """
    where = f"{epic.marker.ref.describe()}"
    if epic.epic:
        handle = source.group.epics.get(epic.attrs["iid"], lazy=True)
        rows = source.list(f"listing the issues of {where}", handle.issues)
    elif epic.marker.safe:
        handle = source.project.issues.get(epic.attrs["iid"], lazy=True)
        rows = source.list(f"listing the issues linked to {where}", handle.links)
    else:
        label = f"sop::{epic.marker.sop}"
        rows = source.list(
            f"listing {label} issues made since {where}",
            source.project.issues,
            labels=[label],
            created_after=epic.attrs["created_at"],
            state="all",
        )
    found: dict[int, MarkedIssue] = {}
    for attrs in rows:
        _, marker = split(attrs.get("description"))
        if (
            marker is not None
            and marker.step is not None
            and (marker.key, marker.sop) == (epic.marker.key, epic.marker.sop)
            and attrs.get("project_id") == source.project.id
        ):
            keep_oldest(found, marker.step, MarkedIssue(attrs, marker))
    recorded = {n for link in parse_links(epic.marker.data.get(LINKS_KEY, "")) for n in link}
    return found if recorded <= found.keys() else None


def labels(source: Source) -> tuple[dict[str, Label], dict[str, Label]]:
    """Project labels and the group labels the project sees, from one listing.

    doc/api/labels.md "List labels": ``include_ancestor_groups`` (default true) adds the labels
    of the project's groups, told apart by ``is_project_label``. A project label and a group
    label may share a name (a group label can be created over a project label's name).
    """
    rows = source.list("listing labels", source.project.labels)
    project: dict[str, Label] = {}
    group: dict[str, Label] = {}
    for a in rows:
        label = Label(a["name"], a["color"].upper(), a.get("description") or "")
        (project if a.get("is_project_label", True) else group).setdefault(a["name"], label)
    return project, group


def milestones(source: Source, **filters: Any) -> list[dict[str, Any]]:
    """Project milestones, filtered (doc/api/milestones.md ``title``, ``search``)."""
    return source.list("listing milestones", source.project.milestones, state="all", **filters)
