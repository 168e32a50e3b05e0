"""How the Jira tracker carries out each change: one handler per Change type (a table).

Every handler sends the fewest calls it can (fields, labels, versions and the marker of one
issue in one ``PUT /issue``; labels with ``add``/``remove`` operations, so people's own
labels and the finder labels stay) and keeps the session's cache current from what it sent.
A handler gets a :class:`Write`: the session, and where writes go (the run's account, or a
person's when tests act as someone).
"""

from __future__ import annotations

from typing import Any

from sop_sync.errors import TrackerError
from sop_sync.model.changes import (
    AddLabels,
    Attach,
    Close,
    Comment,
    CreateIssue,
    Detach,
    EnsureLabel,
    EnsureMilestone,
    Link,
    Milestone,
    Ref,
    RemoveLabels,
    Reopen,
    SetData,
    SetDescription,
    SetDue,
    SetMilestone,
    SetTitle,
    UpdateFields,
)
from sop_sync.model.tracker import text_digest
from sop_sync.trackers.base import on, table
from sop_sync.trackers.jira import links, transitions
from sop_sync.trackers.jira.create import create_issue
from sop_sync.trackers.jira.marker import entity, reply_properties
from sop_sync.trackers.jira.markup import to_wiki
from sop_sync.trackers.jira.session import JiraSession, Owned, Write


def owned_issue(session: JiraSession, ref: Ref) -> Owned:
    """The issue behind ``ref``, or an error naming it."""
    found = session.owned(ref)
    if found is None:
        raise TrackerError(f"Jira: {ref.describe()} does not exist")
    return found


def ensure_label(w: Write, c: EnsureLabel) -> None:
    """Nothing: Jira labels are bare names that exist while an issue carries them."""


def _version_body(m: Milestone) -> dict[str, Any]:
    return {
        "description": m.description,
        "startDate": m.start.isoformat() if m.start else None,
        "releaseDate": m.due.isoformat() if m.due else None,
    }


def ensure_milestone(w: Write, c: EnsureMilestone) -> None:
    """A project version per phase: created, or its dates and description updated.

    ``POST /version`` directly: the library's ``create_version`` sleeps a second after it.
    """
    s, m = w.session, c.milestone
    have = s.versions().get(m.title)
    body = _version_body(m)
    if have is None:
        body |= {"name": m.title, "projectId": int(s.project.id)}
        made = s.call(f"creating version {m.title!r}", lambda: w.rest.post("version", body))
    else:
        made = s.call(
            f"updating version {m.title!r}", lambda: w.rest.put(f"version/{have['id']}", body)
        )
    with s.lock:
        s.cache.versions[m.title] = made or {**(have or {}), **body}


def _version_id(s: JiraSession, name: str) -> str:
    found = s.versions().get(name)
    if found is None:
        raise TrackerError(f"Jira: version {name!r} does not exist")
    return str(found["id"])


def _put(w: Write, owned: Owned, body: dict[str, Any], doing: str) -> None:
    w.session.call(doing, lambda: w.rest.put(f"issue/{owned.key}", body))
    w.session.remember(owned)


def update_fields(w: Write, c: UpdateFields) -> None:
    """Set the given fields in one PUT; the digest and request data live in the marker."""
    s = w.session
    owned = owned_issue(s, c.ref)
    fields: dict[str, Any] = {}
    update: dict[str, Any] = {}
    marker = owned.marker
    moved: list[str | None] = []
    for change in c.fields:
        match change:
            case SetTitle(value):
                fields["summary"] = value
            case SetDescription(value):
                fields["description"] = to_wiki(value)
                marker = marker.with_digest(text_digest(value))
            case SetDue(value):
                fields["duedate"] = value.isoformat() if value else None
            case SetMilestone(value):
                update["fixVersions"] = _move_version(s, owned, value)
                moved.append(value)
            case SetData(value):
                marker = marker.with_data(dict(value))
    body: dict[str, Any] = {}
    if fields:
        body["fields"] = fields
    if update:
        body["update"] = update
    if marker != owned.marker:
        body["properties"] = entity(marker)
    _put(w, owned, body, f"updating {c.ref.describe()} ({owned.key})")
    owned.fields.update(fields)
    owned.marker = marker
    for name in moved:
        kept = [v for v in owned.fields.get("fixVersions") or [] if not _ours(c.ref, v)]
        new = [{"id": _version_id(s, name), "name": name}] if name else []
        owned.fields["fixVersions"] = kept + new


def _ours(ref: Ref, version: dict[str, Any]) -> bool:
    return str(version.get("name", "")).startswith(f"{ref.key} · ")


def _move_version(s: JiraSession, owned: Owned, name: str | None) -> list[dict[str, Any]]:
    """``update.fixVersions``: drop this request's version, add the new one (people's stay)."""
    ops: list[dict[str, Any]] = [
        {"remove": {"id": str(v["id"])}}
        for v in owned.fields.get("fixVersions") or []
        if _ours(owned.marker.ref, v) and v.get("name") != name
    ]
    if name is not None:
        ops.append({"add": {"id": _version_id(s, name)}})
    return ops


