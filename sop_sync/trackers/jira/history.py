"""A request's history as the rules read it: comments, attachments, remote links, events.

The request's search with history asks for ``comment`` and ``attachment`` and expands the
``changelog`` (Cloud OpenAPI ``IssueBean.changelog``; DC the same), so most issues need no
call of their own. Per issue, only when needed:

- the rest of the changelog when Jira cut it (Cloud ``GET /issue/{key}/changelog`` pages;
  DC ``GET /issue/{key}?expand=changelog``);
- the comments with ``expand=properties`` when the run's own account commented (a reply's
  marker is a comment property, trusted only on sop-sync's own comments) or Jira cut them;
- the remote links (``GET /issue/{key}/remotelink``) when the changelog records one
  (``RemoteIssueLink``), which also says who added it and when.

Events: "created" (``created``, ``creator``), "commented", and from the changelog status
changes into or out of the Done category ("closed"/"reopened", by whoever moved it: status
categories from ``GET /status``) and label changes ("labeled"/"unlabeled"; the finder labels
left out). Comment bodies come back as wiki text; :func:`.wiki.to_markdown` keeps Jira's
code and quote blocks code and quotes for the command rules, and gives the documents the
headings, lists and tables people wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sop_sync.model.tracker import Attachment, Event, Note
from sop_sync.trackers.jira.marker import is_finder, reply_of
from sop_sync.trackers.jira.session import JiraSession, Owned
from sop_sync.trackers.jira.wiki import to_markdown

DONE = "done"


@dataclass(frozen=True)
class History:
    """What one issue's history gives the core."""

    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass
class _Raw:
    histories: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    remote: list[dict[str, Any]] = field(default_factory=list)


def moment(text: object) -> dt.datetime:
    """A Jira timestamp (``2024-03-05T10:00:00.000+0000``) as an aware datetime."""
    value = str(text)
    for form in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(value, form)
        except ValueError:
            continue
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _same(a: dict[str, Any] | None, b: dict[str, Any]) -> bool:
    if not a:
        return False
    return any(a.get(k) and a.get(k) == b.get(k) for k in ("accountId", "name", "key"))


def _gather(session: JiraSession, owned: Owned, me: dict[str, Any]) -> _Raw:
    """The issue's full changelog, comments and remote links (calls only where needed)."""
    raw, key, rest = owned.raw, owned.key, session.rest
    log = raw.get("changelog") or {}
    histories = list(log.get("histories") or [])
    if int(log.get("total") or 0) > len(histories):
        histories = _changelog(session, key)
    box = owned.fields.get("comment") or {}
    comments = list(box.get("comments") or [])
    if int(box.get("total") or 0) > len(comments) or any(
        _same(c.get("author"), me) for c in comments
    ):
        found = session.call(
            f"reading comments of {key}",
            lambda: rest.get(f"issue/{key}/comment", expand="properties", maxResults=5000),
        )
        comments = list(found.get("comments") or [])
    remote: list[dict[str, Any]] = []
    if any(i.get("field") == "RemoteIssueLink" for h in histories for i in h.get("items") or []):
        remote = session.call(
            f"reading remote links of {key}", lambda: rest.get(f"issue/{key}/remotelink")
        )
    return _Raw(histories, comments, remote or [])


def _changelog(session: JiraSession, key: str) -> list[dict[str, Any]]:
    doing = f"reading the history of {key}"
    if not session.cloud:
        found = session.call(
            doing, lambda: session.rest.get(f"issue/{key}", expand="changelog", fields="summary")
        )
        return list((found.get("changelog") or {}).get("histories") or [])
    histories: list[dict[str, Any]] = []

    def page() -> Any:
        path = f"issue/{key}/changelog"
        return session.rest.get(path, startAt=len(histories), maxResults=100)

    while True:
        found = session.call(doing, page)
        histories += found.get("values") or []
        if found.get("isLast", True) or not found.get("values"):
            return histories


def read(session: JiraSession, issues: list[Owned]) -> dict[str, History]:
    """Each issue's history by key."""
    statuses = session.pool.submit(session.statuses)
    me = session.me()
    gathered = list(session.pool.map(lambda o: _gather(session, o, me), issues))
    categories = statuses.result()
    return {
        o.key: _history(session, o, raw, categories, me)
        for o, raw in zip(issues, gathered, strict=True)
    }


def _history(
    session: JiraSession, owned: Owned, raw: _Raw, categories: dict[str, str], me: dict[str, Any]
) -> History:
    name = session.people.name_of
    f = owned.fields
    notes: list[tuple[dt.datetime, int, Note]] = []
    events: list[tuple[dt.datetime, int, Event]] = []
    created = moment(f.get("created") or "1970-01-01T00:00:00.000+0000")
    events.append(
        (
            created,
            -1,
            Event(
                created,
                name(f.get("creator") or f.get("reporter")),
                "created",
                str(f.get("summary", "")),
            ),
        )
    )
    for c in raw.comments:
        at, who = moment(c["created"]), name(c.get("author"))
        reply = reply_of(c) if _same(c.get("author"), me) else None
        notes.append(
            (
                at,
                int(c["id"]),
                Note(str(c["id"]), who, to_markdown(str(c.get("body") or "")), at, False, reply),
            )
        )
        events.append((at, int(c["id"]), Event(at, who, "commented")))
    added_links: dict[str, tuple[dt.datetime, str]] = {}
    for h in raw.histories:
        at, who, order = moment(h["created"]), name(h.get("author")), int(h.get("id") or 0)
        for item in h.get("items") or []:
            for action, detail in _item_events(item, categories):
                events.append((at, order, Event(at, who, action, detail)))
            if item.get("field") == "RemoteIssueLink" and item.get("to"):
                added_links[str(item["to"])] = (at, who)
    for link in raw.remote:
        at, who = added_links.get(str(link.get("id")), (created, ""))
        target = link.get("object") or {}
        body = f"{target.get('title', '')} {target.get('url', '')}".strip()
        notes.append(
            (
                at,
                int(link.get("id") or 0),
                Note(f"remotelink-{link.get('id')}", who, body, at, True),
            )
        )
    attachments = tuple(
        Attachment(
            str(a["id"]),
            str(a["filename"]),
            str(a.get("content", "")),
            name(a.get("author")),
            moment(a["created"]),
        )
        for a in f.get("attachment") or []
    )
    return History(
        notes=tuple(n for _, _, n in sorted(notes, key=lambda x: (x[0], x[1]))),
        attachments=attachments,
        events=tuple(e for _, _, e in sorted(events, key=lambda x: (x[0], x[1]))),
    )


def _item_events(item: dict[str, Any], categories: dict[str, str]) -> list[tuple[str, str]]:
    """The events one changelog item stands for."""
    kind = item.get("field")
    if kind == "status":
        before = categories.get(str(item.get("from")), "")
        after = categories.get(str(item.get("to")), "")
        if after == DONE and before != DONE:
            return [("closed", "")]
        if before == DONE and after != DONE:
            return [("reopened", "")]
        return []
    if kind == "labels":
        old = {n for n in str(item.get("fromString") or "").split() if not is_finder(n)}
        new = {n for n in str(item.get("toString") or "").split() if not is_finder(n)}
        return [("labeled", n) for n in sorted(new - old)] + [
            ("unlabeled", n) for n in sorted(old - new)
        ]
    return []
