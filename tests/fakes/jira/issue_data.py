"""Jira emulator handlers for data other systems hang on an issue: remote links, properties.

Each cites its Cloud platform OpenAPI operation; DC serves the same under /rest/api/2.
"""

from __future__ import annotations

import json

from tests.fakes.jira import render as r
from tests.fakes.jira.api import Answer, Call, Json, bad_request, error, issue_of, obj, require
from tests.fakes.jira.state import change

PROPERTY_LIMIT = 32768  # characters of the JSON value (setIssueProperty)


# --- remote links ---------------------------------------------------------------------------


def _remote_json(call: Call, issue: Json, link: Json) -> Json:
    url = f"{r.api(call.state, call.rest)}/issue/{issue['key']}/remotelink/{link['id']}"
    return {"id": int(link["id"]), "self": url, **{k: v for k, v in link.items() if k != "id"}}


def list_remote_links(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/remotelink`` (getRemoteIssueLinks).

    With ``globalId``, "the record with that global ID is returned" (one object, or 404).
    """
    issue = issue_of(call)
    wanted = call.param("globalId")
    if wanted is not None:
        found = next((ln for ln in issue["remote_links"] if ln.get("globalId") == wanted), None)
        if found is None:
            raise error(404, "No remote link with that global id.")
        return 200, _remote_json(call, issue, found)
    return 200, [_remote_json(call, issue, link) for link in issue["remote_links"]]


def add_remote_link(call: Call) -> Answer:
    """``POST /rest/api/3/issue/{issueIdOrKey}/remotelink`` (createOrUpdateRemoteIssueLink).

    A known ``globalId`` updates that link (200; unsent fields become null), else 201.
    """
    issue = issue_of(call)
    require(call, "LINK_ISSUES", "You do not have permission to link issues.")
    body = call.object()
    target = obj(body.get("object"))
    missing = {name: f"'{name}' is required." for name in ("url", "title") if not target.get(name)}
    if missing:
        raise bad_request(**missing)
    fields = {k: body.get(k) for k in ("globalId", "application", "relationship")}
    old = next(
        (
            ln
            for ln in issue["remote_links"]
            if body.get("globalId") and ln.get("globalId") == body["globalId"]
        ),
        None,
    )
    if old is not None:
        old |= fields | {"object": target}
        return 200, {"id": int(old["id"]), "self": _remote_json(call, issue, old)["self"]}
    link: Json = {"id": call.state.next_id(), **fields, "object": target}
    issue["remote_links"].append(link)
    call.state.record(
        issue,
        call.actor,
        [
            change(
                "RemoteIssueLink",
                None,
                None,
                link["id"],
                f'This issue links to "{target["title"]}"',
            )
        ],
    )
    return 201, {"id": int(link["id"]), "self": _remote_json(call, issue, link)["self"]}


def _remote_of(call: Call, issue: Json) -> Json:
    found: Json | None = next(
        (ln for ln in issue["remote_links"] if ln["id"] == call.path("link")), None
    )
    if found is None:
        raise error(404, "No remote link with that id.")
    return found


def get_remote_link(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}`` (getRemoteIssueLinkById)."""
    issue = issue_of(call)
    return 200, _remote_json(call, issue, _remote_of(call, issue))


def update_remote_link(call: Call) -> Answer:
    """``PUT /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}`` (updateRemoteIssueLink)."""
    issue = issue_of(call)
    link = _remote_of(call, issue)
    body = call.object()
    link |= {k: body.get(k) for k in ("globalId", "application", "relationship", "object")}
    return 204, None


def delete_remote_link(call: Call) -> Answer:
    """``DELETE .../remotelink/{linkId}`` or ``.../remotelink?globalId=`` (both 204)."""
    issue = issue_of(call)
    if "link" in call.match.groupdict() and call.match["link"]:
        doomed = [_remote_of(call, issue)]
    else:
        doomed = [
            ln for ln in issue["remote_links"] if ln.get("globalId") == call.param("globalId")
        ]
        if not doomed:
            raise error(404, "No remote link with that global id.")
    issue["remote_links"] = [ln for ln in issue["remote_links"] if ln not in doomed]
    return 204, None


# --- properties -----------------------------------------------------------------------------


def list_properties(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/properties`` (getIssuePropertyKeys)."""
    issue = issue_of(call)
    base = f"{r.api(call.state, call.rest)}/issue/{issue['key']}/properties"
    return 200, {"keys": [{"self": f"{base}/{k}", "key": k} for k in issue["properties"]]}


def get_property(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}`` (getIssueProperty)."""
    issue = issue_of(call)
    key = call.path("key")
    if key not in issue["properties"]:
        raise error(404, f"The property with key '{key}' does not exist.")
    return 200, {"key": key, "value": issue["properties"][key]}


def set_property(call: Call) -> Answer:
    """``PUT .../properties/{propertyKey}`` (setIssueProperty): 201 new, 200 updated.

    "The value of the request body must be a valid, non-empty JSON blob. The maximum length
    is 32768 characters." The key at most 255.
    """
    issue = issue_of(call)
    require(call, "EDIT_ISSUES", "You do not have permission to edit issues in this project.")
    key = call.path("key")
    if len(key) > 255:
        raise bad_request("The property key can not be longer than 255 characters.")
    if call.body is None:
        raise bad_request("The property value must be a valid, non-empty JSON blob.")
    if len(call.raw.decode("utf-8", "replace")) > PROPERTY_LIMIT:
        raise bad_request(f"The property value can not be longer than {PROPERTY_LIMIT} characters.")
    created = key not in issue["properties"]
    issue["properties"][key] = json.loads(json.dumps(call.body))
    return (201 if created else 200), None


def delete_property(call: Call) -> Answer:
    """``DELETE .../properties/{propertyKey}`` (deleteIssueProperty): 204."""
    issue = issue_of(call)
    key = call.path("key")
    if issue["properties"].pop(key, None) is None:
        raise error(404, f"The property with key '{key}' does not exist.")
    return 204, None
