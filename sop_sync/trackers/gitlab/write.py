"""How the GitLab tracker carries out each change: one handler per Change type (a table).

Every handler sends the fewest requests it can (labels added and removed in one PUT; the
epic given at issue creation) and records GitLab's answer in the session's cache. A handler
gets a :class:`Write`: the session, and ``Sudo`` when a test acts as a person.
"""

from __future__ import annotations

import re
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
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
from sop_sync.model.request import LINKS_KEY, RequestInput, format_links, parse_links
from sop_sync.model.tracker import text_digest
from sop_sync.trackers.base import on, table
from sop_sync.trackers.gitlab import labels, listing, milestones, notes
from sop_sync.trackers.gitlab.cache import MarkedIssue
from sop_sync.trackers.gitlab.marker import (
    UPLOAD,
    Marker,
    attach,
    split,
    upload_markdown,
    with_reply,
)
from sop_sync.trackers.gitlab.session import GitLabSession
from sop_sync.trackers.gitlab.uploads import upload


@dataclass(frozen=True)
class Write:
    """What a handler works with: the session, and ``{"sudo": username}`` when a person acts."""

    session: GitLabSession
    who: dict[str, Any] = field(default_factory=dict)


def _owned(session: GitLabSession, ref: Ref) -> MarkedIssue:
    found = session.owned(ref)
    if found is None:
        raise TrackerError(f"GitLab: {ref.describe()} does not exist")
    return found


def ensure_label(w: Write, c: EnsureLabel) -> None:
    """Create the label where it belongs (an epic's in the group), or update it there."""
    labels.ensure(w.session, c.label)


def ensure_milestone(w: Write, c: EnsureMilestone) -> None:
    """Create the milestone, or update its dates and description."""
    milestones.ensure(w.session, c)


def create_issue(w: Write, c: CreateIssue) -> None:
    """Create the request (epic or parent issue) or a step issue, marker included."""
    s = w.session
    epic = s.owned(Ref(c.ref.key))
    sop = dict(c.data).get("sop") if c.ref.step is None else (epic.marker.sop if epic else None)
    if sop is None:
        raise TrackerError(f"GitLab: {c.ref.describe()}: its request does not exist yet")
    if s.owned(c.ref, complete=True) is not None:  # the bulk listing: never twice
        raise TrackerError(f"GitLab: {c.ref.describe()} exists already")
    marker = Marker(
        c.ref.key,
        sop,
        c.ref.step,
        dict(c.data),
        digest=text_digest(c.description),
        safe=c.ref.step is None,  # this version's creates are never resent blind
    )
    data: dict[str, Any] = {
        "title": c.title,
        "description": attach(c.description, marker),
        "labels": ",".join(c.labels),
    }
    if c.ref.step is None:
        _create_request(w, c, data, marker)
        return
    data["due_date"] = c.due.isoformat() if c.due else None
    if c.milestone:
        data["milestone_id"] = milestones.milestone_id(s, c.milestone)
    if c.assignees:
        data["assignee_ids"] = [s.user_id(name) for name in c.assignees]
    if epic is not None and epic.epic:
        data["epic_id"] = epic.attrs["id"]  # Premium: join the epic at creation, no extra call
    made = s.create(
        f"creating {c.ref.describe()}",
        lambda: dict(s.project.issues.create(data, **w.who).attributes),
        lambda: _made(s, c.ref, sop),
    )
    s.remember(MarkedIssue(made, marker))
    if epic is not None and not epic.epic and c.ref.step is not None:
        # Free: the child is linked to its parent issue (the task list is in the parent)
        _post_link(s, epic, MarkedIssue(made, marker), "relates_to")


def _made(s: GitLabSession, ref: Ref, sop: str) -> dict[str, Any] | None:
    """After an uncertain create: the epic or issue GitLab made all the same (by its marker)."""
    if ref.step is None:
        manager = s.group.epics if s.epics else s.project.issues  # type: ignore[union-attr]
        found = listing.owned_requests(s, manager, epic=s.epics).get(ref.key)
    else:
        found = listing.sop_steps(s, sop).get(ref.key, {}).get(ref.step)
    return dict(found.attrs) if found is not None else None


