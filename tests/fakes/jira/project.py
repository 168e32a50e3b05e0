"""Jira emulator handlers: projects, create metadata (issue types, fields), versions.

Each cites its Cloud platform OpenAPI operation; DC serves the same under /rest/api/2.
Site-wide handlers (server info, people, fields) are in :mod:`site`, webhooks in
:mod:`webhooks`.
"""

from __future__ import annotations

import datetime as dt

from tests.fakes.jira import render as r
from tests.fakes.jira import view
from tests.fakes.jira.api import (
    Answer,
    Call,
    Json,
    bad_request,
    error,
    offset_page,
    project_not_found,
    require,
)
from tests.fakes.jira.state import State


def _project_of(call: Call) -> Json:
    project: Json | None = call.state.project(call.path("project"))
    if project is None:
        raise project_not_found(call.path("project"))
    return project


def project_json(call: Call, project: Json) -> Json:
    """Cloud OpenAPI ``Project`` (with ``issueTypes``, as ``expand=issueTypes`` gives)."""
    state = call.state
    shown = r.project_ref(state, project, call.rest) | {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "description": "",
        "lead": r.user_json(state, state.users[project["lead"]], call.rest),
        "components": [],
        "issueTypes": [r.type_json(state, t, call.rest) for t in project["types"]],
        "assigneeType": "UNASSIGNED",
        "versions": [r.version_json(state, v, call.rest) for v in _versions(state, project)],
        "roles": {},
    }
    return shown | {"style": "classic", "isPrivate": False} if state.cloud else shown


def list_projects(call: Call) -> Answer:
    """``GET /rest/api/3/project`` (getAllProjects)."""
    return 200, [project_json(call, p) for p in call.state.projects.values()]


def get_project(call: Call) -> Answer:
    """``GET /rest/api/3/project/{projectIdOrKey}`` (getProject)."""
    return 200, project_json(call, _project_of(call))


def createmeta_types(call: Call) -> Answer:
    """``GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes`` (Cloud, DC 8.4+).

    Cloud pages them under ``issueTypes``; DC under ``values`` (what jira/client.py
    ``project_issue_types`` reads; the library refuses to call it on Cloud).
    """
    project = _project_of(call)
    rows = [r.type_json(call.state, t, call.rest) for t in project["types"]]
    page = offset_page(rows, call, cap=200)
    if call.state.cloud:
        return 200, {"issueTypes": page.pop("values"), **page}
    return 200, page


def createmeta_fields(call: Call) -> Answer:
    """``GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}``.

    Cloud pages the fields under ``fields``, DC under ``values``; Epic Name (DC) is required.
    """
    project = _project_of(call)
    if call.path("type") not in project["types"]:
        raise error(404, f"Issue type with id '{call.path('type')}' does not exist.")
    rows = view.create_fields(call.state, project, call.path("type"), call.rest)
    page = offset_page(rows, call, cap=200)
    if call.state.cloud:
        return 200, {"fields": page.pop("values"), **page}
    return 200, page


# --- versions -------------------------------------------------------------------------------


def _versions(state: State, project: Json) -> list[Json]:
    return [v for v in state.versions.values() if v["project"] == project["key"]]


def _dates(body: Json, version: Json) -> Json:
    changes: Json = {}
    for name in ("startDate", "releaseDate"):
        if name in body:
            value = body[name]
            try:
                changes[name] = dt.date.fromisoformat(value).isoformat() if value else None
            except (TypeError, ValueError):
                raise bad_request(
                    **{
                        name: "Invalid date format. Please enter the date in the "
                        "format 'yyyy-mm-dd'."
                    }
                ) from None
    start, end = (
        changes.get("startDate", version.get("startDate")),
        changes.get("releaseDate", version.get("releaseDate")),
    )
    if start and end and start > end:
        raise bad_request(startDate="The start date must be before the release date.")
    return changes


def _flags(body: Json) -> Json:
    return {k: bool(body[k]) for k in ("released", "archived") if k in body}


def create_version(call: Call) -> Answer:
    """``POST /rest/api/3/version`` (createVersion): 201 ``Version``.

    The project by ``project`` (key) or ``projectId``; dates ``yyyy-mm-dd``.
    """
    state = call.state
    body = call.object()
    project = state.project(str(body.get("project") or body.get("projectId") or ""))
    if project is None:
        raise bad_request(project="Project must be specified to create a version.")
    require(
        call,
        "ADMINISTER_PROJECTS",
        "You must have global or project administrator rights in order to modify versions.",
    )
    name = str(body.get("name") or "").strip()
    if not name:
        raise bad_request(name="You must specify a valid version name")
    if any(v["name"] == name for v in _versions(state, project)):
        raise bad_request(name="A version with this name already exists in this project.")
    version: Json = {
        "id": state.next_id(),
        "description": body.get("description"),
        "name": name,
        "archived": False,
        "released": False,
        "startDate": None,
        "releaseDate": None,
        "projectId": int(project["id"]),
        "project": project["key"],
    }
    version |= _dates(body, version) | _flags(body)
    state.versions[version["id"]] = version
    return 201, r.version_json(state, version, call.rest)


def _version_of(call: Call) -> Json:
    found: Json | None = call.state.versions.get(call.path("version"))
    if found is None:
        raise error(404, f"Could not find version for id '{call.path('version')}'")
    return found


def get_version(call: Call) -> Answer:
    """``GET /rest/api/3/version/{id}`` (getVersion)."""
    return 200, r.version_json(call.state, _version_of(call), call.rest)


def update_version(call: Call) -> Answer:
    """``PUT /rest/api/3/version/{id}`` (updateVersion): name, description, dates, flags."""
    version = _version_of(call)
    require(
        call,
        "ADMINISTER_PROJECTS",
        "You must have global or project administrator rights in order to modify versions.",
    )
    body = call.object()
    changes = _dates(body, version) | _flags(body)
    changes |= {k: body[k] for k in ("name", "description") if k in body}
    version |= changes
    return 200, r.version_json(call.state, version, call.rest)


def project_versions(call: Call) -> Answer:
    """``GET /rest/api/3/project/{projectIdOrKey}/versions`` (getProjectVersions): a list."""
    project = _project_of(call)
    return 200, [r.version_json(call.state, v, call.rest) for v in _versions(call.state, project)]
