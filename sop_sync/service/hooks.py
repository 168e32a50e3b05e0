"""Webhook payloads into deliveries: which job a GitLab or Jira event names. Pure.

A delivery names work, never carries it (the inbox is level-triggered): the worker reads the
tracker again. So a payload is read only as far as finding the job:

GitLab (docs.gitlab.com/user/project/integrations/webhook_events/):

- an issue event (``object_kind`` ``issue`` or ``work_item``) whose description, now or
  before this change (``changes.description.previous``), ends in sop-sync's marker ->
  ``request:<kunci>``;
- a comment on such an issue -> the same; a comment holding ``/sop buka <sop-id>`` (read by
  the command rules: only in ordinary paragraphs) on an issue without a marker ->
  ``open:gitlab:<project>#<iid>`` with hints ``{"note_id", "sop"}``;
- a merge request opened, updated or reopened: a ``SOP: <kunci>`` line in its description ->
  ``request:<kunci>`` (its reconcile re-runs the gate when the request passes it), else
  ``mr:gitlab:<project>!<iid>``;
- pipeline events are ignored: their ``merge_request`` object has no description (so cannot
  name the request), the gate itself runs inside that pipeline, and a pipeline the service
  re-ran after a sign-off would otherwise feed back into the queue;
- everything else (comments on merge requests, commits or snippets; other issues) is ignored.

Jira (developer.atlassian.com/cloud/jira/platform/webhooks/):

- ``jira:issue_*`` with a ``sop-sync-<kunci>`` label (or one removed in this change) ->
  ``request:<kunci>``;
- any event whose payload lacks the issue's labels (comment payloads carry only a few fields
  of the issue) -> ``issue:jira:<KEY>`` (the worker finds the request, if any);
- ``/sop buka <sop-id>`` in a comment on an issue without sop-sync labels (or whose labels the
  payload does not show: the ``open`` handler checks the issue is not sop-sync's) ->
  ``open:jira:<KEY>`` with hints ``{"comment_id", "sop"}``.

Events caused by sop-sync's own account (``own``: usernames or account ids) are ignored: its
own writes must not wake it again. No body, note text or header reaches a :class:`Delivery`
besides the small hints above.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Set
from typing import Any

from sop_sync.model.tracker import Note
from sop_sync.rules.commands import Verb, parse_note
from sop_sync.rules.gate import key_from_description
from sop_sync.service.inbox.base import Delivery, JsonHints
from sop_sync.service.jobs import issue_job, mr_job, open_job, request_job
from sop_sync.trackers.gitlab.marker import split
from sop_sync.trackers.jira.marker import REQUEST_LABEL_PREFIX, is_finder
from sop_sync.trackers.jira.wiki import to_markdown

GITLAB_EVENTS = frozenset(
    {
        "Issue Hook",
        "Confidential Issue Hook",
        "Note Hook",
        "Confidential Note Hook",
        "Merge Request Hook",
        "Pipeline Hook",
    }
)
"""``X-Gitlab-Event`` values whose payloads are read; any other is acknowledged and ignored."""
MR_ACTIONS = frozenset({"open", "update", "reopen"})
"""Merge-request actions that may change what the gate says (a new description or commits)."""
MAX_ID = 200
"""Longer delivery ids (not any vendor's) are stored as their digest."""
_SOP_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def body_digest(body: bytes) -> str:
    """``sha256:<hex>`` of a raw body: the delivery id when the sender gives none.

    A sender that re-sends without an id (GitLab before 17.4 has no ``Idempotency-Key``; a
    proxy may drop headers) re-sends the same bytes, so the digest recognises the retry. Two
    different events differ in their timestamps; two byte-identical ones would name the same
    job anyway, and the job is level-triggered, so treating them as one loses nothing.
    """
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _header_id(headers: Mapping[str, str], names: Iterable[str], body: bytes) -> str:
    lower = {name.lower(): value for name, value in headers.items()}
    for name in names:
        value = lower.get(name, "").strip()
        if value:
            return (
                value
                if len(value) <= MAX_ID and value.isprintable()
                else body_digest(value.encode("utf-8", "replace"))
            )
    return body_digest(body)


def gitlab_delivery_id(headers: Mapping[str, str], body: bytes) -> str:
    """``Idempotency-Key`` (same across retries, GitLab 17.4+), else ``X-Gitlab-Event-UUID``.

    Else the body's digest (see :func:`body_digest`). ``X-Gitlab-Webhook-UUID`` is never used:
    it is new on every attempt, so a retry would not be recognised.
    """
    return _header_id(headers, ("idempotency-key", "x-gitlab-event-uuid"), body)


def jira_delivery_id(headers: Mapping[str, str], body: bytes) -> str:
    """``X-Atlassian-Webhook-Identifier`` (stable across retries), else the body's digest."""
    return _header_id(headers, ("x-atlassian-webhook-identifier",), body)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _when(value: Any) -> dt.datetime:
    """GitLab's ``2015-05-17 17:06:40 UTC`` or ISO ``2013-12-03T17:15:43Z`` (epoch if neither)."""
    text = _str(value).strip()
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.UTC)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    return _EPOCH


