"""Jira emulator handlers: issue links and their types.

Cloud OpenAPI ``POST /rest/api/3/issueLink`` (linkIssues), ``GET/DELETE
/rest/api/3/issueLink/{linkId}`` and ``GET /rest/api/3/issueLinkType`` (getIssueLinkTypes);
DC the same under /rest/api/2.

Direction: ``{"type": {"name": "Blocks"}, "inwardIssue": {"key": A}, "outwardIssue": {"key":
B}}`` means **A blocks B**. Jira stores the request's ``inwardIssue`` as the link's source,
so A's ``issuelinks`` shows ``outwardIssue: B`` (read "A blocks B", the type's outward text)
and B's shows ``inwardIssue: A`` ("B is blocked by A"). The names read backwards; reported
again and again (pycontribs/jira#585, atlassian/atlassian-mcp-server#112,
mozilla/jira-bugzilla-integration#1285).
"""

from __future__ import annotations

from tests.fakes.jira import render as r
from tests.fakes.jira.api import Answer, Call, Json, error, issue_not_found, obj
from tests.fakes.jira.state import State, change


def list_link_types(call: Call) -> Answer:
    """``GET /rest/api/3/issueLinkType`` (getIssueLinkTypes)."""
    kinds = [r.link_type_json(call.state, t, call.rest) for t in call.state.link_types]
    return 200, {"issueLinkTypes": kinds}


def get_link_type(call: Call) -> Answer:
    """``GET /rest/api/3/issueLinkType/{issueLinkTypeId}`` (getIssueLinkType)."""
    found = call.state.link_type({"id": call.path("type")})
    if found is None:
        raise error(404, f"No issue link type with id '{call.path('type')}' found.")
    return 200, r.link_type_json(call.state, found, call.rest)


def _issue(state: State, ref: object) -> Json:
    ref = obj(ref)
    found = state.issue(str(ref.get("key") or ref.get("id") or ""))
    if found is None:
        raise issue_not_found()
    return found


def _phrase(kind: Json, other: Json, outward: bool) -> str:
    return f"This issue {kind['outward' if outward else 'inward']} {other['key']}"


def create_link(call: Call) -> Answer:
    """``POST /rest/api/3/issueLink`` (linkIssues): 201 and no body, no id.

    A duplicate link is not added again but still answers 201 ("If the link request
    duplicates a link, the response indicates that the issue link was created"). Unknown
    type or issue, or no *Link issues* permission: 404, as the operation documents. A
    ``comment`` is added to the outward issue ("the from (outward) issue").
    """
    state = call.state
    body = call.object()
    kind = state.link_type(obj(body.get("type")))
    if kind is None:
        name = (body.get("type") or {}).get("name")
        raise error(404, f"No issue link type with name '{name}' found.")
    source, dest = _issue(state, body.get("inwardIssue")), _issue(state, body.get("outwardIssue"))
    if not state.allowed(call.user, "LINK_ISSUES"):
        raise error(404, "You do not have the permission to link issues.")
    same = next(
        (
            ln
            for ln in state.links.values()
            if (ln["type"], ln["source"], ln["dest"]) == (kind["id"], source["id"], dest["id"])
        ),
        None,
    )
    if same is None:
        link = {
            "id": state.next_id(),
            "type": kind["id"],
            "source": source["id"],
            "dest": dest["id"],
        }
        state.links[link["id"]] = link
        state.record(
            source, call.actor, [change("Link", None, None, dest["key"], _phrase(kind, dest, True))]
        )
        state.record(
            dest,
            call.actor,
            [change("Link", None, None, source["key"], _phrase(kind, source, False))],
        )
    comment = body.get("comment")
    if isinstance(comment, dict) and comment.get("body"):
        state.add_comment(dest, call.actor, comment["body"])
    return 201, None


def _link_of(call: Call) -> Json:
    found: Json | None = call.state.links.get(call.path("link"))
    if found is None:
        raise error(404, f"No issue link with id '{call.path('link')}' exists.")
    return found


def get_link(call: Call) -> Answer:
    """``GET /rest/api/3/issueLink/{linkId}`` (getIssueLink): both ends."""
    state = call.state
    link = _link_of(call)
    kind = next(t for t in state.link_types if t["id"] == link["type"])
    return 200, {
        "id": link["id"],
        "self": f"{r.api(state, call.rest)}/issueLink/{link['id']}",
        "type": r.link_type_json(state, kind, call.rest),
        "inwardIssue": r.issue_ref(state, state.issues[link["source"]], call.rest),
        "outwardIssue": r.issue_ref(state, state.issues[link["dest"]], call.rest),
    }


def delete_link(call: Call) -> Answer:
    """``DELETE /rest/api/3/issueLink/{linkId}`` (deleteIssueLink): 204."""
    state = call.state
    link = _link_of(call)
    if not state.allowed(call.user, "LINK_ISSUES"):
        raise error(404, "You do not have the permission to link issues.")
    kind = next(t for t in state.link_types if t["id"] == link["type"])
    source, dest = state.issues[link["source"]], state.issues[link["dest"]]
    del state.links[link["id"]]
    state.record(
        source, call.actor, [change("Link", dest["key"], _phrase(kind, dest, True), None, None)]
    )
    state.record(
        dest, call.actor, [change("Link", source["key"], _phrase(kind, source, False), None, None)]
    )
    return 204, None
