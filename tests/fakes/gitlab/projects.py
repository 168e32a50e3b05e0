"""GitLab emulator handlers: instance, users, groups, projects, files, hooks, merge requests."""

from __future__ import annotations

import base64

from tests.fakes.gitlab.api import Answer, ApiError, Call, group_of, not_found, project_of
from tests.fakes.gitlab.state import Json, file_json, now, user_basic

LICENSE_NAMES = {
    "mit": "MIT License",
    "apache-2.0": "Apache License 2.0",
    "gpl-3.0": "GNU General Public License v3.0",
}

# --- projects, repository files, hooks, merge requests -----------------------------------------


def _project_json(call: Call, project: Json) -> Json:
    """doc/api/projects.md "Get a single project"; ``license`` only with ``license=true``."""
    shown = {k: v for k, v in project.items() if k != "license_key"}
    if call.flag("license"):
        key = project["license_key"]
        shown["license_url"] = (
            f"{project['web_url']}/-/blob/{project['default_branch']}/LICENSE" if key else None
        )
        shown["license"] = (
            {
                "key": key,
                "name": LICENSE_NAMES.get(key, key.upper()),
                "nickname": None,
                "html_url": f"https://opensource.org/licenses/{key}",
                "source_url": None,
            }
            if key
            else None
        )
    return shown


def list_projects(call: Call) -> Answer:
    """doc/api/projects.md "List all projects" (``search``)."""
    search = (call.text("search") or "").lower()
    found = [p for p in call.state.projects.values() if search in p["path_with_namespace"].lower()]
    return 200, [_project_json(call, p) for p in sorted(found, key=lambda p: -p["id"])]


def get_project(call: Call) -> Answer:
    """doc/api/projects.md "Get a single project"."""
    return 200, _project_json(call, project_of(call))


PROJECT_SETTINGS = (
    "name",
    "description",
    "default_branch",
    "visibility",
    "issues_enabled",
    "only_allow_merge_if_pipeline_succeeds",
    "only_allow_merge_if_all_discussions_are_resolved",
)


def update_project(call: Call) -> Answer:
    """doc/api/projects.md "Edit a project" (the settings sop-sync touches)."""
    project = project_of(call)
    if call.has("visibility"):
        call.choice("visibility", ("private", "internal", "public"))
    for key in PROJECT_SETTINGS:
        if call.has(key):
            boolean = isinstance(project.get(key), bool)
            project[key] = call.flag(key) if boolean else call.text(key)
    return 200, _project_json(call, project)


def get_file(call: Call) -> Answer:
    """doc/api/repository_files.md "Get file from repository" (default branch only)."""
    project = project_of(call)
    call.require("ref")
    ref = str(call.text("ref"))
    data = call.state.files[project["id"]].get(call.path("file"))
    if ref not in (project["default_branch"], "HEAD"):
        raise not_found("Commit")
    if data is None:
        raise not_found("File")
    return 200, file_json(project, call.path("file"), data, ref)


HOOK_EVENTS = {
    "push_events": True,
    "issues_events": False,
    "confidential_issues_events": False,
    "merge_requests_events": False,
    "tag_push_events": False,
    "note_events": False,
    "confidential_note_events": False,
    "job_events": False,
    "pipeline_events": False,
    "wiki_page_events": False,
    "deployment_events": False,
    "releases_events": False,
    "enable_ssl_verification": True,
}


def _check_url(call: Call) -> None:
    """lib/api/project_hooks.rb: ``url`` required; an unusable one is 422 "Invalid url given"."""
    call.require("url")
    if not str(call.text("url")).startswith(("http://", "https://")):
        raise ApiError(422, {"error": "Invalid url given"})