def _create_request(w: Write, c: CreateIssue, data: dict[str, Any], marker: Marker) -> None:
    """The epic (Premium) or parent issue (Free); meanwhile warm what the steps will need."""
    s = w.session
    epic = s.epics
    if epic:
        labels.check_epic_labels(s, c.ref, c.labels)
    if epic and c.due:
        data |= {"due_date_fixed": c.due.isoformat(), "due_date_is_fixed": True}
    manager = s.group.epics if epic else s.project.issues  # type: ignore[union-attr]
    with ThreadPoolExecutor(2) as pool:  # the steps' reads ride along with this write
        warming = pool.submit(s.warm, marker.sop, _people(c.ref.key, dict(c.data)))
        made = s.create(
            f"creating {c.ref.describe()}",
            lambda: dict(manager.create(data, **w.who).attributes),
            lambda: _made(s, c.ref, marker.sop),
        )
        warming.result()
    s.remember(MarkedIssue(made, marker, epic=epic))
    if epic:
        labels.check_kept(c.ref, c.labels, made)


def _people(key: str, data: dict[str, str]) -> set[str]:
    try:
        request = RequestInput.from_data(key, data)
    except (KeyError, ValueError):
        return set()
    return {name for _, names in request.people for name in names}


def update_fields(w: Write, c: UpdateFields) -> None:
    """Set the given fields in one PUT; the description's digest and data live in the marker."""
    s = w.session
    owned = _owned(s, c.ref)
    text, marker = split(owned.attrs.get("description"))
    assert marker is not None  # noqa: S101 - owned objects always carry a marker
    payload: dict[str, Any] = {}
    for update in c.fields:
        match update:
            case SetTitle(value):
                payload["title"] = value
            case SetDescription(value):
                text = value
                marker = replace(marker, digest=text_digest(value))
            case SetDue(value):
                key = "due_date_fixed" if owned.epic else "due_date"
                payload[key] = value.isoformat() if value else None
            case SetMilestone(value):
                payload["milestone_id"] = milestones.milestone_id(s, value)
            case SetData(value):
                data = dict(value)
                if LINKS_KEY in data:
                    data[LINKS_KEY] = _confirmed_links(s, c.ref.key, data[LINKS_KEY], marker)
                marker = replace(marker, data=data)
    payload["description"] = attach(text, marker)
    _put(w, owned, payload, f"updating {c.ref.describe()}", marker)


def _confirmed_links(session: GitLabSession, key: str, wanted: str, marker: Marker) -> str:
    """Record only the links that exist: those recorded before and those made this run."""
    known = parse_links(marker.data.get(LINKS_KEY, "")) | session.confirmed_links(key)
    return format_links(tuple(link for link in sorted(parse_links(wanted)) if link in known))


def _put(
    w: Write, owned: MarkedIssue, payload: dict[str, Any], doing: str, marker: Marker | None = None
) -> dict[str, Any]:
    s = w.session
    manager = s.group.epics if owned.epic else s.project.issues  # type: ignore[union-attr]
    answer = s.call(doing, lambda: manager.update(owned.attrs["iid"], payload, **w.who))
    s.remember(MarkedIssue({**owned.attrs, **answer}, marker or owned.marker, owned.epic))
    return dict(answer)


def add_labels(w: Write, c: AddLabels) -> None:
    """Add labels; on Free, remove scoped siblings in the same call (not exclusive there)."""
    owned = _owned(w.session, c.ref)
    payload: dict[str, Any] = {"add_labels": ",".join(c.labels)}
    if not w.session.capabilities.scoped_labels:
        scopes = {name.rsplit("::", 1)[0] for name in c.labels if "::" in name}
        siblings = [
            name
            for name in owned.attrs.get("labels") or ()
            if "::" in name and name.rsplit("::", 1)[0] in scopes and name not in c.labels
        ]
        if siblings:
            payload["remove_labels"] = ",".join(siblings)
    answer = _put(w, owned, payload, f"labelling {c.ref.describe()}")
    if owned.epic:  # an epic takes group labels only; GitLab drops the others silently
        labels.check_kept(c.ref, c.labels, answer)


def remove_labels(w: Write, c: RemoveLabels) -> None:
    """Remove labels."""
    owned = _owned(w.session, c.ref)
    _put(w, owned, {"remove_labels": ",".join(c.labels)}, f"unlabelling {c.ref.describe()}")


def close(w: Write, c: Close) -> None:
    """Close (nothing sent when already closed)."""
    owned = _owned(w.session, c.ref)
    if owned.attrs.get("state") != "closed":
        _put(w, owned, {"state_event": "close"}, f"closing {c.ref.describe()}")


def reopen(w: Write, c: Reopen) -> None:
    """Reopen (nothing sent when already open)."""
    owned = _owned(w.session, c.ref)
    if owned.attrs.get("state") == "closed":
        _put(w, owned, {"state_event": "reopen"}, f"reopening {c.ref.describe()}")


def comment(w: Write, c: Comment) -> None:
    """Add a note; a reply carries the hidden tag naming the note it answers."""
    s = w.session
    owned = _owned(s, c.ref)
    _post_note(w, owned, with_reply(c.body, c.in_reply_to), f"commenting on {c.ref.describe()}")


