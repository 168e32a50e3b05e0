"""Reading GitLab: requests from the epics' (or parent issues') markers, and one request.

Planning reads only the cached list calls (``history=False``); the rules also read each
issue's notes, label and state events, and links.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sop_sync.model.changes import Milestone
from sop_sync.model.request import LINKS_KEY, parse_links
from sop_sync.model.tracker import (
    Attachment,
    Event,
    Issue,
    Note,
    ObservedRequest,
    RequestSummary,
    State,
    text_digest,
)
from sop_sync.trackers.gitlab.marker import split, split_reply, upload_links
from sop_sync.trackers.gitlab.session import GitLabSession, MarkedIssue


def _date(text: object) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None


def moment(text: object) -> dt.datetime:
    """A GitLab timestamp (``2026-12-01T07:30:00.000Z``) as an aware datetime."""
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def state(attrs: dict[str, Any]) -> State:
    """Open or closed, from GitLab's ``state``."""
    return State.CLOSED if attrs.get("state") == "closed" else State.OPEN


def requests(session: GitLabSession) -> list[RequestSummary]:
    """Every request, from the epics' (or parent issues') markers."""
    return [
        RequestSummary(key, o.marker.sop, o.attrs["title"], state(o.attrs), dict(o.marker.data))
        for key, o in sorted(session.requests().items())
    ]


def observe(session: GitLabSession, key: str, *, history: bool) -> ObservedRequest:
    """The request's objects; notes, events and links only with ``history``."""
    session.prefetch()
    epic = session.requests().get(key)
    steps = session.steps(epic.marker.sop).get(key, {}) if epic else {}
    issues = {number: issue(session, o, history) for number, o in steps.items()}
    titles = {i.milestone for i in issues.values() if i.milestone}
    milestones = {
        title: _milestone(a)
        for title, a in session.milestones().items()
        if title in titles or title.startswith(f"{key} · ")
    }
    if history:
        links = _links(session, steps)
    else:  # planning: the links the epic's marker records, plus those made this run
        recorded = parse_links(epic.marker.data.get(LINKS_KEY, "")) if epic else frozenset()
        links = recorded | session.confirmed_links(key)
    return ObservedRequest(
        key=key,
        epic=issue(session, epic, history) if epic else None,
        steps=issues,
        labels=dict(session.labels()),
        milestones=milestones,
        links=links,
    )


def _links(session: GitLabSession, steps: dict[int, MarkedIssue]) -> frozenset[tuple[int, int]]:
    """Ordering links as GitLab has them (one list call per step issue)."""
    number_of = {o.attrs["iid"]: n for n, o in steps.items()}
    found: set[tuple[int, int]] = set()
    for number, owned in steps.items():
        doing = f"reading links of {owned.marker.ref.describe()}"
        for other in session.list(doing, session.handle(owned).links):
            target = number_of.get(other.get("iid"))
            if target is not None and target > number:  # ordering runs forward
                found.add((number, target))
    return frozenset(found)


def issue(session: GitLabSession, owned: MarkedIssue, history: bool) -> Issue:
    """An owned object as the core reads it."""
    a = owned.attrs
    text, _ = split(a.get("description"))
    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    events: tuple[Event, ...] = ()
    if history:
        notes = _notes(session, owned)
        attachments = _attachments(a, text, notes)
        events = _events(session, owned, notes)
    milestone = a.get("milestone") or None
    return Issue(
        ref=owned.marker.ref,
        tracker_id=str(a["iid"]),
        web_url=a.get("web_url", ""),
        title=a["title"],
        description=text,
        state=state(a),
        labels=frozenset(a.get("labels") or ()),
        assignees=tuple(u["username"] for u in a.get("assignees") or ()),
        due=_date(a.get("due_date") or a.get("end_date")),
        milestone=milestone["title"] if milestone else None,
        data=dict(owned.marker.data),
        digest=owned.marker.digest or text_digest(text),  # older markers kept no digest
        notes=notes,
        attachments=attachments,
        events=events,
    )


def _notes(session: GitLabSession, owned: MarkedIssue) -> tuple[Note, ...]:
    found = session.list(
        f"reading notes of {owned.marker.ref.describe()}",
        session.handle(owned).notes,
        sort="asc",
        order_by="created_at",
    )
    notes = []
    for n in found:
        body, in_reply_to = split_reply(n["body"])
        notes.append(
            Note(
                str(n["id"]),
                n["author"]["username"],
                body,
                moment(n["created_at"]),
                bool(n.get("system")),
                in_reply_to,
            )
        )
    return tuple(notes)


def _events(
    session: GitLabSession, owned: MarkedIssue, notes: tuple[Note, ...]
) -> tuple[Event, ...]:
    """One history from GitLab's records: creation, label and state events, comments."""
    a = owned.attrs
    author = (a.get("author") or {}).get("username", "")
    found = [Event(moment(a["created_at"]), author, "created", a["title"])]
    found += [Event(n.created_at, n.author, "commented") for n in notes if not n.system]
    if not owned.epic:
        where = owned.marker.ref.describe()
        handle = session.handle(owned)
        created = moment(a["created_at"])
        for e in session.list(f"reading label events of {where}", handle.resourcelabelevents):
            at = moment(e["created_at"])
            by_author = e["user"]["username"] == author
            if e["action"] == "add" and by_author and abs((at - created).total_seconds()) < 1:
                continue  # GitLab records the labels given at creation: part of "created"
            action = "labeled" if e["action"] == "add" else "unlabeled"
            name = (e.get("label") or {}).get("name", "")
            found.append(Event(at, e["user"]["username"], action, name))
        for e in session.list(f"reading state events of {where}", handle.resourcestateevents):
            action = "closed" if e["state"] == "closed" else "reopened"
            found.append(Event(moment(e["created_at"]), e["user"]["username"], action))
    return tuple(sorted(found, key=lambda event: event.at))


def _milestone(a: dict[str, Any]) -> Milestone:
    return Milestone(
        a["title"], _date(a.get("start_date")), _date(a.get("due_date")), a.get("description") or ""
    )


def _attachments(
    attrs: dict[str, Any], text: str, notes: tuple[Note, ...]
) -> tuple[Attachment, ...]:
    """Uploads linked in the description (by the issue's author) and in notes (by their authors)."""
    author = (attrs.get("author") or {}).get("username", "")
    created = moment(attrs.get("created_at") or "1970-01-01T00:00:00Z")
    found = [(name, url, author, created) for name, url in upload_links(text)]
    for note in notes:
        found += [
            (name, url, note.author, note.created_at) for name, url in upload_links(note.body)
        ]
    return tuple(Attachment(url, name, url, by, at) for name, url, by, at in found)
