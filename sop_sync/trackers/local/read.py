"""Reading the local tracker: the request list and one request, each in one snapshot."""

from __future__ import annotations

import datetime as dt
import json

from sop_sync.errors import TrackerError
from sop_sync.model.changes import Label, Milestone, Ref
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
from sop_sync.trackers.local.schema import ISSUES_SQL, LINKS_SQL, MILESTONES_SQL, RELATED_SQL
from sop_sync.trackers.local.store import LocalStore, Row


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def web_url(ref: Ref) -> str:
    """The local address of an owned object: ``local:absensi`` or ``local:absensi/07``."""
    return f"local:{ref.key}" if ref.step is None else f"local:{ref.key}/{ref.step:02d}"


def requests(store: LocalStore) -> list[RequestSummary]:
    """Every epic, by key."""
    with store.snapshot("listing the requests"):
        rows = store.read(
            "SELECT request_key, title, state, data FROM issues WHERE kind = 'epic' "
            "ORDER BY request_key"
        )
    summaries = []
    for key, title, state, data in rows:
        values = _data(store, Ref(key), data)
        summaries.append(RequestSummary(key, values.get("sop", ""), title, State(state), values))
    return summaries


def observe(store: LocalStore, key: str) -> ObservedRequest:
    """Everything the request owns, in a fixed number of queries (always with history)."""
    prefix = f"{key} · "
    with store.snapshot(f"observing {Ref(key).describe()}"):
        rows = store.read(ISSUES_SQL, (key,))
        related = {name: _grouped(store.read(sql, (key,))) for name, sql in RELATED_SQL.items()}
        link_rows = store.read(LINKS_SQL, (key,))
        milestones = store.read(MILESTONES_SQL, (len(prefix), prefix, key))
        # every definition, not only those in use: the plan ensures labels no issue carries
        # yet (status::dilewati), and must see them defined to converge
        labels = store.read("SELECT name, color, description FROM labels")
    issues = [_issue(store, key, row, related) for row in rows]
    step_of = {int(row[0]): row[1] for row in rows}
    links = frozenset(
        (int(step_of[s]), int(step_of[t]))
        for s, t in link_rows
        if step_of.get(s) is not None and step_of.get(t) is not None
    )
    return ObservedRequest(
        key=key,
        epic=next((i for i in issues if i.ref.step is None), None),
        steps={i.ref.step: i for i in issues if i.ref.step is not None},
        labels={name: Label(name, color, text) for name, color, text in labels},
        milestones={
            title: Milestone(title, _date(start), _date(due), text)
            for title, start, due, text in milestones
        },
        links=links,
    )


def _issue(
    store: LocalStore, key: str, row: Row, related: dict[str, dict[int, list[Row]]]
) -> Issue:
    issue_id, step, title, description, state, due, milestone, data = row
    ref = Ref(key, step)

    def get(name: str) -> list[Row]:
        return related[name].get(issue_id, [])

    return Issue(
        ref=ref,
        tracker_id=str(issue_id),
        web_url=web_url(ref),
        title=title,
        description=description,
        state=State(state),
        labels=frozenset(label for (label,) in get("labels")),
        assignees=tuple(user for (user,) in get("assignees")),
        due=_date(due),
        milestone=milestone,
        data=_data(store, ref, data),
        digest=text_digest(description),  # the text is stored as written
        notes=tuple(
            Note(str(i), author, body, dt.datetime.fromisoformat(at), bool(system), reply)
            for i, author, body, at, system, reply in get("notes")
        ),
        attachments=tuple(
            Attachment(str(i), name, str(store.files / stored), by, dt.datetime.fromisoformat(at))
            for i, name, stored, by, at in get("attachments")
        ),
        events=tuple(
            Event(dt.datetime.fromisoformat(at), actor, action, detail)
            for at, actor, action, detail in get("events")
        ),
    )


def _data(store: LocalStore, ref: Ref, text: str) -> dict[str, str]:
    """The marker data of an owned object; one line naming the file when it is damaged."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict):
        raise TrackerError(
            f"{store.path}: {ref.describe()}: its stored data is not a JSON object (was the "
            "file changed outside sop-sync?); restore it from a backup"
        )
    return value


def _grouped(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped
