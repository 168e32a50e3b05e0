"""The GitLab emulator's webhooks: payloads built from its state, sent to the project hooks.

Shapes follow doc/user/project/integrations/webhook_events.md ("Issue events", "Comment
events", "Merge request events", "Pipeline events"); headers and delivery follow
doc/user/project/integrations/webhooks.md ("Delivery headers", "Resend a webhook request").
Handlers call one function each after their change (:func:`issue_saved`, :func:`note_saved`,
:func:`merge_request_saved`, :func:`pipeline_saved`); any other part of the emulator may call
:func:`fire` with a payload it built. Sending is :mod:`tests.fakes.delivery`'s: one thread per
emulator, outside the emulator's lock, in order; ``FakeGitLab.webhooks`` is the record.

Assumptions where the docs leave room (each marked in the code):

- Timestamps are sent as ``2015-05-17 18:21:36 UTC`` everywhere, as GitLab serialises them
  (the "Comment events" and "Pipeline events" examples and every ``changes.updated_at`` show
  it; the "Issue events" and "Merge request events" examples show ``2013-12-03T17:15:43Z`` for
  ``object_attributes``). Receivers should read both.
- ``X-Gitlab-Event-UUID`` is made once per event, ``X-Gitlab-Webhook-UUID`` anew for every send,
  ``Idempotency-Key`` once per event and kept on a re-send ("remains consistent across
  webhook retries", 17.4+).
- Confidential issues and their comments go to hooks with ``confidential_issues_events`` /
  ``confidential_note_events`` as ``Confidential Issue Hook`` / ``Confidential Note Hook``.
- No automatic retries (GitLab documents none) and no disabling of failing hooks.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from tests.fakes.delivery import Event, Outbox
from tests.fakes.gitlab.state import Json, State

VERSION = "17.5.0"
EVENTS = {
    # kind: (hook flag, X-Gitlab-Event, confidential flag, confidential X-Gitlab-Event)
    "issue": ("issues_events", "Issue Hook", "confidential_issues_events",
              "Confidential Issue Hook"),
    "note": ("note_events", "Note Hook", "confidential_note_events", "Confidential Note Hook"),
    "merge_request": ("merge_requests_events", "Merge Request Hook", None, None),
    "pipeline": ("pipeline_events", "Pipeline Hook", None, None),
}  # fmt: skip
STATE_IDS = {"opened": 1, "closed": 2, "merged": 3, "locked": 4}
"""app/models/concerns/issuable_states.rb: the ``state_id`` in ``changes``."""


def outbox(state: State) -> Outbox:
    """The emulator's outbox (made on first use)."""
    if state.webhooks is None:
        state.webhooks = Outbox()
    return state.webhooks


def _on(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def wanted(state: State, project_id: int, kind: str) -> bool:
    """Whether any hook of the project takes ``kind`` (else no payload is built at all)."""
    flags = [flag for flag in EVENTS[kind][::2] if flag]
    return any(_on(h.get(f)) for h in state.hooks.get(project_id, []) for f in flags)


def fire(
    state: State, project_id: int, kind: str, payload: Json, *, confidential: bool = False
) -> None:
    """Send ``payload`` to each hook of the project subscribed to ``kind`` (see EVENTS).

    webhooks.md "Delivery headers": ``X-Gitlab-Event``, ``X-Gitlab-Token`` (the hook's secret
    token, as registered), ``X-Gitlab-Instance``, ``X-Gitlab-Event-UUID``,
    ``X-Gitlab-Webhook-UUID``, ``Idempotency-Key``, ``User-Agent: GitLab/<version>``.
    """
    flag, name, secret_flag, secret_name = EVENTS[kind]
    if confidential and secret_flag and secret_name:
        flag, name = secret_flag, secret_name
    body = json.dumps(payload).encode()
    event_uuid = str(uuid.uuid4())
    for hook in state.hooks.get(project_id, []):
        if not _on(hook.get(flag)):
            continue
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"GitLab/{VERSION}",
            "X-Gitlab-Event": name,
            "X-Gitlab-Instance": state.base_url,
            "X-Gitlab-Event-UUID": event_uuid,
            "Idempotency-Key": str(uuid.uuid4()),
        }
        if hook.get("token"):
            headers["X-Gitlab-Token"] = str(hook["token"])
        fresh: Callable[[int], dict[str, str]] = _fresh
        if hook.get("signing_token"):
            fresh = _signed(str(hook["signing_token"]), headers["Idempotency-Key"], body)
        outbox(state).post(Event(str(hook["url"]), headers, body, fresh))


def _fresh(attempt: int) -> dict[str, str]:
    return {"X-Gitlab-Webhook-UUID": str(uuid.uuid4())}


