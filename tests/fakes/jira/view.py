"""The issue as read (``fields=``, ``expand=``, ``properties=``) and the field catalogue.

Cloud OpenAPI ``GET /rest/api/3/issue/{issueIdOrKey}`` (``IssueBean``), ``GET
/rest/api/3/field`` (``FieldDetails``) and ``GET /rest/api/3/issue/createmeta/{projectIdOrKey}
/issuetypes/{issueTypeId}`` (``FieldCreateMetadata``); DC the same under /rest/api/2.
"""

from __future__ import annotations

from tests.fakes.jira import render as r
from tests.fakes.jira.api import Json
from tests.fakes.jira.catalog import EPIC_LINK, EPIC_LINK_TYPE, EPIC_NAME, EPIC_NAME_TYPE
from tests.fakes.jira.state import State

EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"

# id -> (name, schema, operations); schema "system" is the id
SYSTEM_FIELDS: dict[str, tuple[str, Json, list[str]]] = {
    "summary": ("Summary", {"type": "string"}, ["set"]),
    "description": ("Description", {"type": "string"}, ["set"]),
    "issuetype": ("Issue Type", {"type": "issuetype"}, []),
    "project": ("Project", {"type": "project"}, ["set"]),
    "status": ("Status", {"type": "status"}, []),
    "labels": ("Labels", {"type": "array", "items": "string"}, ["add", "set", "remove"]),
    "assignee": ("Assignee", {"type": "user"}, ["set"]),
    "reporter": ("Reporter", {"type": "user"}, ["set"]),
    "creator": ("Creator", {"type": "user"}, []),
    "created": ("Created", {"type": "datetime"}, []),
    "updated": ("Updated", {"type": "datetime"}, []),
    "duedate": ("Due date", {"type": "date"}, ["set"]),
    "fixVersions": (
        "Fix versions",
        {"type": "array", "items": "version"},
        ["set", "add", "remove"],
    ),
    "resolution": ("Resolution", {"type": "resolution"}, ["set"]),
    "resolutiondate": ("Resolved", {"type": "datetime"}, []),
    "priority": ("Priority", {"type": "priority"}, ["set"]),
    "issuelinks": ("Linked Issues", {"type": "array", "items": "issuelinks"}, ["add"]),
    "attachment": ("Attachment", {"type": "array", "items": "attachment"}, []),
    "comment": ("Comment", {"type": "comments-page"}, ["add"]),
    "subtasks": ("Sub-tasks", {"type": "array", "items": "issuelinks"}, []),
    "parent": ("Parent", {"type": "issuelink"}, ["set"]),
    "statuscategorychangedate": ("Status Category Changed", {"type": "datetime"}, []),
}
CREATABLE = (
    "summary",
    "issuetype",
    "project",
    "description",
    "labels",
    "assignee",
    "reporter",
    "duedate",
    "fixVersions",
    "priority",
    "issuelinks",
    "attachment",
)


def custom_fields(state: State) -> dict[str, tuple[str, Json, list[str]]]:
    """DC's Jira Software epic fields (Cloud links epics through ``parent``)."""
    if state.cloud:
        return {}
    return {
        EPIC_LINK: (
            "Epic Link",
            {"type": "any", "custom": EPIC_LINK_TYPE, "customId": 10100},
            ["set"],
        ),
        EPIC_NAME: (
            "Epic Name",
            {"type": "string", "custom": EPIC_NAME_TYPE, "customId": 10101},
            ["set"],
        ),
    }


def field_list(state: State) -> list[Json]:
    """``GET /field``: every field with ``schema`` (custom ones with ``schema.custom``)."""
    rows = []
    for fid, (name, schema, _ops) in {**SYSTEM_FIELDS, **custom_fields(state)}.items():
        custom = fid.startswith("customfield_")
        clauses = [f"cf[{fid.split('_')[1]}]", name] if custom else [fid]
        row = {
            "id": fid,
            "name": name,
            "custom": custom,
            "orderable": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": clauses,
            "schema": schema if custom else {**schema, "system": fid},
        }
        rows.append(row | {"key": fid} if state.cloud else row)
    return rows


