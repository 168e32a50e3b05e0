"""How the GitLab tracker carries out each change: one handler per Change type (a table).

Every handler sends the fewest requests it can (labels added and removed in one PUT; the
epic given at issue creation) and records GitLab's answer in the run's cache.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sop_sync.changes import (
    AddLabels,
    Attach,
    Change,
    Close,
    Comment,
    CreateIssue,
    EnsureLabel,
    EnsureMilestone,
    Link,
    Ref,
    RemoveLabels,
    Reopen,
    UpdateFields,
)
from sop_sync.errors import TrackerError
from sop_sync.plan import LINKS_KEY, format_links, parse_links
from sop_sync.request import RequestInput
from sop_sync.trackers.gitlab import GitLabTracker, Owned
from sop_sync.trackers.marker import Marker, attach, split

Sudo = dict[str, Any]
"""``{"sudo": username}`` when a person acts, else empty: passed to python-gitlab calls."""


def _owned(t: GitLabTracker, ref: Ref) -> Owned:
    found = t.owned(ref)
    if found is None:
        raise TrackerError(f"GitLab: {ref.describe()} does not exist")
    return found


def ensure_label(t: GitLabTracker, c: EnsureLabel, who: Sudo) -> None:
    """Create the project label, or update its colour and description."""
    have = t.labels().get(c.label.name)
    data = {"color": c.label.color, "description": c.label.description}
    if have is None:
        t.call(
            f"creating label {c.label.name!r}",
            lambda: t.project.labels.create({"name": c.label.name, **data}),
        )
    elif have != c.label:
        t.call(
            f"updating label {c.label.name!r}",
            lambda: t.project.labels.update(c.label.name, data),
        )
    t.labels()[c.label.name] = c.label


def ensure_milestone(t: GitLabTracker, c: EnsureMilestone, who: Sudo) -> None:
    """Create the milestone, or update its dates and description."""
    m = c.milestone
    data = {
        "description": m.description,
        "start_date": m.start.isoformat() if m.start else None,
        "due_date": m.due.isoformat() if m.due else None,
    }
    have = t.milestones().get(m.title)
    if have is None:
        made = t.call(
            f"creating milestone {m.title!r}",
            lambda: t.project.milestones.create({"title": m.title, **data}),
        )
        t.milestones()[m.title] = dict(made.attributes)
    else:
        answer = t.call(
            f"updating milestone {m.title!r}",
            lambda: t.project.milestones.update(have["id"], data),
        )
        t.milestones()[m.title] = {**have, **answer}


def _milestone_id(t: GitLabTracker, title: str | None) -> int:
    if title is None:
        return 0  # GitLab: 0 (or null) removes the milestone
    found = t.milestones().get(title)
    if found is None:
        raise TrackerError(f"GitLab: milestone {title!r} does not exist")
    return int(found["id"])


def create_issue(t: GitLabTracker, c: CreateIssue, who: Sudo) -> None:
    """Create the request (epic or parent issue) or a step issue, marker included."""
    epic = t.owned(Ref(c.ref.key))
    sop = dict(c.data).get("sop") if c.ref.step is None else (epic.marker.sop if epic else None)
    if sop is None:
        raise TrackerError(f"GitLab: {c.ref.describe()}: its request does not exist yet")
    if t.owned(c.ref) is not None:
        raise TrackerError(f"GitLab: {c.ref.describe()} exists already")
    marker = Marker(c.ref.key, sop, c.ref.step, dict(c.data))
    data: dict[str, Any] = {
        "title": c.title,
        "description": attach(c.description, marker),
        "labels": ",".join(c.labels),
    }
    if c.ref.step is None:
        _create_request(t, c, data, marker, who)
        return
    data["due_date"] = c.due.isoformat() if c.due else None
    if c.milestone:
        data["milestone_id"] = _milestone_id(t, c.milestone)
    if c.assignees:
        data["assignee_ids"] = [t.user_id(name) for name in c.assignees]
    if epic is not None and epic.epic:
        data["epic_id"] = epic.attrs["id"]  # Premium: join the epic at creation, no extra call
    made = t.call(f"creating {c.ref.describe()}", lambda: t.project.issues.create(data, **who))
    t.remember(Owned(dict(made.attributes), marker))
    if epic is not None and not epic.epic and c.ref.step is not None:
        # Free: the child is linked to its parent issue (the task list is in the parent)
        _post_link(t, epic, Owned(dict(made.attributes), marker), "relates_to")


def _create_request(
    t: GitLabTracker, c: CreateIssue, data: dict[str, Any], marker: Marker, who: Sudo
) -> None:
    """The epic (Premium) or parent issue (Free); meanwhile warm what the steps will need."""
    epic = t.group is not None and t.capabilities.blocking_links
    if epic and c.due:
        data |= {"due_date_fixed": c.due.isoformat(), "due_date_is_fixed": True}
    manager = t.group.epics if epic else t.project.issues  # type: ignore[union-attr]
    with ThreadPoolExecutor(2) as pool:  # the steps' reads ride along with this write
        warming = pool.submit(t.warm, marker.sop, _people(c.ref.key, dict(c.data)))
        made = t.call(f"creating {c.ref.describe()}", lambda: manager.create(data, **who))
        warming.result()
    t.remember(Owned(dict(made.attributes), marker, epic=epic))


def _people(key: str, data: dict[str, str]) -> set[str]:
    try:
        request = RequestInput.from_data(key, data)
    except (KeyError, ValueError):
        return set()
    return {name for _, names in request.people for name in names}


def update_fields(t: GitLabTracker, c: UpdateFields, who: Sudo) -> None:
    """Set the named fields in one PUT; data lives in the marker."""
    owned = _owned(t, c.ref)
    text, marker = split(owned.attrs.get("description"))
    assert marker is not None  # noqa: S101 - owned objects always carry a marker
    payload: dict[str, Any] = {}
    for name, value in c.fields:
        if name == "title":
            payload["title"] = value
        elif name == "description":
            text = str(value)
        elif name == "due":
            key = "due_date_fixed" if owned.epic else "due_date"
            payload[key] = value.isoformat() if isinstance(value, dt.date) else None
        elif name == "milestone":
            payload["milestone_id"] = _milestone_id(t, value if isinstance(value, str) else None)
        elif name == "data":
            data = dict(value) if isinstance(value, tuple) else {}
            if LINKS_KEY in data:
                data[LINKS_KEY] = _confirmed_links(t, c.ref.key, data[LINKS_KEY], marker)
            marker = Marker(marker.key, marker.sop, marker.step, data)
    payload["description"] = attach(text, marker)
    _put(t, owned, payload, f"updating {c.ref.describe()}", who, marker)


def _confirmed_links(t: GitLabTracker, key: str, wanted: str, marker: Marker) -> str:
    """Record only the links that exist: those recorded before and those made this run."""
    known = parse_links(marker.data.get(LINKS_KEY, "")) | t.cache.confirmed_links.get(key, set())
    return format_links(tuple(link for link in sorted(parse_links(wanted)) if link in known))


def _put(
    t: GitLabTracker,
    owned: Owned,
    payload: dict[str, Any],
    doing: str,
    who: Sudo,
    marker: Marker | None = None,
) -> None:
    manager = t.group.epics if owned.epic else t.project.issues  # type: ignore[union-attr]
    answer = t.call(doing, lambda: manager.update(owned.attrs["iid"], payload, **who))
    t.remember(Owned({**owned.attrs, **answer}, marker or owned.marker, owned.epic))


def add_labels(t: GitLabTracker, c: AddLabels, who: Sudo) -> None:
    """Add labels; on Free, remove scoped siblings in the same call (not exclusive there)."""
    owned = _owned(t, c.ref)
    payload: dict[str, Any] = {"add_labels": ",".join(c.labels)}
    if not t.capabilities.scoped_labels:
        scopes = {name.rsplit("::", 1)[0] for name in c.labels if "::" in name}
        siblings = [
            name
            for name in owned.attrs.get("labels") or ()
            if "::" in name and name.rsplit("::", 1)[0] in scopes and name not in c.labels
        ]
        if siblings:
            payload["remove_labels"] = ",".join(siblings)
    _put(t, owned, payload, f"labelling {c.ref.describe()}", who)


def remove_labels(t: GitLabTracker, c: RemoveLabels, who: Sudo) -> None:
    """Remove labels."""
    owned = _owned(t, c.ref)
    _put(t, owned, {"remove_labels": ",".join(c.labels)}, f"unlabelling {c.ref.describe()}", who)


def close(t: GitLabTracker, c: Close, who: Sudo) -> None:
    """Close (nothing sent when already closed)."""
    owned = _owned(t, c.ref)
    if owned.attrs.get("state") != "closed":
        _put(t, owned, {"state_event": "close"}, f"closing {c.ref.describe()}", who)


def reopen(t: GitLabTracker, c: Reopen, who: Sudo) -> None:
    """Reopen (nothing sent when already open)."""
    owned = _owned(t, c.ref)
    if owned.attrs.get("state") == "closed":
        _put(t, owned, {"state_event": "reopen"}, f"reopening {c.ref.describe()}", who)


def comment(t: GitLabTracker, c: Comment, who: Sudo) -> None:
    """Add a note."""
    owned = _owned(t, c.ref)
    t.call(
        f"commenting on {c.ref.describe()}",
        lambda: t.handle(owned).notes.create({"body": c.body}, **who),
    )


def _post_link(t: GitLabTracker, source: Owned, target: Owned, link_type: str) -> None:
    data = {
        "target_project_id": t.project.id,
        "target_issue_iid": target.attrs["iid"],
        "link_type": link_type,
    }
    doing = f"linking {source.marker.ref.describe()} to {target.marker.ref.describe()}"
    try:
        t.call(
            doing, lambda: t.project.issues.get(source.attrs["iid"], lazy=True).links.create(data)
        )
    except TrackerError as error:
        if "HTTP 409" not in error.message:  # GitLab: 409 when the issues are already linked
            raise


def link(t: GitLabTracker, c: Link, who: Sudo) -> None:
    """An ordering link: `blocks` on Premium, `relates_to` on Free; remembered as confirmed."""
    source, target = _owned(t, c.source), _owned(t, c.target)
    _post_link(t, source, target, "blocks" if t.capabilities.blocking_links else "relates_to")
    if c.source.step is not None and c.target.step is not None:
        with t.lock:
            t.cache.confirmed_links.setdefault(c.source.key, set()).add(
                (c.source.step, c.target.step)
            )


def attach_file(t: GitLabTracker, c: Attach, who: Sudo) -> None:
    """Upload the file to the project and link it in a note (GitLab has no issue attachments)."""
    owned = _owned(t, c.ref)
    uploaded = _upload(t, c, who)
    body = f"Lampiran: {uploaded['markdown']}"
    t.call(
        f"linking upload on {c.ref.describe()}",
        lambda: t.handle(owned).notes.create({"body": body}, **who),
    )


UPLOAD_ATTEMPTS = 5


def _upload(t: GitLabTracker, c: Attach, who: Sudo) -> dict[str, Any]:
    """Upload with our own retries.

    python-gitlab streams the multipart body once, so its own retry would resend an empty
    body (the server then waits for bytes that never come); each attempt here starts anew.
    """
    doing = f"uploading {c.filename!r}"
    for attempt in range(UPLOAD_ATTEMPTS):
        try:
            result: dict[str, Any] = t.call(
                doing,
                lambda: t.project.upload(
                    c.filename,
                    filedata=c.content,
                    retry_transient_errors=False,
                    obey_rate_limit=False,
                    **who,
                ),
            )
            return result
        except TrackerError as error:
            transient = any(f"HTTP {code}" in error.message for code in (429, 500, 502, 503, 504))
            if not transient or attempt == UPLOAD_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


HANDLERS: dict[type, Callable[[GitLabTracker, Any, Sudo], None]] = {
    EnsureLabel: ensure_label,
    EnsureMilestone: ensure_milestone,
    CreateIssue: create_issue,
    UpdateFields: update_fields,
    AddLabels: add_labels,
    RemoveLabels: remove_labels,
    Close: close,
    Reopen: reopen,
    Comment: comment,
    Link: link,
    Attach: attach_file,
}
"""Every Change type and its handler; a test checks it covers ``CHANGE_TYPES``."""

__all__ = ["HANDLERS", "Change"]
