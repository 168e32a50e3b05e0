"""Reading Jira: requests from the epics' markers, and one request as the core reads it.

Planning (``history=False``) reads only the session's searches. With history, the request's
issues are searched again with their comments, attachments and changelog (:mod:`.history`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sop_sync.model.changes import Milestone
from sop_sync.model.tracker import Issue, ObservedRequest, RequestSummary, State
from sop_sync.trackers.jira import history as past
from sop_sync.trackers.jira.links import ordering
from sop_sync.trackers.jira.marker import is_finder
from sop_sync.trackers.jira.meta import category_of
from sop_sync.trackers.jira.session import JiraSession, Owned


def date(text: object) -> dt.date | None:
    """A Jira date (``2026-12-01``) or None."""
    return dt.date.fromisoformat(str(text)[:10]) if text else None


def state(owned: Owned) -> State:
    """Closed when the status is in the Done category."""
    return State.CLOSED if category_of(owned.fields.get("status")) == "done" else State.OPEN


def requests(session: JiraSession) -> list[RequestSummary]:
    """Every request, from the epics' markers (one search of every owned issue)."""
    session.load_all()
    with session.lock:
        epics = [o for ref, o in session.cache.issues.items() if ref.step is None]
    return [
        RequestSummary(
            o.marker.key,
            o.marker.sop,
            str(o.fields.get("summary", "")),
            state(o),
            dict(o.marker.data),
        )
        for o in sorted(epics, key=lambda o: o.marker.key)
    ]


def observe(session: JiraSession, key: str, *, history: bool) -> ObservedRequest:
    """The request's objects; comments, attachments and history only with ``history``."""
    if history:
        session.load_request(key, history=True)
    owned = session.issues_of(key)
    epic = owned.get(None)
    if epic is None:
        session.prepare_epic()  # the plan will create the epic: read its fields meanwhile
    steps = {n: o for n, o in owned.items() if n is not None}
    extra = past.read(session, list(owned.values())) if history else {}
    issues = {n: issue(session, o, extra.get(o.key)) for n, o in steps.items()}
    used = {i.milestone for i in issues.values() if i.milestone}
    milestones = {
        name: milestone(v)
        for name, v in session.versions().items()
        if name in used or name.startswith(f"{key} · ")
    }
    return ObservedRequest(
        key=key,
        epic=issue(session, epic, extra.get(epic.key)) if epic else None,
        steps=issues,
        labels={},  # Jira's labels are bare names: nothing to define (label_definitions)
        milestones=milestones,
        links=ordering(steps),
    )


def milestone(version: dict[str, Any]) -> Milestone:
    """A project version as a milestone."""
    return Milestone(
        str(version["name"]),
        date(version.get("startDate")),
        date(version.get("releaseDate")),
        str(version.get("description") or ""),
    )


def _milestone_of(owned: Owned) -> str | None:
    names = [str(v.get("name", "")) for v in owned.fields.get("fixVersions") or []]
    ours = [n for n in names if n.startswith(f"{owned.marker.key} · ")]
    found = ours or names
    return found[0] if found else None


def issue(session: JiraSession, owned: Owned, extra: past.History | None) -> Issue:
    """An owned issue as the core reads it."""
    f = owned.fields
    assignee = session.people.name_of(f.get("assignee"))
    found = extra or past.History()
    return Issue(
        ref=owned.marker.ref,
        tracker_id=owned.key,
        web_url=session.web_url(owned.key),
        title=str(f.get("summary", "")),
        description=str(f.get("description") or ""),
        state=state(owned),
        labels=frozenset(n for n in f.get("labels") or () if not is_finder(n)),
        assignees=(assignee,) if assignee else (),
        due=date(f.get("duedate")),
        milestone=_milestone_of(owned),
        data=dict(owned.marker.data),
        digest=owned.marker.digest,
        notes=found.notes,
        attachments=found.attachments,
        events=found.events,
    )
