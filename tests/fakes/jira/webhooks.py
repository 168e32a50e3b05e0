"""The Jira emulator's admin webhooks: registering them, and sending issue and comment events.

Registration is Jira's admin REST resource ``/rest/webhooks/1.0/webhook[/{id}]`` (Cloud:
developer.atlassian.com/cloud/jira/platform/webhooks "Registering a webhook using the REST
API"; DC: "Jira webhooks", "Registering a webhook via the Jira REST API"): ``name``, ``url``,
``events``, ``filters`` (a JQL under ``issue-related-events-section``), ``excludeBody``,
``enabled`` and ``secret``. Only administrators may use it (403 otherwise).

Events, in the shape of Atlassian's "Webhooks" page ("Example callback for an issue-related
event"): ``{timestamp, webhookEvent, issue_event_type_name, user, issue, changelog}`` for
``jira:issue_created`` and ``jira:issue_updated``; ``{timestamp, webhookEvent, comment,
issue}`` for ``comment_created``. Users are Cloud's (``accountId``) or DC's (``name``,
``key``) as the emulator's flavour; rich text is sent as REST v2 sends it (wiki text), the
issue as REST v2's ``IssueBean``. Headers: ``X-Atlassian-Webhook-Identifier`` (one per event,
the same on a retry), ``X-Atlassian-Webhook-Retry`` on a retry, and with a secret
``X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`` ("Secure admin webhooks").

Assumptions where the pages leave room:

- ``secret`` is accepted on both flavours (Cloud admin webhooks have it; DC from 10.x, so a
  9.12 site would ignore it: the emulator signs anyway) and is never shown back.
- Transitions are ``issue_generic`` (the event the simplified workflow's transitions fire),
  assignee changes ``issue_assigned``, other edits ``issue_updated``; a comment also sends
  ``jira:issue_updated`` with ``issue_event_type_name: issue_commented`` and the ``comment``.
- Cloud's ``comment_created`` carries a trimmed issue (summary, status, issue type, project,
  assignee, priority); DC's the whole issue. Cloud adds ``matchedWebhookIds``.
- No automatic retries; tests re-send with ``FakeJira.webhooks.redeliver`` (a Cloud retry).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from tests.fakes.delivery import Event, Outbox
from tests.fakes.jira import jql, view
from tests.fakes.jira import render as r
from tests.fakes.jira.api import Answer, Call, Json, bad_request, error, obj, require
from tests.fakes.jira.state import State

EVENTS = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted", "comment_created",
          "comment_updated", "comment_deleted")  # fmt: skip
JQL = "issue-related-events-section"
DENIED = "You are not authorized to perform this action. Administrator privileges are required."
CLOUD_COMMENT_ISSUE = ("summary", "issuetype", "project", "assignee", "priority", "status")


def outbox(state: State) -> Outbox:
    """The emulator's outbox (made on first use)."""
    if state.outbox is None:
        state.outbox = Outbox()
    return state.outbox


# --- registration ---------------------------------------------------------------------------


def _hook_json(call: Call, hook: Json) -> Json:
    shown = {k: v for k, v in hook.items() if k != "secret"}  # never shown back (assumed)
    return {"self": f"{call.state.base_url}/rest/webhooks/1.0/webhook/{hook['id']}", **shown}


def _fields(call: Call, body: Json) -> Json:
    """The registration's fields, validated: a url, known events, a JQL the emulator parses."""
    if not body.get("url") or not body.get("name"):
        raise bad_request("A webhook needs a name and a url.")
    events = list(body.get("events") or [])
    if unknown := [e for e in events if e not in EVENTS]:
        raise bad_request(f"Unknown webhook events: {', '.join(map(str, unknown))}")
    filters = obj(body.get("filters"))
    if filters.get(JQL):
        jql.parse(str(filters[JQL]), call.state, call.user)  # 400 on JQL it cannot run
    return {
        "name": body["name"],
        "url": body["url"],
        "events": events,
        "filters": filters,
        "excludeBody": bool(body.get("excludeBody", False)),
        "enabled": bool(body.get("enabled", True)),
        "secret": body.get("secret") or None,
        "lastUpdated": call.state.now(),
        "lastUpdatedUser": call.actor["id"],
        "lastUpdatedDisplayName": call.actor["displayName"],
    }


def _hook_of(call: Call) -> Json:
    require(call, "ADMINISTER", DENIED)
    found: Json | None = call.state.webhooks.get(call.path("hook"))
    if found is None:
        raise error(404, "Webhook not found.")
    return found


def create_webhook(call: Call) -> Answer:
    """``POST /rest/webhooks/1.0/webhook``: 201 with the webhook and its ``self``."""
    require(call, "ADMINISTER", DENIED)
    hook = {"id": call.state.next_id(), **_fields(call, call.object())}
    call.state.webhooks[hook["id"]] = hook
    return 201, _hook_json(call, hook)


