"""Issues sop-sync does not own, on Jira: read one with its comments, comment on it.

A reference is the issue key (``APL-12``). Descriptions and comments come back as wiki markup
(REST v2 on both flavours) and are given as Markdown by the one converter the rules and the
documents use too (:func:`.wiki.to_markdown`: ``h2. Latar Belakang`` -> ``## Latar Belakang``
so a request template's sections are found), with mentions as ``@name``; each line stays on
its line (a table's separator row aside), so a problem named at "baris 7" is on line 7 of
what the person wrote. A reply's marker is the comment property
``sop-sync`` (:mod:`.marker`), trusted only on the run's own comments.
"""

from __future__ import annotations

from typing import Any

from sop_sync.model.tracker import Issue, Note
from sop_sync.trackers.base import ForeignIssue
from sop_sync.trackers.jira.history import moment
from sop_sync.trackers.jira.marker import PROPERTY, of_issue, reply_of, reply_properties
from sop_sync.trackers.jira.markup import to_wiki
from sop_sync.trackers.jira.session import JiraSession
from sop_sync.trackers.jira.wiki import to_markdown

FIELDS = "summary,description,reporter,creator"


def markdown_of(wiki: str) -> str:
    """Wiki text as Markdown for the template reader: code, quotes, lists, headings, mentions."""
    return to_markdown(wiki, mentions=True)


def _same(a: dict[str, Any] | None, b: dict[str, Any]) -> bool:
    if not a:
        return False
    return any(a.get(k) and a.get(k) == b.get(k) for k in ("accountId", "name", "key"))


class JiraDiscussions:
    """The :class:`~sop_sync.trackers.base.Discussions` protocol on the connected Jira."""

    def __init__(self, session: JiraSession) -> None:
        self.session = session

    def read(self, ref: str) -> ForeignIssue:
        """The issue, its comments oldest first, and the request it belongs to (if sop-sync's)."""
        s = self.session
        rest = s.rest
        issue = s.pool.submit(
            s.call,
            f"reading issue {ref}",
            lambda: rest.get(f"issue/{ref}", fields=FIELDS, properties=PROPERTY),
        )
        found = s.call(
            f"reading comments of {ref}",
            lambda: rest.get(f"issue/{ref}/comment", expand="properties", maxResults=5000),
        )
        raw: dict[str, Any] = issue.result()
        comments = list(found.get("comments") or [])
        me = s.me() if comments else {}
        f = raw.get("fields") or {}
        marker = of_issue(raw)
        return ForeignIssue(
            ref=str(raw.get("key") or ref),
            title=str(f.get("summary") or ""),
            description=markdown_of(str(f.get("description") or "")),
            author=s.people.name_of(f.get("reporter") or f.get("creator")),
            url=s.web_url(str(raw.get("key") or ref)),
            notes=tuple(_note(s, c, me) for c in comments),
            request_key=marker.key if marker is not None else None,
        )

    def request_comments(self, epic: Issue) -> tuple[Note, ...]:
        """The epic's comments: the request's search with history read them (no call)."""
        return epic.notes

    def comment(self, ref: str, text: str, in_reply_to: str | None = None) -> None:
        """A comment in wiki markup; an answer names the comment it answers in a property."""
        body: dict[str, Any] = {"body": to_wiki(text)}
        if in_reply_to is not None:
            body["properties"] = reply_properties(in_reply_to)
        s = self.session
        s.call(f"commenting on {ref}", lambda: s.rest.post(f"issue/{ref}/comment", body))


def _note(session: JiraSession, comment: dict[str, Any], me: dict[str, Any]) -> Note:
    author = comment.get("author")
    return Note(
        str(comment["id"]),
        session.people.name_of(author),
        markdown_of(str(comment.get("body") or "")),
        moment(comment["created"]),
        False,
        reply_of(comment) if _same(author, me) else None,
    )
