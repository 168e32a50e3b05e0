"""REST shapes of the emulator's records (Cloud OpenAPI schemas; DC REST reference).

Every object that Jira links carries ``self``: the jira library picks its resource class
from that URL (jira/resources.py ``resource_class_map``: ``issue/{id}``, ``issueLink/{id}``,
``attachment/{id}``, ``user?accountId=`` ...), so the links here keep Jira's forms.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from tests.fakes.jira.api import Json
from tests.fakes.jira.catalog import CATEGORIES, RESOLUTIONS, STATUSES
from tests.fakes.jira.state import State

AVATAR = "https://avatar.example.invalid/{size}.png"
NOT_NAVIGABLE = {"comment"}  # left out of ``*navigable`` (the search default on DC)


def api(state: State, rest: str) -> str:
    """The REST base for ``self`` links."""
    return f"{state.base_url}/rest/api/{rest}"


def user_json(state: State, user: Json | None, rest: str = "2") -> Json | None:
    """Cloud OpenAPI ``User`` (accountId, no name) or DC ``UserBean`` (name, key)."""
    if user is None:
        return None
    avatars = {f"{n}x{n}": AVATAR.format(size=n) for n in (16, 24, 32, 48)}
    shown = {
        "emailAddress": user["email"],
        "avatarUrls": avatars,
        "active": user["active"],
        "displayName": user["displayName"],
        "timeZone": "Asia/Jakarta",
    }
    if state.cloud:
        link = f"{api(state, rest)}/user?accountId={user['accountId']}"
        return {"self": link, "accountId": user["accountId"], "accountType": "atlassian", **shown}
    link = f"{api(state, rest)}/user?username={urllib.parse.quote(user['name'])}"
    return {"self": link, "name": user["name"], "key": user["key"], **shown}


def status_json(state: State, status_id: str, rest: str = "2") -> Json:
    """Cloud OpenAPI ``StatusDetails`` with its ``statusCategory``."""
    status = STATUSES[status_id]
    category = CATEGORIES[status["category"]]
    return {
        "self": f"{api(state, rest)}/status/{status_id}",
        "description": "",
        "iconUrl": f"{state.base_url}/images/icons/statuses/generic.png",
        "name": status["name"],
        "id": status_id,
        "statusCategory": {
            "self": f"{api(state, rest)}/statuscategory/{category['id']}",
            **category,
        },
    }


def type_json(state: State, type_id: str, rest: str = "2") -> Json:
    """Cloud OpenAPI ``IssueTypeDetails`` (``hierarchyLevel`` on Cloud only)."""
    kind = state.issue_type(type_id)
    shown = {
        "self": f"{api(state, rest)}/issuetype/{type_id}",
        "id": type_id,
        "description": "",
        "iconUrl": f"{state.base_url}/images/icons/issuetypes/{kind['name'].lower()}.svg",
        "name": kind["name"],
        "subtask": kind["subtask"],
        "avatarId": 10300 + int(type_id) % 100,
    }
    return shown | {"hierarchyLevel": kind["level"]} if state.cloud else shown


def project_ref(state: State, project: Json, rest: str = "2") -> Json:
    """The project as embedded in an issue (Cloud OpenAPI ``ProjectDetails``)."""
    avatars = {f"{n}x{n}": AVATAR.format(size=n) for n in (16, 24, 32, 48)}
    ref = {
        "self": f"{api(state, rest)}/project/{project['id']}",
        "id": project["id"],
        "key": project["key"],
        "name": project["name"],
        "projectTypeKey": "software",
        "avatarUrls": avatars,
    }
    return ref | {"simplified": False} if state.cloud else ref


def version_json(state: State, version: Json, rest: str = "2") -> Json:
    """Cloud OpenAPI ``Version``: dates ``yyyy-mm-dd``, ``projectId`` a number."""
    shown = {k: v for k, v in version.items() if k != "project" and v is not None}
    return {"self": f"{api(state, rest)}/version/{version['id']}", **shown}


def resolution_json(state: State, name: str | None, rest: str = "2") -> Json | None:
    """Cloud OpenAPI ``Resolution``."""
    if name is None:
        return None
    rid = RESOLUTIONS[name]
    return {
        "self": f"{api(state, rest)}/resolution/{rid}",
        "id": rid,
        "name": name,
        "description": "",
    }


def priority_json(state: State, rest: str = "2") -> Json:
    """Every issue here has priority Medium (id 3, as on a default site)."""
    return {
        "self": f"{api(state, rest)}/priority/3",
        "id": "3",
        "name": "Medium",
        "iconUrl": f"{state.base_url}/images/icons/priorities/medium.svg",
    }


def issue_ref(state: State, issue: Json, rest: str = "2") -> Json:
    """An issue as linked from another: parent, subtasks, issuelinks (``LinkedIssue``)."""
    return {
        "id": issue["id"],
        "key": issue["key"],
        "self": f"{api(state, rest)}/issue/{issue['id']}",
        "fields": {
            "summary": issue["summary"],
            "status": status_json(state, issue["status"], rest),
            "priority": priority_json(state, rest),
            "issuetype": type_json(state, issue["type"], rest),
        },
    }


def link_type_json(state: State, kind: Json, rest: str = "2") -> Json:
    """Cloud OpenAPI ``IssueLinkType``."""
    return {**kind, "self": f"{api(state, rest)}/issueLinkType/{kind['id']}"}


def link_entries(state: State, issue: Json, rest: str = "2") -> list[Json]:
    """``fields.issuelinks``: the other issue under ``outwardIssue`` when this one is the source.

    A link's source is the request's ``inwardIssue`` (see activity.py ``create_link``), so the
    source reads "<outward> other" (A "blocks" B), the destination "<inward> other".
    """
    entries = []
    for link in state.links.values():
        if issue["id"] not in (link["source"], link["dest"]):
            continue
        kind = next(t for t in state.link_types if t["id"] == link["type"])
        entry = {
            "id": link["id"],
            "self": f"{api(state, rest)}/issueLink/{link['id']}",
            "type": link_type_json(state, kind, rest),
        }
        if link["source"] == issue["id"]:
            entry["outwardIssue"] = issue_ref(state, state.issues[link["dest"]], rest)
        else:
            entry["inwardIssue"] = issue_ref(state, state.issues[link["source"]], rest)
        entries.append(entry)
    return entries


# --- text: wiki strings on v2, Atlassian Document Format on v3 --------------------------


def text_to_adf(text: str) -> Json:
    """A plain string as an ADF document, one paragraph a line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def adf_to_text(node: Any) -> str:
    """The text of an ADF node: text nodes joined, block nodes one a line."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    parts = [adf_to_text(child) for child in node.get("content", [])]
    inline = all(
        isinstance(c, dict) and c.get("type") in ("text", "hardBreak", "mention")
        for c in node.get("content", [])
    )
    return "".join(parts) if inline else "\n".join(parts)


def text_out(value: Any, adf: bool) -> Any:
    """A stored text (string or ADF) as a v2 (string) or v3 (ADF) client reads it."""
    if value is None:
        return None
    if adf:
        return value if isinstance(value, dict) else text_to_adf(str(value))
    return adf_to_text(value) if isinstance(value, dict) else value


def comment_json(state: State, issue: Json, comment: Json, rest: str = "2") -> Json:
    """Cloud OpenAPI ``Comment`` (body as the request's REST version expects)."""
    author = user_json(state, state.users[comment["author"]], rest)
    shown = {
        "self": f"{api(state, rest)}/issue/{issue['id']}/comment/{comment['id']}",
        "id": comment["id"],
        "author": author,
        "body": text_out(comment["body"], rest == "3"),
        "updateAuthor": user_json(state, state.users[comment["updateAuthor"]], rest),
        "created": comment["created"],
        "updated": comment["updated"],
    }
    return shown | {"jsdPublic": True} if state.cloud else shown


def attachment_json(state: State, attachment: Json, rest: str = "2") -> Json:
    """Cloud OpenAPI ``Attachment``; ``content`` is Cloud's REST URL, DC's /secure/ one."""
    aid, name = attachment["id"], attachment["filename"]
    content = (
        f"{api(state, rest)}/attachment/content/{aid}"
        if state.cloud
        else f"{state.base_url}/secure/attachment/{aid}/{urllib.parse.quote(name)}"
    )
    return {
        "self": f"{api(state, rest)}/attachment/{aid}",
        "id": aid,
        "filename": name,
        "author": user_json(state, state.users[attachment["author"]], rest),
        "created": attachment["created"],
        "size": len(attachment["data"]),
        "mimeType": attachment["mimeType"],
        "content": content,
    }


def history_json(state: State, history: Json, rest: str = "2") -> Json:
    """Cloud OpenAPI ``Changelog``."""
    author = user_json(state, state.users[history["author"]], rest)
    return {
        "id": history["id"],
        "author": author,
        "created": history["created"],
        "items": [dict(i) for i in history["items"]],
    }
