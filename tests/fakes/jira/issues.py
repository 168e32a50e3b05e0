"""Jira emulator handlers: create, bulk create, get, edit, assign, transitions, changelog.

Each cites its operation in Atlassian's Cloud platform OpenAPI (``swagger-v3.v3.json``);
DC serves the same paths under /rest/api/2 unless noted. Search is in :mod:`search`.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.jira import fields, view, webhooks
from tests.fakes.jira import render as r
from tests.fakes.jira.api import (
    Answer,
    ApiError,
    Call,
    Json,
    bad_request,
    error,
    issue_of,
    obj,
    offset_page,
    require,
)
from tests.fakes.jira.catalog import EPIC_NAME, RESOLUTIONS, STATUSES
from tests.fakes.jira.state import State

BULK_LIMIT = 50
PROPERTY_LIMIT = 32768  # characters of one property's JSON value


def _create(call: Call, body: Any) -> Json:
    """One ``IssueUpdateDetails`` validated and stored (shared by create and bulk create)."""
    state = call.state
    body = obj(body)
    given, update = body.get("fields") or {}, body.get("update") or {}
    if not isinstance(given, dict) or not isinstance(update, dict):
        raise bad_request("'fields' and 'update' must be objects.")
    ref = obj(given.get("project"))
    project = state.project(str(ref.get("key") or ref.get("id") or ""))
    if project is None:
        raise bad_request(project="valid project is required")
    require(call, "CREATE_ISSUES", "You do not have permission to create issues in this project.")
    kind_ref = obj(given.get("issuetype"))
    if not kind_ref:
        raise bad_request(issuetype="issue type is required")
    kind = next(
        (
            state.issue_type(t)
            for t in project["types"]
            if kind_ref.get("id") == t or kind_ref.get("name") == state.issue_type(t)["name"]
        ),
        None,
    )
    if kind is None:
        raise bad_request(issuetype="The issue type selected is invalid.")
    issue = state.draft_issue(project, kind["id"], call.actor)
    missing = {}
    if "summary" not in given:
        missing["summary"] = "You must specify a summary of the issue."
    if kind["subtask"] and not given.get("parent"):
        missing["issuetype"] = "Issue type is a sub-task but parent issue key or id not specified."
    if not state.cloud and kind["level"] == 1 and not given.get(EPIC_NAME):
        missing[EPIC_NAME] = "Epic Name is required."
    try:
        _items, comments = fields.apply(call, issue, given, update, creating=True)
    except ApiError as failure:
        failure.payload["errors"] = missing | failure.payload["errors"]
        raise
    if missing:
        raise bad_request(**missing)
    properties = entity_properties(body.get("properties"))
    state.commit(issue)
    issue["properties"].update(properties)
    for text in comments:
        state.add_comment(issue, call.actor, text)
    webhooks.issue_created(state, issue, call.actor)  # "Webhooks": jira:issue_created
    return issue


def entity_properties(value: Any) -> Json:
    """``properties`` of ``IssueUpdateDetails`` (and of a comment): ``[{key, value}]``.

    Cloud OpenAPI ``IssueUpdateDetails.properties`` ("Details of issue properties to be add
    or update", ``EntityProperty``), accepted on create, bulk create and edit; DC's
    ``IssueUpdateBean`` the same. Each value at most 32768 characters of JSON.
    """
    found: Json = {}
    for item in value or []:
        item = obj(item)
        key = item.get("key")
        if not isinstance(key, str) or not key or len(key) > 255 or "value" not in item:
            raise bad_request("Each property needs a key (at most 255 characters) and a value.")
        if len(json.dumps(item["value"])) > PROPERTY_LIMIT:
            raise bad_request(
                f"The property value can not be longer than {PROPERTY_LIMIT} characters."
            )
        found[key] = json.loads(json.dumps(item["value"]))
    return found


def _created(call: Call, issue: Json) -> Json:
    return {
        "id": issue["id"],
        "key": issue["key"],
        "self": f"{r.api(call.state, call.rest)}/issue/{issue['id']}",
    }


def create_issue(call: Call) -> Answer:
    """``POST /rest/api/3/issue`` (createIssue): 201 ``{id, key, self}``."""
    return 201, _created(call, _create(call, call.object()))


def create_issues(call: Call) -> Answer:
    """``POST /rest/api/3/issue/bulk`` (createIssues): at most 50, per-issue ``errors``.

    201 when any issue was created, else 400; both with ``issues`` and ``errors`` (each error
    ``{status, elementErrors, failedElementNumber}``), as the jira library's
    ``create_issues`` reads them.
    """
    updates = call.object().get("issueUpdates")
    if not isinstance(updates, list):
        raise bad_request("Issue updates must be a list.")
    if len(updates) > BULK_LIMIT:
        raise bad_request(f"The number of issues to create exceeds the limit of {BULK_LIMIT}.")
    created, failed = [], []
    for number, body in enumerate(updates):
        try:
            created.append(_created(call, _create(call, body)))
        except ApiError as failure:
            failed.append(
                {
                    "status": failure.status,
                    "elementErrors": failure.payload,
                    "failedElementNumber": number,
                }
            )
    return (201 if created or not updates else 400), {"issues": created, "errors": failed}


def get_issue(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}`` (getIssue): ``fields``, ``expand``, properties."""
    issue = issue_of(call)
    shown = view.issue_json(
        call.state,
        issue,
        call.rest,
        fields=call.params("fields"),
        expand=call.params("expand"),
        properties=call.params("properties"),
    )
    return 200, shown


def edit_issue(call: Call) -> Answer:
    """``PUT /rest/api/3/issue/{issueIdOrKey}`` (editIssue): ``fields`` and ``update``; 204."""
    issue = issue_of(call)
    body = call.object()
    require(call, "EDIT_ISSUES", "You do not have permission to edit issues in this project.")
    for prop in body.get("properties") or []:
        issue["properties"][prop["key"]] = prop["value"]
    items, comments = fields.apply(call, issue, body.get("fields") or {}, body.get("update") or {})
    call.state.record(issue, call.actor, items)
    webhooks.issue_updated(call.state, issue, call.actor, items, "issue_updated")
    for text in comments:
        comment = call.state.add_comment(issue, call.actor, text)
        webhooks.comment_created(call.state, issue, comment, call.actor)
    if call.flag("returnIssue"):
        return 200, view.issue_json(call.state, issue, call.rest, expand=call.params("expand"))
    return 204, None


def assign_issue(call: Call) -> Answer:
    """``PUT /rest/api/3/issue/{issueIdOrKey}/assignee`` (assignIssue): 204.

    Cloud takes ``{"accountId"}``, DC ``{"name"}`` (jira/client.py ``assign_issue``); a null
    value (or ``-1``, "automatic") unassigns.
    """
    issue = issue_of(call)
    body = call.object()
    require(call, "EDIT_ISSUES", "You do not have permission to assign issues.")
    value = None if all(v in (None, "-1") for v in body.values()) else body
    items, _ = fields.apply(call, issue, {"assignee": value}, {})
    call.state.record(issue, call.actor, items)
    webhooks.issue_updated(call.state, issue, call.actor, items, "issue_assigned")
    return 204, None


def available(state: State, issue: Json) -> list[Json]:
    """The workflow transitions out of the issue's status (a global one not to itself)."""
    here = issue["status"]
    return [
        t
        for t in state.workflow
        if (t["from"] is None and t["to"] != here) or (t["from"] and here in t["from"])
    ]


def transition_json(call: Call, transition: Json) -> Json:
    """Cloud OpenAPI ``IssueTransition`` (Cloud adds the ``is*`` flags)."""
    shown: Json = {
        "id": transition["id"],
        "name": transition["name"],
        "to": r.status_json(call.state, transition["to"], call.rest),
    }
    if "transitions.fields" in call.params("expand"):
        done = STATUSES[transition["to"]]["category"] == "done"
        shown["fields"] = (
            {
                "resolution": {
                    "required": False,
                    "name": "Resolution",
                    "operations": ["set"],
                    "schema": {"type": "resolution", "system": "resolution"},
                    "allowedValues": [
                        r.resolution_json(call.state, n, call.rest) for n in RESOLUTIONS
                    ],
                }
            }
            if done
            else {}
        )
    if call.state.cloud:
        shown |= {
            "hasScreen": False,
            "isGlobal": transition["from"] is None,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
    return shown


def get_transitions(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/transitions`` (getTransitions).

    Only those the caller may run: none without the Transition issues permission.
    """
    issue = issue_of(call)
    shown = []
    if call.state.allowed(call.user, "TRANSITION_ISSUES"):
        wanted = call.param("transitionId")
        shown = [
            transition_json(call, t)
            for t in available(call.state, issue)
            if wanted in (None, t["id"])
        ]
    return 200, {"expand": "transitions", "transitions": shown}


def do_transition(call: Call) -> Answer:
    """``POST /rest/api/3/issue/{issueIdOrKey}/transitions`` (doTransition): 204.

    Per the operation's 400 list, a missing or unavailable transition and a missing
    permission are 400s. ``fields.resolution`` is accepted on transitions into a done
    status; other ``fields``/``update`` (``comment`` add) as in edit.
    """
    issue = issue_of(call)
    body = call.object()
    ref = obj(body.get("transition"))
    if not ref.get("id") and not ref.get("name"):
        raise bad_request("Missing 'transition' identifier")
    if not call.state.allowed(call.user, "TRANSITION_ISSUES"):
        raise bad_request("You do not have permission to transition this issue.")
    chosen = next(
        (
            t
            for t in available(call.state, issue)
            if str(ref.get("id")) == t["id"] or ref.get("name") == t["name"]
        ),
        None,
    )
    if chosen is None:
        raise bad_request(
            f"Transition id '{ref.get('id') or ref.get('name')}' is not valid for this issue."
        )
    given = dict(body.get("fields") or {})
    resolution = _resolution(given.pop("resolution", None), chosen)
    items, comments = fields.apply(call, issue, given, body.get("update") or {})
    call.state.move(issue, chosen["to"], call.actor, resolution, tuple(items))
    webhooks.transitioned(call.state, issue, call.actor)  # "Webhooks": issue_generic
    for text in comments:
        comment = call.state.add_comment(issue, call.actor, text)
        webhooks.comment_created(call.state, issue, comment, call.actor)
    return 204, None


def _resolution(value: Any, transition: Json) -> str | None:
    if value is None:
        return None
    if STATUSES[transition["to"]]["category"] != "done":
        raise bad_request(resolution=fields.NOT_SETTABLE.format("resolution"))
    name = value.get("name") if isinstance(value, dict) else None
    by_id = {v: k for k, v in RESOLUTIONS.items()}
    name = name or (by_id.get(str(value.get("id"))) if isinstance(value, dict) else None)
    if name not in RESOLUTIONS:
        raise bad_request(resolution=f"Resolution '{name}' does not exist.")
    return name


def get_changelog(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/changelog`` (getChangeLogs): Cloud only.

    Offset pages of ``Changelog`` (default and most 100), oldest first. DC has no such
    route: its changelog comes with ``GET /issue/{key}?expand=changelog``.
    """
    if not call.state.cloud:
        raise error(404, "null for uri: /rest/api/2/issue/changelog")
    issue = issue_of(call)
    histories = [r.history_json(call.state, h, call.rest) for h in issue["histories"]]
    return 200, offset_page(histories, call, default_max=100, cap=100)