def _signed(signing_token: str, webhook_id: str, body: bytes) -> Callable[[int], dict[str, str]]:
    """Standard Webhooks headers, signed anew for each send (its own timestamp).

    Merge request 230944 ("Add webhook HMAC signing token"): HMAC-SHA256 with the signing
    token's key over ``{webhook-id}.{timestamp}.{body}``, sent as ``webhook-signature:
    v1,<base64>``; ``webhook-id`` is the ``Idempotency-Key``.
    """
    key = base64.b64decode(signing_token.removeprefix("whsec_"))

    def fresh(attempt: int) -> dict[str, str]:
        stamp = str(int(time.time()))
        digest = hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256)
        return {
            **_fresh(attempt),
            "webhook-id": webhook_id,
            "webhook-timestamp": stamp,
            "webhook-signature": "v1," + base64.b64encode(digest.digest()).decode(),
        }

    return fresh


# --- the pieces every payload shares --------------------------------------------------------


def hook_time(value: str | None) -> str | None:
    """``2000-01-01T10:00:00.123Z`` as hooks send it: ``2000-01-01 10:00:00 UTC`` (assumed)."""
    if not value:
        return value
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def user_json(user: Json) -> Json:
    """The ``user`` of every event: who did it."""
    return {
        "id": user["id"],
        "name": user["name"],
        "username": user["username"],
        "avatar_url": user.get("avatar_url"),
        "email": "[REDACTED]",  # webhook_events.md: the email is redacted since 16.x
    }


def project_json(project: Json) -> Json:
    """The ``project`` of every event ("Issue events" example)."""
    namespace = project["namespace"]
    return {
        "id": project["id"],
        "name": project["name"],
        "description": project["description"],
        "web_url": project["web_url"],
        "avatar_url": None,
        "git_ssh_url": f"git@{project['web_url'].split('://', 1)[-1]}.git",
        "git_http_url": project["http_url_to_repo"],
        "namespace": namespace["name"] if namespace else project["path"],
        "visibility_level": {"private": 0, "internal": 10, "public": 20}[project["visibility"]],
        "path_with_namespace": project["path_with_namespace"],
        "default_branch": project["default_branch"],
        "ci_config_path": None,
        "homepage": project["web_url"],
        "url": project["http_url_to_repo"],
        "ssh_url": f"git@{project['web_url'].split('://', 1)[-1]}.git",
        "http_url": project["http_url_to_repo"],
    }


def repository_json(project: Json) -> Json:
    """The older ``repository`` object events still carry."""
    return {
        "name": project["name"],
        "url": project["http_url_to_repo"],
        "description": project["description"],
        "homepage": project["web_url"],
    }


def labels_json(state: State, project: Json, names: Iterable[str]) -> list[Json]:
    """Labels as hooks send them: objects with ``title`` (not the REST API's names)."""
    shown = []
    for name in sorted(names):
        label = state.label_for(project, name) or {"id": None, "color": None, "description": None}
        own = name in state.labels[project["id"]]
        group = None if own else state.group_of(project)
        shown.append(
            {
                "id": label["id"],
                "title": name,
                "color": label["color"],
                "project_id": project["id"] if own else None,
                "created_at": None,  # the emulator keeps no label times
                "updated_at": None,
                "template": False,
                "description": label["description"],
                "type": "ProjectLabel" if own else "GroupLabel",
                "group_id": group["id"] if group else None,
            }
        )
    return shown


# --- issues ---------------------------------------------------------------------------------


def issue_attributes(state: State, issue: Json) -> Json:
    """``object_attributes`` of an issue event (also the ``issue`` of a comment event)."""
    project = state.projects[issue["project_id"]]
    return {
        "id": issue["id"],
        "iid": issue["iid"],
        "title": issue["title"],
        "description": issue["description"],
        "state": issue["state"],
        "state_id": STATE_IDS[issue["state"]],
        "author_id": issue["author"]["id"],
        "assignee_ids": list(issue["assignee_ids"]),
        "assignee_id": issue["assignee_ids"][0] if issue["assignee_ids"] else None,
        "project_id": project["id"],
        "milestone_id": issue["milestone_id"],
        "due_date": issue["due_date"],
        "confidential": issue["confidential"],
        "discussion_locked": None,
        "created_at": hook_time(issue["created_at"]),
        "updated_at": hook_time(issue["updated_at"]),
        "closed_at": hook_time(issue["closed_at"]),
        "updated_by_id": None,
        "type": issue["issue_type"].title().replace("_", ""),
        "url": f"{project['web_url']}/-/issues/{issue['iid']}",
        "labels": labels_json(state, project, issue["labels"]),
        "weight": issue.get("weight"),
        "time_estimate": 0,
        "total_time_spent": 0,
        "human_time_estimate": None,
        "human_total_time_spent": None,
        "severity": "unknown",
    }