def _hook_json(hook: Json) -> Json:
    """A hook as the API shows it: never its secrets, only whether they are set.

    Merge request 231325 ("Expose token presence flags and signing token in Webhooks API"):
    ``token_present``, ``signing_token_present``; ``signing_token`` accepted on create and
    update (``whsec_<base64 of 32 bytes>``), never returned.
    """
    shown = {k: v for k, v in hook.items() if k not in ("token", "signing_token")}
    return {
        **shown,
        "token_present": bool(hook.get("token")),
        "signing_token_present": bool(hook.get("signing_token")),
    }


def _check_signing_token(call: Call) -> None:
    """A signing token must be ``whsec_`` and the base64 of 32 bytes (MR 231325), else 400."""
    if not call.has("signing_token"):
        return
    value = str(call.raw("signing_token") or "")
    try:
        key = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except ValueError:
        key = b""
    if not value.startswith("whsec_") or len(key) != 32:
        raise ApiError(400, {"message": {"signing_token": ["is invalid"]}})


def _hook(call: Call) -> tuple[Json, Json]:
    project = project_of(call)
    hook = next(
        (h for h in call.state.hooks[project["id"]] if h["id"] == int(call.match["hid"])), None
    )
    if hook is None:
        raise not_found()  # hooks.find: RecordNotFound
    return project, hook


def list_hooks(call: Call) -> Answer:
    """doc/api/project_webhooks.md "List webhooks for a project"."""
    return 200, [_hook_json(h) for h in call.state.hooks[project_of(call)["id"]]]


def get_hook(call: Call) -> Answer:
    """doc/api/project_webhooks.md "Get a project webhook"."""
    return 200, _hook_json(_hook(call)[1])


def create_hook(call: Call) -> Answer:
    """doc/api/project_webhooks.md "Add a webhook to a project" (``url`` required)."""
    project = project_of(call)
    _check_url(call)
    hook = {
        "id": call.state.next_id("web_hooks"),
        "project_id": project["id"],
        "url": call.text("url"),
        "name": None,
        "description": None,
        "created_at": now(),
        "alert_status": "executable",
        "disabled_until": None,
        **HOOK_EVENTS,
    }
    _check_signing_token(call)
    secrets = ("token", "signing_token")
    hook |= {k: call.raw(k) for k in (*HOOK_EVENTS, *secrets, "name", "description") if call.has(k)}
    call.state.hooks[project["id"]].append(hook)
    return 201, _hook_json(hook)


def update_hook(call: Call) -> Answer:
    """doc/api/project_webhooks.md "Edit a project webhook" (``url`` required here too)."""
    _, hook = _hook(call)
    _check_url(call)
    _check_signing_token(call)
    keys = (*HOOK_EVENTS, "url", "token", "signing_token", "name", "description")
    hook |= {k: call.raw(k) for k in keys if call.has(k)}
    return 200, _hook_json(hook)


def delete_hook(call: Call) -> Answer:
    """doc/api/project_webhooks.md "Delete project webhook" (204)."""
    project, hook = _hook(call)
    call.state.hooks[project["id"]].remove(hook)
    return 204, None


def _merge_request(call: Call) -> tuple[Json, Json]:
    project = project_of(call)
    mr = call.state.merge_requests[project["id"]].get(int(call.match["iid"]))
    if mr is None:
        raise not_found()
    return project, mr


def get_merge_request(call: Call) -> Answer:
    """doc/api/merge_requests.md "Get single MR" (lists, notes: .merge_requests; .pipelines)."""
    _, mr = _merge_request(call)
    return 200, {k: v for k, v in mr.items() if k != "closes"}


def closes_issues(call: Call) -> Answer:
    """doc/api/merge_requests.md "List issues that close on merge"."""
    project, mr = _merge_request(call)
    issues = call.state.issues[project["id"]]
    return 200, [call.state.issue_json(issues[iid]) for iid in mr["closes"] if iid in issues]


# --- users, groups, instance ---------------------------------------------------------------


def current_user(call: Call) -> Answer:
    """doc/api/users.md "Get the current user" (the Sudo user when impersonating)."""
    admin = call.user["username"] in call.state.admins
    return 200, {
        **call.user,
        "email": f"{call.user['username']}@example.test",
        "created_at": "2000-01-01T00:00:00.000Z",
        "is_admin": admin,
        "bot": False,
    }


