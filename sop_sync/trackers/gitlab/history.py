"""A request's history on GitLab: what the rules read, and nothing more, read concurrently.

The rules read a step's notes (commands, sign-offs, reply tags; uploads linked in them are
its attachments) and who closed a closed step (the newest ``closed`` event,
rules/closing.py). So, per step issue:

- notes only when the issue says people wrote some: ``user_notes_count`` (doc/api/issues.md;
  system notes are not counted, and the rules skip them);
- state events (doc/api/resource_state_events.md) only for a step that is closed now: they
  name who closed and reopened it, and when; an open step's past closes judge nothing;
- no label events and no per-issue link reads: ordering links come from the epic's marker
  (``tautan``) plus those made this run;
- nothing for the request's own epic or parent issue: only the documents read its notes,
  through the discussions (:meth:`.discussions.GitLabDiscussions.request_comments`).

The calls run side by side, as many at a time as writes (the session's ``workers``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sop_sync.model.tracker import Attachment, Event, Note
from sop_sync.trackers.gitlab.cache import MarkedIssue
from sop_sync.trackers.gitlab.marker import split, split_reply, upload_links
from sop_sync.trackers.gitlab.session import GitLabSession

EPOCH = "1970-01-01T00:00:00Z"


def moment(text: object) -> dt.datetime:
    """A GitLab timestamp (``2026-12-01T07:30:00.000Z``) as an aware datetime."""
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


@dataclass(frozen=True)
class History:
    """One issue's notes, attachments and events."""

    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    events: tuple[Event, ...] = ()


def wants_notes(attrs: dict[str, Any]) -> bool:
    """Whether the issue may have notes by people (unknown counts are read)."""
    count = attrs.get("user_notes_count")
    return not isinstance(count, int) or count > 0


def histories(session: GitLabSession, steps: dict[int, MarkedIssue]) -> dict[int, History]:
    """The history of every step issue, from at most two calls each, run concurrently."""
    jobs: list[tuple[int, str, Callable[[], list[dict[str, Any]]]]] = []
    for number, owned in sorted(steps.items()):
        where = owned.marker.ref.describe()
        handle = session.handle(owned)
        if wants_notes(owned.attrs):
            jobs.append((number, "notes", _notes_call(session, where, handle)))
        if owned.attrs.get("state") == "closed":
            jobs.append((number, "states", _states_call(session, where, handle)))
    answers: list[list[dict[str, Any]]] = session.parallel([job for _, _, job in jobs])
    found = {(number, kind): rows for (number, kind, _), rows in zip(jobs, answers, strict=True)}
    own = _trusted_author(session, [rows for (_, kind), rows in found.items() if kind == "notes"])
    return {
        number: _history(
            owned, found.get((number, "notes"), []), found.get((number, "states"), []), own
        )
        for number, owned in steps.items()
    }


def _trusted_author(session: GitLabSession, note_lists: list[list[dict[str, Any]]]) -> str:
    """sop-sync's own username, asked only when some note carries a reply tag at all."""
    tagged = any(split_reply(n["body"])[1] for rows in note_lists for n in rows)
    return session.own_username() if tagged else ""


def _notes_call(
    session: GitLabSession, where: str, handle: Any
) -> Callable[[], list[dict[str, Any]]]:
    return lambda: session.list(
        f"reading notes of {where}", handle.notes, sort="asc", order_by="created_at"
    )


def _states_call(
    session: GitLabSession, where: str, handle: Any
) -> Callable[[], list[dict[str, Any]]]:
    return lambda: session.list(f"reading state events of {where}", handle.resourcestateevents)


def _history(
    owned: MarkedIssue,
    note_rows: list[dict[str, Any]],
    state_rows: list[dict[str, Any]],
    own: str,
) -> History:
    notes = tuple(_note(n, own) for n in note_rows)
    a = owned.attrs
    text, _ = split(a.get("description"))
    author = (a.get("author") or {}).get("username", "")
    events = [created(a)]
    events += [Event(n.created_at, n.author, "commented") for n in notes if not n.system]
    for e in state_rows:
        action = "closed" if e["state"] == "closed" else "reopened"
        events.append(Event(moment(e["created_at"]), e["user"]["username"], action))
    return History(
        notes=notes,
        attachments=attachments(author, moment(a.get("created_at") or EPOCH), text, notes),
        events=tuple(sorted(events, key=lambda event: event.at)),
    )


def created(attrs: dict[str, Any]) -> Event:
    """The creation of an issue or epic, by its author."""
    author = (attrs.get("author") or {}).get("username", "")
    return Event(moment(attrs["created_at"]), author, "created", attrs["title"])


def _note(n: dict[str, Any], own: str) -> Note:
    """A note; a reply tag counts only on sop-sync's own notes (anyone can type one)."""
    body, in_reply_to = split_reply(n["body"])
    if n["author"]["username"] != own:
        in_reply_to = None
    return Note(
        str(n["id"]),
        n["author"]["username"],
        body,
        moment(n["created_at"]),
        bool(n.get("system")),
        in_reply_to,
    )


def attachments(
    author: str, created_at: dt.datetime, text: str, notes: tuple[Note, ...]
) -> tuple[Attachment, ...]:
    """Uploads linked in the description (by the issue's author) and in notes (by theirs)."""
    found = [(name, url, author, created_at) for name, url in upload_links(text)]
    for note in notes:
        found += [
            (name, url, note.author, note.created_at) for name, url in upload_links(note.body)
        ]
    return tuple(Attachment(url, name, url, by, at) for name, url, by, at in found)