def opened_sop(text: str, note_id: str, author: str, at: dt.datetime) -> str | None:
    """The SOP id of the first ``/sop buka`` command in ``text`` ("" when it names none).

    None when the text holds no such command in an ordinary paragraph.
    """
    note = Note(id=note_id, author=author, body=text, created_at=at)
    for command in parse_note(note):
        if command.verb is Verb.OPEN:
            word = command.argument.split(" ", 1)[0].lower()
            return word if _SOP_ID.fullmatch(word) else ""
    return None


def _delivery(
    source: str, delivery_id: str, kind: str, actor: str, jobs: list[tuple[str, JsonHints]]
) -> list[Delivery]:
    """One delivery per distinct job; the first keeps the vendor's id, others add the job."""
    found: list[Delivery] = []
    seen: set[str] = set()
    for job, hints in jobs:
        if job in seen:
            continue
        ident = delivery_id if not found else f"{delivery_id}/{job}"
        found.append(Delivery(source, ident, kind, job, dict(hints), actor))
        seen.add(job)
    return found


# GitLab ---------------------------------------------------------------------------------


def _marker_key(description: Any) -> str | None:
    _, marker = split(_str(description) or None)
    return marker.key if marker is not None else None


def _gitlab_project(payload: dict[str, Any], attributes: dict[str, Any]) -> str:
    project = _int(_dict(payload.get("project")).get("id"))
    if project is None:
        project = _int(payload.get("project_id"))
    if project is None:
        project = _int(attributes.get("project_id"))
    return str(project) if project is not None else ""


def gitlab_deliveries(
    payload: Any, *, event: str, delivery_id: str, own: Set[str] = frozenset()
) -> list[Delivery]:
    """The deliveries a GitLab webhook names (empty: acknowledge and ignore)."""
    payload = _dict(payload)
    actor = _str(_dict(payload.get("user")).get("username"))
    if actor and actor in own:
        return []
    kind = _str(payload.get("object_kind"))
    attributes = _dict(payload.get("object_attributes"))
    jobs: list[tuple[str, JsonHints]] = []
    if kind in ("issue", "work_item"):
        previous = _dict(_dict(payload.get("changes")).get("description")).get("previous")
        for text in (attributes.get("description"), previous):
            if (key := _marker_key(text)) is not None:
                jobs.append((request_job(key), {}))
    elif kind == "note":
        jobs = _gitlab_note(payload, attributes, actor)
    elif kind == "merge_request" and _str(attributes.get("action")) in MR_ACTIONS:
        key = key_from_description(_str(attributes.get("description")))
        project = _gitlab_project(payload, attributes)
        iid = _int(attributes.get("iid"))
        if key is not None:
            jobs.append((request_job(key), {}))
        elif project and iid is not None:
            jobs.append((mr_job("gitlab", project, iid), {}))
    return _delivery("gitlab", delivery_id, event or kind, actor, jobs)