def snapshot(issue: Json) -> Json:
    """The fields an issue event reports changes of, before a change."""
    return {
        "title": issue["title"],
        "description": issue["description"],
        "state": issue["state"],
        "closed_at": issue["closed_at"],
        "labels": list(issue["labels"]),
        "assignee_ids": list(issue["assignee_ids"]),
        "due_date": issue["due_date"],
        "milestone_id": issue["milestone_id"],
        "confidential": issue["confidential"],
        "updated_at": issue["updated_at"],
    }


def _changes(state: State, project: Json, before: Json, after: Json) -> Json:
    """``changes``: ``{field: {previous, current}}`` for what differs ("Issue events")."""
    changes: Json = {}
    for key, old in before.items():
        new = after[key]
        if old == new:
            continue
        if key == "labels":
            changes[key] = {
                "previous": labels_json(state, project, old),
                "current": labels_json(state, project, new),
            }
        elif key == "assignee_ids":
            users = (state.user_by_id(i) for i in new)
            changes["assignees"] = {
                "previous": [user_json(u) for i in old if (u := state.user_by_id(i))],
                "current": [user_json(u) for u in users if u],
            }
        elif key == "state":
            changes["state_id"] = {"previous": STATE_IDS.get(old), "current": STATE_IDS[new]}
        elif key in ("closed_at", "updated_at"):
            changes[key] = {"previous": hook_time(old), "current": hook_time(new)}
        else:
            changes[key] = {"previous": old, "current": new}
    return changes


def issue_event(state: State, issue: Json, user: Json, before: Json | None) -> Json | None:
    """webhook_events.md "Issue events"; None when an edit changed nothing (no event).

    ``action``: ``open`` on creation, ``close``/``reopen`` on a state change, else ``update``.
    """
    project = state.projects[issue["project_id"]]
    after = snapshot(issue)
    if before is None:
        action = "open"
        blank: Json = {k: ([] if isinstance(v, list) else None) for k, v in after.items()}
        changes = _changes(state, project, blank | {"confidential": False}, after)
    else:
        changes = _changes(state, project, before, after)
        if not changes:
            return None
        action = "update"
        if before["state"] != issue["state"]:
            action = "close" if issue["state"] == "closed" else "reopen"
    attributes = issue_attributes(state, issue) | {"action": action}
    assignees = [user_json(u) for i in issue["assignee_ids"] if (u := state.user_by_id(i))]
    payload: Json = {
        "object_kind": "issue",
        "event_type": "issue",
        "user": user_json(user),
        "project": project_json(project),
        "object_attributes": attributes,
        "repository": repository_json(project),
        "assignees": assignees,
        "labels": attributes["labels"],
        "changes": changes,
    }
    if assignees:
        payload["assignee"] = assignees[0]
    return payload


def issue_saved(state: State, issue: Json, user: Json, before: Json | None = None) -> None:
    """After a create (``before`` None) or an edit: the issue event, when anything changed."""
    if not wanted(state, issue["project_id"], "issue"):
        return
    payload = issue_event(state, issue, user, before)
    if payload is not None:
        fire(state, issue["project_id"], "issue", payload, confidential=issue["confidential"])


# --- comments -------------------------------------------------------------------------------


def note_saved(state: State, note: Json, user: Json, action: str = "create") -> None:
    """webhook_events.md "Comment events" on an issue or a merge request; system notes: none.

    ``action`` is ``create`` or ``update`` (16.11+). The comment's text is
    ``object_attributes.note``; the issue comes along as ``issue``, the merge request as
    ``merge_request``. Epic comments go to group hooks, which the emulator does not have.
    """
    kind = note["noteable_type"]
    if note["system"] or kind not in ("Issue", "MergeRequest"):
        return
    if not wanted(state, note["project_id"], "note"):
        return
    project = state.projects[note["project_id"]]
    if kind == "Issue":
        issue = state.issues[project["id"]][note["noteable_iid"]]
        url = f"{project['web_url']}/-/issues/{issue['iid']}#note_{note['id']}"
        noteable = {"issue": issue_attributes(state, issue)}
        secret = issue["confidential"] or note["internal"]
    else:
        mr = state.merge_requests[project["id"]][note["noteable_iid"]]
        url = f"{mr['web_url']}#note_{note['id']}"
        noteable = {"merge_request": merge_request_attributes(state, mr)}
        secret = note["internal"]
    payload = {
        "object_kind": "note",
        "event_type": "note",
        "user": user_json(user),
        "project_id": project["id"],
        "project": project_json(project),
        "repository": repository_json(project),
        "object_attributes": {
            "id": note["id"],
            "note": note["body"],
            "noteable_type": kind,
            "author_id": note["author"]["id"],
            "created_at": hook_time(note["created_at"]),
            "updated_at": hook_time(note["updated_at"]),
            "project_id": project["id"],
            "attachment": None,
            "line_code": None,
            "commit_id": "",
            "noteable_id": note["noteable_id"],
            "system": False,
            "st_diff": None,
            "url": url,
            "action": action,
            "type": None,
            "internal": note["internal"],
            "confidential": note["confidential"],
            "discussion_id": f"{note['id']:040x}",
        },
        **noteable,
    }
    fire(state, project["id"], "note", payload, confidential=secret)