def _post_note(w: Write, owned: MarkedIssue, body: str, doing: str) -> None:
    """Post a note on an owned issue or epic, once (see :func:`.notes.post`)."""
    notes.post(w.session, w.session.handle(owned).notes, body, doing, who=w.who)


def _post_link(
    session: GitLabSession, source: MarkedIssue, target: MarkedIssue, link_type: str
) -> None:
    data = {
        "target_project_id": session.project.id,
        "target_issue_iid": target.attrs["iid"],
        "link_type": link_type,
    }
    doing = f"linking {source.marker.ref.describe()} to {target.marker.ref.describe()}"
    issues = session.project.issues
    try:
        # GitLab refuses a second link of the pair (409): sending again is safe
        session.create(doing, lambda: issues.get(source.attrs["iid"], lazy=True).links.create(data))
    except TrackerError as error:
        if "HTTP 409" not in error.message:  # GitLab: 409 when the issues are already linked
            raise


def link(w: Write, c: Link) -> None:
    """An ordering link: `blocks` on Premium, `relates_to` on Free; remembered as confirmed."""
    s = w.session
    source, target = _owned(s, c.source), _owned(s, c.target)
    _post_link(s, source, target, "blocks" if s.capabilities.blocking_links else "relates_to")
    if c.source.step is not None and c.target.step is not None:
        s.confirm_link(c.source.key, (c.source.step, c.target.step))


def attach_file(w: Write, c: Attach) -> None:
    """Upload the file to the project and link it in a note (GitLab has no issue attachments).

    GitLab stores the file under a cleaned name (``Laporan_UAT__final_.pdf``); the link's
    text keeps the name given, which is what evidence patterns are matched against.
    """
    s = w.session
    owned = _owned(s, c.ref)
    uploaded = upload(s, c.filename, c.content, w.who)
    body = f"Lampiran: {upload_markdown(c.filename, uploaded)}"
    _post_note(w, owned, body, f"linking upload on {c.ref.describe()}")


_UPLOAD_URL = re.compile(r"/uploads/(?P<secret>[0-9a-f]{32})/(?P<name>[^\s/)]+)$")
_GONE = ("HTTP 403", "HTTP 404")
"""The upload cannot be deleted here (GitLab before 17.2, or not a Maintainer) or is gone."""


def detach_file(w: Write, c: Detach) -> None:
    """Delete the upload where GitLab can, and strike its link out of the notes that show it.

    GitLab has no issue attachments: an upload is linked in a note (see :func:`attach_file`),
    and the observed attachment's id is that link's URL. Since GitLab 17.2 a Maintainer can
    delete an upload (doc/api/project_markdown_uploads.md "Delete an uploaded file by secret
    and filename": ``DELETE /projects/:id/uploads/:secret/:filename``, 204); on older
    versions, or with less than Maintainer, GitLab refuses (404 or 403) and the file stays
    reachable by its URL. Either way the link is then replaced in every note that carries it
    (``PUT .../notes/:note_id``, doc/api/notes.md "Modify existing issue note") by the name
    struck through, so the issue links only the current version. The upload is deleted
    first: a run that stops in between finds the link again next time and finishes.
    """
    s = w.session
    owned = _owned(s, c.ref)
    found = _UPLOAD_URL.search(c.attachment_id)
    if found is None:
        raise TrackerError(f"GitLab: {c.attachment_id!r} is not an upload link")
    secret, name = found["secret"], found["name"]
    path = f"/projects/{s.project.id}/uploads/{secret}/{urllib.parse.quote(name, safe='')}"
    try:
        s.call(f"deleting upload {c.filename!r}", lambda: s.gl.http_delete(path, **w.who))
    except TrackerError as error:
        if not any(code in error.message for code in _GONE):
            raise
    handle = s.handle(owned)
    for note in s.list(f"reading notes of {c.ref.describe()}", handle.notes):
        body = str(note.get("body") or "")
        struck = _struck(body, secret)
        if note.get("system") or struck == body:
            continue
        s.call(
            f"striking {c.filename!r} out of a note on {c.ref.describe()}",
            lambda n=note, b=struck: handle.notes.update(n["id"], {"body": b}, **w.who),  # type: ignore[misc]
        )


def _struck(body: str, secret: str) -> str:
    """``body`` with every link to upload ``secret`` replaced by its text struck through."""

    def strike(m: re.Match[str]) -> str:
        if m["secret"] != secret:
            return m.group(0)
        return f"~~{m['alt'] or m['name']}~~ (versi lama, dilepas)"

    return re.sub(r"!?" + UPLOAD.pattern, strike, body)


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