def create_fields(state: State, project: Json, type_id: str, rest: str) -> list[Json]:
    """Fields on the create screen of ``type_id`` in ``project`` (``FieldCreateMetadata``)."""
    kind = state.issue_type(type_id)
    names = list(CREATABLE)
    if kind["subtask"] or (state.cloud and kind["level"] == 0):
        names.append("parent")
    extra = custom_fields(state)
    if not state.cloud:
        names += [EPIC_NAME] if kind["level"] == 1 else [] if kind["subtask"] else [EPIC_LINK]
    rows = []
    for fid in names:
        name, schema, ops = SYSTEM_FIELDS.get(fid) or extra[fid]
        required = fid in ("summary", "issuetype", "project", EPIC_NAME) or (
            fid == "parent" and kind["subtask"]
        )
        row = {
            "required": required,
            "schema": schema if fid in extra else {**schema, "system": fid},
            "name": name,
            "fieldId": fid,
            "key": fid,
            "hasDefaultValue": False,
            "operations": ops,
        }
        if fid == "fixVersions":
            versions = [v for v in state.versions.values() if v["project"] == project["key"]]
            row["allowedValues"] = [r.version_json(state, v, rest) for v in versions]
        rows.append(row)
    return rows


def field_values(state: State, issue: Json, rest: str) -> Json:
    """Every field of ``issue`` as ``GET /issue`` shows it."""
    users = state.users
    comments = [r.comment_json(state, issue, c, rest) for c in issue["comments"]]
    values: Json = {
        "summary": issue["summary"],
        "description": r.text_out(issue["description"], rest == "3"),
        "issuetype": r.type_json(state, issue["type"], rest),
        "project": r.project_ref(state, state.projects[issue["project"]], rest),
        "status": r.status_json(state, issue["status"], rest),
        "labels": list(issue["labels"]),
        "assignee": r.user_json(state, users.get(issue["assignee"] or ""), rest),
        "reporter": r.user_json(state, users.get(issue["reporter"]), rest),
        "creator": r.user_json(state, users.get(issue["creator"]), rest),
        "created": issue["created"],
        "updated": issue["updated"],
        "duedate": issue["duedate"],
        "fixVersions": [
            r.version_json(state, state.versions[v], rest) for v in issue["fixVersions"]
        ],
        "resolution": r.resolution_json(state, issue["resolution"], rest),
        "resolutiondate": issue["resolutiondate"],
        "priority": r.priority_json(state, rest),
        "issuelinks": r.link_entries(state, issue, rest),
        "attachment": [
            r.attachment_json(state, state.attachments[a], rest) for a in issue["attachments"]
        ],
        "comment": {
            "comments": comments,
            "maxResults": len(comments),
            "total": len(comments),
            "startAt": 0,
        },
        "subtasks": [
            r.issue_ref(state, i, rest)
            for i in state.children(issue)
            if state.issue_type(i["type"])["subtask"]
        ],
        "statuscategorychangedate": issue["statuscategorychangedate"],
        **issue["custom"],
    }
    if issue["parent"]:
        values["parent"] = r.issue_ref(state, state.issues[issue["parent"]], rest)
    if not state.cloud:
        epic = state.issues.get(issue["epic_link"] or "")
        values[EPIC_LINK] = epic["key"] if epic else None
        values[EPIC_NAME] = issue["epic_name"]
    return values


def select(values: Json, wanted: list[str], default: str) -> list[str]:
    """The field names a ``fields`` list asks for (Cloud OpenAPI "Get issue" ``fields``)."""
    tokens = wanted or [default]
    plain = [t for t in tokens if not t.startswith("-")]
    if not plain:  # only exclusions: navigable minus those
        plain = ["*navigable"]
    chosen: list[str] = []
    for token in plain:
        if token == "*all":
            chosen += list(values)
        elif token == "*navigable":
            chosen += [name for name in values if name not in r.NOT_NAVIGABLE]
        elif token in values:
            chosen.append(token)
    dropped = {t[1:] for t in tokens if t.startswith("-")}
    return [n for n in dict.fromkeys(chosen) if n not in dropped]


def issue_json(
    state: State,
    issue: Json,
    rest: str,
    *,
    fields: list[str] | None = None,
    default: str = "*all",
    expand: list[str] | None = None,
    properties: list[str] | None = None,
) -> Json:
    """``IssueBean``; ``fields=["id"]`` alone gives Cloud search's id-only rows."""
    if default == "id" and (not fields or fields == ["id"]):
        return {"id": issue["id"]}
    values = field_values(state, issue, rest)
    shown: Json = {
        "expand": EXPAND,
        "id": issue["id"],
        "self": f"{r.api(state, rest)}/issue/{issue['id']}",
        "key": issue["key"],
        "fields": {name: values[name] for name in select(values, fields or [], default)},
    }
    if "changelog" in (expand or []):
        histories = [r.history_json(state, h, rest) for h in issue["histories"]]
        shown["changelog"] = {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        }
    if properties:
        every = "*all" in properties
        shown["properties"] = {
            k: v for k, v in issue["properties"].items() if every or k in properties
        }
    return shown