# --- merge requests and pipelines -----------------------------------------------------------


def merge_request_attributes(state: State, mr: Json) -> Json:
    """``object_attributes`` of a merge request event (also a pipeline's ``merge_request``)."""
    project = state.projects[mr["project_id"]]
    return {
        "id": mr["id"],
        "iid": mr["iid"],
        "title": mr["title"],
        "description": mr["description"],
        "state": mr["state"],
        "state_id": STATE_IDS[mr["state"]],
        "source_branch": mr["source_branch"],
        "target_branch": mr["target_branch"],
        "source_project_id": project["id"],
        "target_project_id": project["id"],
        "author_id": (mr.get("author") or {}).get("id"),
        "assignee_ids": list(mr.get("assignee_ids") or []),
        "created_at": hook_time(mr["created_at"]),
        "updated_at": hook_time(mr["updated_at"]),
        "merge_status": "can_be_merged",
        "detailed_merge_status": "mergeable",
        "draft": False,
        "work_in_progress": False,
        "url": mr["web_url"],
        "last_commit": {"id": mr["sha"], "message": mr["title"], "title": mr["title"]},
        "labels": labels_json(state, project, mr.get("labels") or []),
        "source": project_json(project),
        "target": project_json(project),
    }


def merge_request_saved(
    state: State, mr: Json, user: Json, action: str = "open", changes: Json | None = None
) -> None:
    """webhook_events.md "Merge request events": ``action`` open, update, close, reopen, merge."""
    if not wanted(state, mr["project_id"], "merge_request"):
        return
    project = state.projects[mr["project_id"]]
    attributes = merge_request_attributes(state, mr) | {"action": action}
    payload = {
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "user": user_json(user),
        "project": project_json(project),
        "object_attributes": attributes,
        "repository": repository_json(project),
        "labels": attributes["labels"],
        "changes": changes or {},
    }
    fire(state, project["id"], "merge_request", payload)


def pipeline_saved(state: State, pipeline: Json, user: Json, mr: Json | None = None) -> None:
    """webhook_events.md "Pipeline events" (a merge request pipeline carries ``merge_request``).

    ``object_attributes.status`` is the pipeline's; ``builds`` is left empty (the emulator
    runs no jobs).
    """
    if not wanted(state, pipeline["project_id"], "pipeline"):
        return
    project = state.projects[pipeline["project_id"]]
    payload: Json = {
        "object_kind": "pipeline",
        "object_attributes": {
            "id": pipeline["id"],
            "iid": pipeline["iid"],
            "name": None,
            "ref": pipeline["ref"],
            "tag": False,
            "sha": pipeline["sha"],
            "before_sha": "0" * 40,
            "source": pipeline["source"],
            "status": pipeline["status"],
            "detailed_status": pipeline["status"],
            "stages": [],
            "created_at": hook_time(pipeline["created_at"]),
            "finished_at": hook_time(pipeline.get("finished_at")),
            "duration": None,
            "queued_duration": None,
            "variables": [],
            "url": pipeline["web_url"],
        },
        "merge_request": None,
        "user": user_json(user),
        "project": project_json(project),
        "commit": {"id": pipeline["sha"], "url": f"{project['web_url']}/-/commit/"
                   f"{pipeline['sha']}"},
        "builds": [],
    }  # fmt: skip
    if mr is not None:
        attributes = merge_request_attributes(state, mr)
        keys = (
            "id",
            "iid",
            "title",
            "source_branch",
            "source_project_id",
            "target_branch",
            "target_project_id",
            "state",
            "merge_status",
            "detailed_merge_status",
            "url",
        )
        payload["merge_request"] = {k: attributes[k] for k in keys}  # fmt: skip
    fire(state, project["id"], "pipeline", payload)