def list_users(call: Call) -> Answer:
    """doc/api/users.md "List users" (``username`` exact, case-insensitive; ``search``)."""
    username = (call.text("username") or "").lower()
    search = (call.text("search") or "").lower()
    return 200, [
        user_basic(u)
        for u in call.state.users.values()
        if (not username or u["username"].lower() == username)
        and (not search or search in (u["username"] + " " + u["name"]).lower())
    ]


def get_user(call: Call) -> Answer:
    """doc/api/users.md "Get a single user"."""
    user = call.state.user_by_id(int(call.match["uid"]))
    if user is None:
        raise not_found("User")
    return 200, user_basic(user)


def get_group(call: Call) -> Answer:
    """doc/api/groups.md "Get a single group"."""
    return 200, group_of(call)


def version(call: Call) -> Answer:
    """doc/api/version.md."""
    ee = call.state.premium or call.state.edition == "ee"
    return 200, {"version": "17.5.0-ee" if ee else "17.5.0", "revision": "0e1a5b9c"}


def metadata(call: Call) -> Answer:
    """doc/api/metadata.md "Retrieve metadata information for this GitLab instance"."""
    _, shown = version(call)
    return 200, {
        **shown,
        "kas": {"enabled": False, "externalUrl": None, "version": None},
        "enterprise": call.state.premium or call.state.edition == "ee",
    }


def license_info(call: Call) -> Answer:
    """doc/api/license.md "Retrieve information about the current license" (admin).

    EE without a licence presents nothing (``null``); CE has no such route.
    """
    if not call.state.premium:
        if call.state.edition == "ce":
            raise ApiError(404, {"error": "404 Not Found"})
        return 200, None
    return 200, {
        "id": 1,
        "plan": "premium",
        "created_at": "2000-01-01T00:00:00.000Z",
        "starts_at": "2000-01-01",
        "expires_at": None,
        "historical_max": 0,
        "maximum_user_count": 0,
        "expired": False,
        "overage": 0,
        "user_limit": 0,
        "active_users": len(call.state.users),
        "add_ons": {},
        "licensee": {"Name": "Emulator", "Email": "emulator@example.test", "Company": "sop-sync"},
    }


# --- repository files: create and update (doc/api/repository_files.md) ----------------------


def _file_write(call: Call, *, exists: bool) -> Answer:
    """Create or update a file: doc/api/repository_files.md, both endpoints.

    ``branch``, ``content`` and ``commit_message`` required; ``encoding`` ``text`` (default) or
    ``base64``. Only the default branch is kept. A create of an existing file, or an update of
    a missing one, is 400 with GitLab's message; the answer is ``{file_path, branch}``.
    """
    project = project_of(call)
    call.require("branch", "commit_message")
    if not call.has("content"):
        raise ApiError(400, {"error": "content is missing"})
    encoding = call.choice("encoding", ("text", "base64"), "text")
    branch = str(call.text("branch"))
    if branch != project["default_branch"]:
        message = "You can only create or edit files when you are on a branch"
        raise ApiError(400, {"message": message})
    path = call.path("file")
    files = call.state.files[project["id"]]
    if (path in files) != exists:
        message = "doesn't exist" if exists else "already exists"
        raise ApiError(400, {"message": f"A file with this name {message}"})
    text = str(call.text("content", ""))
    files[path] = base64.b64decode(text) if encoding == "base64" else text.encode()
    return (200 if exists else 201), {"file_path": path, "branch": branch}


def create_file(call: Call) -> Answer:
    """doc/api/repository_files.md "Create new file in repository" (201)."""
    return _file_write(call, exists=False)


def update_file(call: Call) -> Answer:
    """doc/api/repository_files.md "Update existing file in repository" (200)."""
    return _file_write(call, exists=True)