def _gitlab_note(
    payload: dict[str, Any], attributes: dict[str, Any], actor: str
) -> list[tuple[str, JsonHints]]:
    if _str(attributes.get("noteable_type")) != "Issue":
        return []
    issue = _dict(payload.get("issue"))
    key = _marker_key(issue.get("description"))
    if key is not None:
        return [(request_job(key), {})]
    project = _gitlab_project(payload, attributes)
    iid = _int(issue.get("iid"))
    note_id = _int(attributes.get("id"))
    if not project or iid is None or note_id is None:
        return []
    at = _when(attributes.get("created_at"))
    sop = opened_sop(_str(attributes.get("note")), str(note_id), actor, at)
    if sop is None:
        return []
    return [(open_job("gitlab", f"{project}#{iid}"), {"note_id": str(note_id), "sop": sop})]


# Jira -----------------------------------------------------------------------------------


def _jira_actor(user: Any) -> list[str]:
    user = _dict(user)
    return [name for field in ("accountId", "name", "key") if (name := _str(user.get(field)))]


def _request_labels(labels: Iterable[Any]) -> list[str]:
    return [
        label.removeprefix(REQUEST_LABEL_PREFIX)
        for label in labels
        if isinstance(label, str) and label.startswith(REQUEST_LABEL_PREFIX)
    ]


def _removed_labels(changelog: Any) -> list[str]:
    removed: list[str] = []
    for item in _dict(changelog).get("items") or ():
        item = _dict(item)
        if _str(item.get("field")).lower() == "labels":
            removed += _request_labels(_str(item.get("fromString")).split())
    return removed


def adf_markdown(node: Any) -> str:
    """Markdown for the top-level paragraphs of an Atlassian Document Format body.

    Quotes, code blocks, lists and panels are left out (a command shown there is not given);
    inline code stays code; every other character is escaped, so text cannot become markup.
    """
    paragraphs: list[str] = []
    for block in _dict(node).get("content") or ():
        block = _dict(block)
        if block.get("type") != "paragraph":
            continue
        parts: list[str] = []
        for inline in block.get("content") or ():
            inline = _dict(inline)
            if inline.get("type") == "hardBreak":
                parts.append("\n")
            elif inline.get("type") == "text":
                text = _str(inline.get("text"))
                marks = {_str(_dict(m).get("type")) for m in inline.get("marks") or ()}
                if "code" in marks:
                    parts.append("`" + text.replace("`", "") + "`")
                else:
                    parts.append(re.sub(r"([!-.:-@\[-`{-~])", r"\\\1", text))
        paragraphs.append("".join(parts))
    return "\n\n".join(paragraphs)


def _comment_markdown(body: Any) -> str:
    return to_markdown(body) if isinstance(body, str) else adf_markdown(body)


def jira_deliveries(
    payload: Any, *, delivery_id: str, own: Set[str] = frozenset()
) -> list[Delivery]:
    """The deliveries a Jira webhook names (empty: acknowledge and ignore)."""
    payload = _dict(payload)
    kind = _str(payload.get("webhookEvent"))
    if not (kind.startswith("jira:issue_") or kind.startswith("comment_")):
        return []
    comment = _dict(payload.get("comment"))
    actors = _jira_actor(payload.get("user")) + _jira_actor(
        comment.get("updateAuthor") or comment.get("author")
    )
    if any(actor in own for actor in actors):
        return []
    actor = actors[0] if actors else ""
    issue = _dict(payload.get("issue"))
    key = _str(issue.get("key"))
    if not key:
        return []
    fields = _dict(issue.get("fields"))
    labels = fields.get("labels")
    jobs: list[tuple[str, JsonHints]] = []
    if isinstance(labels, list):
        keys = _request_labels(labels) + _removed_labels(payload.get("changelog"))
        jobs = [(request_job(k), {}) for k in keys]
    owned = isinstance(labels, list) and any(
        isinstance(label, str) and is_finder(label) for label in labels
    )
    if comment and not owned and kind != "comment_deleted":
        comment_id = _str(comment.get("id"))
        text = _comment_markdown(comment.get("body"))
        sop = opened_sop(text, comment_id, actor, _when(comment.get("created")))
        if sop is not None and comment_id:
            jobs.append((open_job("jira", key), {"comment_id": comment_id, "sop": sop}))
    if not isinstance(labels, list):  # the payload does not say whose issue it is
        jobs.append((issue_job("jira", key), {}))
    return _delivery("jira", delivery_id, kind, actor, jobs)