def _labels(
    w: Write, owned: Owned, add: tuple[str, ...], remove: tuple[str, ...], doing: str
) -> None:
    ops = [{"add": n} for n in add] + [{"remove": n} for n in remove]
    if not ops:
        return
    _put(w, owned, {"update": {"labels": ops}}, doing)
    labels = [n for n in owned.fields.get("labels") or [] if n not in remove]
    owned.fields["labels"] = labels + [n for n in add if n not in labels]


def add_labels(w: Write, c: AddLabels) -> None:
    """Add labels; a scoped one (``status::x``) replaces its siblings in the same call."""
    owned = owned_issue(w.session, c.ref)
    have = owned.fields.get("labels") or []
    scopes = {name.rsplit("::", 1)[0] for name in c.labels if "::" in name}
    siblings = tuple(
        n for n in have if "::" in n and n.rsplit("::", 1)[0] in scopes and n not in c.labels
    )
    missing = tuple(n for n in c.labels if n not in have)
    _labels(w, owned, missing, siblings, f"labelling {c.ref.describe()} ({owned.key})")


def remove_labels(w: Write, c: RemoveLabels) -> None:
    """Remove labels."""
    owned = owned_issue(w.session, c.ref)
    present = tuple(n for n in c.labels if n in (owned.fields.get("labels") or []))
    _labels(w, owned, (), present, f"unlabelling {c.ref.describe()} ({owned.key})")


def close(w: Write, c: Close) -> None:
    """Close through a transition; closing the request also releases its versions."""
    transitions.move(w, owned_issue(w.session, c.ref), close=True)
    if c.ref.step is None:
        _release(w, c.ref.key, True)


def reopen(w: Write, c: Reopen) -> None:
    """Reopen through a transition; reopening the request brings its versions back."""
    transitions.move(w, owned_issue(w.session, c.ref), close=False)
    if c.ref.step is None:
        _release(w, c.ref.key, False)


def _release(w: Write, key: str, done: bool) -> None:
    """Released and archived when the request ends, so the project's list stays usable."""
    s = w.session
    for name, version in sorted(s.versions().items()):
        if name.startswith(f"{key} · ") and bool(version.get("archived")) != done:
            body = {"released": done, "archived": done}
            path = f"version/{version['id']}"
            doing = f"{'releasing' if done else 'restoring'} version {name!r}"
            made = s.call(doing, lambda p=path, b=body: w.rest.put(p, b))  # type: ignore[misc]
            with s.lock:
                s.cache.versions[name] = made or {**version, **body}


def comment(w: Write, c: Comment) -> None:
    """A comment in wiki markup; a reply names the comment it answers in a property."""
    s = w.session
    owned = owned_issue(s, c.ref)
    body: dict[str, Any] = {"body": to_wiki(c.body)}
    if c.in_reply_to is not None:
        body["properties"] = reply_properties(c.in_reply_to)
    s.call(
        f"commenting on {c.ref.describe()} ({owned.key})",
        lambda: w.rest.post(f"issue/{owned.key}/comment", body),
    )


def attach_file(w: Write, c: Attach) -> None:
    """An attachment (multipart field ``file``; the session sends ``X-Atlassian-Token``)."""
    s = w.session
    owned = owned_issue(s, c.ref)
    files = {"file": (c.filename, c.content)}
    s.call(
        f"attaching {c.filename!r} to {c.ref.describe()} ({owned.key})",
        lambda: w.rest.request("POST", f"issue/{owned.key}/attachments", files=files),
    )


def detach_file(w: Write, c: Detach) -> None:
    """``DELETE /attachment/{id}`` (needs "Delete own attachments"); one gone already is done.

    Jira REST v2 "Delete attachment" (removeAttachment) answers 204, and 404 for an id it
    does not have (deleted meanwhile, or by a retried call whose first answer was lost).
    """
    s = w.session
    owned = owned_issue(s, c.ref)
    try:
        s.call(
            f"removing {c.filename!r} from {c.ref.describe()} ({owned.key})",
            lambda: w.rest.request("DELETE", f"attachment/{c.attachment_id}"),
        )
    except TrackerError as error:
        if "HTTP 404" not in error.message:
            raise


def link(w: Write, c: Link) -> None:
    """An ordering link: source "blocks" target."""
    s = w.session
    links.block(w, owned_issue(s, c.source), owned_issue(s, c.target))


HANDLERS = table(
    on(EnsureLabel, ensure_label),
    on(EnsureMilestone, ensure_milestone),
    on(CreateIssue, create_issue),
    on(UpdateFields, update_fields),
    on(AddLabels, add_labels),
    on(RemoveLabels, remove_labels),
    on(Close, close),
    on(Reopen, reopen),
    on(Comment, comment),
    on(Link, link),
    on(Attach, attach_file),
    on(Detach, detach_file),
)
"""Every Change type and its handler; a test checks it covers ``CHANGE_TYPES``."""
