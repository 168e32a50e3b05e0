"""Reading GitLab: requests from the epics' (or parent issues') markers, and one request.

Planning reads only what the session lists (``history=False``); with ``history`` the rules
also get each step's notes, attachments and state events (:mod:`.history`). The first request
observed with its history in a run is read on its own (its issues and milestones only); any
other observation uses the bulk listing of its SOP (:mod:`.session`).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sop_sync.model.changes import Milestone
from sop_sync.model.request import LINKS_KEY, parse_links
from sop_sync.model.tracker import (
    Duplicate,
    Issue,
    ObservedRequest,
    RequestSummary,
    State,
    text_digest,
)
from sop_sync.trackers.gitlab import labels, milestones
from sop_sync.trackers.gitlab.cache import MarkedIssue
from sop_sync.trackers.gitlab.history import History, created, histories
from sop_sync.trackers.gitlab.marker import split
from sop_sync.trackers.gitlab.session import GitLabSession


def _date(text: object) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None


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
    """The request's objects; notes, attachments and state events only with ``history``."""
    epic = session.requests().get(key)
    alone = history and session.first_observed(key)
    if epic is None:  # a new request; when planning, its milestones are made or found then
        if alone:
            milestones.list_for(session, key)
        steps: dict[int, MarkedIssue] = {}
    elif alone:  # this request's issues and milestones, side by side
        with ThreadPoolExecutor(2) as pool:
            found = pool.submit(session.steps_of, epic, alone=True)
            pool.submit(milestones.list_for, session, key).result()
            steps = found.result()
    else:
        steps = session.steps_of(epic)
        if not steps:  # a new request: its milestones are not on any issue yet
            milestones.list_for(session, key)
    read = histories(session, steps) if history else {}
    issues = {number: issue(o, read.get(number)) for number, o in steps.items()}
    titles = {i.milestone for i in issues.values() if i.milestone}
    known = {
        title: _milestone(a)
        for title, a in milestones.known(session).items()
        if title in titles or milestones.titled_for(title, key)
    }
    # ordering links cannot be listed in bulk: the ones the epic's marker records, plus
    # those made this run (the planning reads them so too)
    recorded = parse_links(epic.marker.data.get(LINKS_KEY, "")) if epic else frozenset()
    return ObservedRequest(
        key=key,
        epic=issue(epic, History(events=(created(epic.attrs),))) if epic else None,
        steps=issues,
        labels=labels.view(session),
        milestones=known,
        links=recorded | session.confirmed_links(key),
        duplicates=tuple(
            duplicate(o)
            for o in ([epic] if epic else []) + [steps[n] for n in sorted(steps)]
            if o.twins
        ),
    )


def _where(attrs: dict[str, Any]) -> str:
    return str(attrs.get("web_url") or f"#{attrs.get('iid')} (id {attrs.get('id')})")


def duplicate(owned: MarkedIssue) -> Duplicate:
    """The report of an owned object found more than once (the oldest is ``owned``)."""
    return Duplicate(owned.marker.ref, _where(owned.attrs), tuple(_where(a) for a in owned.twins))


def issue(owned: MarkedIssue, history: History | None = None) -> Issue:
    """An owned object as the core reads it (with its history when read)."""
    a = owned.attrs
    text, _ = split(a.get("description"))
    milestone = a.get("milestone") or None
    found = history or History()
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
        notes=found.notes,
        attachments=found.attachments,
        events=found.events,
    )


def _milestone(a: dict[str, Any]) -> Milestone:
    return Milestone(
        a["title"], _date(a.get("start_date")), _date(a.get("due_date")), a.get("description") or ""
    )