def list_webhooks(call: Call) -> Answer:
    """``GET /rest/webhooks/1.0/webhook``: every registered webhook."""
    require(call, "ADMINISTER", DENIED)
    return 200, [_hook_json(call, h) for h in call.state.webhooks.values()]


def get_webhook(call: Call) -> Answer:
    """``GET /rest/webhooks/1.0/webhook/{id}``."""
    return 200, _hook_json(call, _hook_of(call))


def update_webhook(call: Call) -> Answer:
    """``PUT /rest/webhooks/1.0/webhook/{id}``: the whole registration is replaced (200).

    A body without ``secret`` keeps the stored one (assumed: the secret is never read back,
    so a client could not send it again).
    """
    hook = _hook_of(call)
    body = call.object()
    secret = hook["secret"]
    hook |= _fields(call, body)
    if "secret" not in body:
        hook["secret"] = secret
    return 200, _hook_json(call, hook)


def delete_webhook(call: Call) -> Answer:
    """``DELETE /rest/webhooks/1.0/webhook/{id}``: 204."""
    hook = _hook_of(call)
    del call.state.webhooks[hook["id"]]
    return 204, None


# --- sending --------------------------------------------------------------------------------


def _matches(state: State, hook: Json, issue: Json) -> bool:
    text = str(hook["filters"].get(JQL) or "")
    if not text:
        return True
    where = jql.parse(text, state, None).where
    return where is None or where(issue)


def fire(state: State, event: str, issue: Json, payload: Json) -> None:
    """Send ``payload`` (``webhookEvent`` ``event``) to each enabled webhook that wants it."""
    for hook in state.webhooks.values():
        if not hook["enabled"] or event not in hook["events"]:
            continue
        if not _matches(state, hook, issue):
            continue
        shown = payload | {"matchedWebhookIds": [int(hook["id"])]} if state.cloud else payload
        body = b"" if hook["excludeBody"] else json.dumps(shown).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
        }
        if hook["secret"]:
            digest = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature"] = f"sha256={digest}"
        outbox(state).post(Event(str(hook["url"]), headers, body, _retry))


def _retry(attempt: int) -> dict[str, str]:
    return {"X-Atlassian-Webhook-Retry": str(attempt)} if attempt else {}


def _base(state: State, event: str, user: Json) -> Json:
    return {
        "timestamp": int(state.clock().timestamp() * 1000),
        "webhookEvent": event,
        "user": r.user_json(state, user),
    }


def _issue(state: State, issue: Json, fields: tuple[str, ...] = ()) -> Json:
    return view.issue_json(state, issue, "2", fields=list(fields))


def issue_created(state: State, issue: Json, user: Json) -> None:
    """``jira:issue_created`` (``issue_event_type_name: issue_created``)."""
    if not state.webhooks:
        return  # nobody listens: no payload is built
    payload = _base(state, "jira:issue_created", user) | {
        "issue_event_type_name": "issue_created",
        "issue": _issue(state, issue),
    }
    fire(state, "jira:issue_created", issue, payload)


def issue_updated(state: State, issue: Json, user: Json, items: list[Json], kind: str) -> None:
    """``jira:issue_updated`` with the ``changelog`` of the change ``items`` made (if any).

    ``kind`` is the ``issue_event_type_name``: ``issue_updated``, ``issue_assigned`` or
    ``issue_generic`` (a transition). Nothing changed: no event.
    """
    if not state.webhooks:
        return
    history = next((h for h in reversed(issue["histories"]) if h["items"] is items), None)
    if history is None:
        return
    changelog = {"id": history["id"], "items": [dict(i) for i in history["items"]]}
    payload = _base(state, "jira:issue_updated", user) | {
        "issue_event_type_name": kind,
        "issue": _issue(state, issue),
        "changelog": changelog,
    }
    fire(state, "jira:issue_updated", issue, payload)


def transitioned(state: State, issue: Json, user: Json) -> None:
    """After a transition: ``jira:issue_updated`` (``issue_generic``) with its changelog."""
    issue_updated(state, issue, user, issue["histories"][-1]["items"], "issue_generic")


def comment_created(state: State, issue: Json, comment: Json, user: Json) -> None:
    """``comment_created`` with the comment and its issue; then ``issue_commented``."""
    if not state.webhooks:
        return
    shown = r.comment_json(state, issue, comment)
    trimmed = CLOUD_COMMENT_ISSUE if state.cloud else ()
    payload = {
        "timestamp": int(state.clock().timestamp() * 1000),
        "webhookEvent": "comment_created",
        "comment": shown,  # its author is the one who commented: no ``user`` here
        "issue": _issue(state, issue, trimmed),
    }
    fire(state, "comment_created", issue, payload)
    updated = _base(state, "jira:issue_updated", user) | {
        "issue_event_type_name": "issue_commented",
        "issue": _issue(state, issue),
        "comment": shown,
    }
    fire(state, "jira:issue_updated", issue, updated)
