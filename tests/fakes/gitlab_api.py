"""The GitLab emulator's request handlers: one per documented endpoint, with its routes.

Each handler cites the page of GitLab's API docs (gitlabhq ``doc/api/...``) whose shapes it
follows. Free mode refuses what Free refuses (epics: 404; ``blocks`` links: 403).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.gitlab_state import Json, State, now

TOKEN = "glpat-sop-sync-test"
Answer = tuple[int, Any]
Handler = Callable[["Call"], Answer]


@dataclass
class Call:
    """One request as the handlers see it."""

    state: State
    match: re.Match[str]
    query: dict[str, list[str]]
    body: Json
    user: Json
    files: dict[str, tuple[str, bytes]]

    def arg(self, name: str, default: str | None = None) -> str | None:
        """A query parameter or body field."""
        if name in self.body:
            value = self.body[name]
            return None if value is None else str(value)
        values = self.query.get(name) or self.query.get(f"{name}[]")
        return values[0] if values else default


class NotFoundError(Exception):
    """A 404 with GitLab's message."""

    def __init__(self, what: str = "Not found") -> None:
        super().__init__(what)
        self.what = what


def _project(call: Call) -> Json:
    project = call.state.project(urllib.parse.unquote(call.match["project"]))
    if project is None:
        raise NotFoundError("Project Not Found")
    return project


def _issue(call: Call) -> tuple[Json, Json]:
    project = _project(call)
    issue = call.state.issues[project["id"]].get(int(call.match["iid"]))
    if issue is None:
        raise NotFoundError("Issue Not Found")
    return project, issue


def _group(call: Call) -> Json:
    group = call.state.group(urllib.parse.unquote(call.match["group"]))
    if group is None:
        raise NotFoundError("Group Not Found")
    if call.state.tier != "premium" and "/epics" in call.match.string:
        raise NotFoundError()  # epics are a Premium feature: CE/Free does not route them
    return group


def _labels(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else value.split(",")
    return [item.strip() for item in items if item.strip()]


def _milestone_json(m: Json) -> Json:
    return dict(m)


# --- doc/api/issues.md --------------------------------------------------------------------


def _issue_json(state: State, issue: Json) -> Json:
    """doc/api/issues.md "Single project issue" response shape."""
    milestone = None
    if issue["milestone_id"]:
        milestone = state.milestones[issue["project_id"]].get(issue["milestone_id"])
    assignees = [u for uid in issue["assignee_ids"] if (u := state.user_by_id(uid))]
    return {
        **{k: v for k, v in issue.items() if k not in ("milestone_id", "assignee_ids")},
        "milestone": _milestone_json(milestone) if milestone else None,
        "assignees": assignees,
        "assignee": assignees[0] if assignees else None,
    }


def list_issues(call: Call) -> Answer:
    """doc/api/issues.md "List project issues": labels (all must match), state, search."""
    project = _project(call)
    wanted = _labels(call.arg("labels"))
    state = call.arg("state", "all")
    search = call.arg("search")
    found = [
        i
        for i in call.state.issues[project["id"]].values()
        if all(label in i["labels"] for label in wanted)
        and (state in ("all", None) or i["state"] == state)
        and (not search or search.lower() in (i["title"] + i["description"]).lower())
    ]
    found.sort(key=lambda i: i["id"], reverse=call.arg("sort", "desc") == "desc")
    return 200, [_issue_json(call.state, i) for i in found]


def create_issue(call: Call) -> Answer:
    """doc/api/issues.md "New issue"."""
    project = _project(call)
    title = call.arg("title")
    if not title:
        return 400, {"error": "title is missing"}
    issues = call.state.issues[project["id"]]
    iid = max(issues, default=0) + 1
    author = call.user
    issue: Json = {
        "id": call.state.next_id(),
        "iid": iid,
        "project_id": project["id"],
        "title": title,
        "description": call.arg("description") or "",
        "state": "opened",
        "created_at": now(),
        "updated_at": now(),
        "closed_at": None,
        "closed_by": None,
        "labels": [],
        "milestone_id": None,
        "assignee_ids": [],
        "author": author,
        "type": "ISSUE",
        "issue_type": call.arg("issue_type", "issue"),
        "due_date": None,
        "web_url": f"{project['web_url']}/-/issues/{iid}",
        "references": {
            "short": f"#{iid}",
            "relative": f"#{iid}",
            "full": f"{project['path_with_namespace']}#{iid}",
        },
        "epic_iid": None,
        "epic": None,
    }
    error = _update_issue_fields(call, project, issue)
    if error:
        return error
    issues[iid] = issue
    return 201, _issue_json(call.state, issue)


def _label_event(call: Call, project: Json, issue: Json, name: str, action: str) -> None:
    """doc/api/resource_label_events.md entry."""
    label = call.state.labels[project["id"]].get(name) or {"name": name}
    call.state.label_events.setdefault((project["id"], issue["iid"]), []).append(
        {"id": call.state.next_id(), "user": call.user, "created_at": now(),
         "resource_type": "Issue", "resource_id": issue["id"], "label": label, "action": action}
    )  # fmt: skip


def _state_event(call: Call, project: Json, issue: Json, state: str) -> None:
    """doc/api/resource_state_events.md entry."""
    call.state.state_events.setdefault((project["id"], issue["iid"]), []).append(
        {"id": call.state.next_id(), "user": call.user, "created_at": now(),
         "resource_type": "Issue", "resource_id": issue["id"], "state": state}
    )  # fmt: skip


def _update_issue_fields(call: Call, project: Json, issue: Json) -> Answer | None:
    body = call.body
    before = set(issue["labels"])
    for key in ("title", "description"):
        if key in body:
            issue[key] = body[key] or ""
    for label in _labels(body.get("labels")) if "labels" in body else []:
        _define_label(call.state, project, label)
    if "labels" in body:
        issue["labels"] = sorted(set(_labels(body["labels"])))
    for label in _labels(body.get("add_labels")):
        _define_label(call.state, project, label)
        if label not in issue["labels"]:
            issue["labels"] = sorted([*issue["labels"], label])
    remove = set(_labels(body.get("remove_labels")))
    issue["labels"] = [label for label in issue["labels"] if label not in remove]
    if call.state.tier == "premium":  # doc/user/project/labels.md "Scoped labels": exclusive
        added = [n for n in _labels(body.get("add_labels")) if "::" in n]
        scopes = {n.rsplit("::", 1)[0]: n for n in added}
        issue["labels"] = [
            n for n in issue["labels"] if "::" not in n or scopes.get(n.rsplit("::", 1)[0], n) == n
        ]
    if "iid" in call.match.groupdict():  # an edit: GitLab records label events
        for name in sorted(set(issue["labels"]) - before):
            _label_event(call, project, issue, name, "add")
        for name in sorted(before - set(issue["labels"])):
            _label_event(call, project, issue, name, "remove")
    if "due_date" in body:
        issue["due_date"] = body["due_date"] or None
    if "milestone_id" in body:
        mid = body["milestone_id"]
        if mid and int(mid) not in call.state.milestones[project["id"]]:
            return 404, {"message": "404 Milestone Not Found"}
        issue["milestone_id"] = int(mid) if mid else None
    if "assignee_ids" in body:
        ids = [int(u) for u in body["assignee_ids"] or []]
        if any(call.state.user_by_id(u) is None for u in ids):
            return 400, {"message": {"assignee_ids": ["is invalid"]}}
        issue["assignee_ids"] = ids
    if body.get("epic_id") is not None:
        if call.state.tier != "premium":
            return 403, {"message": "403 Forbidden"}
        epic = next(
            (
                e
                for g in call.state.epics.values()
                for e in g.values()
                if e["id"] == int(body["epic_id"])
            ),
            None,
        )
        if epic is None:
            return 404, {"message": "404 Epic Not Found"}
        issue["epic_iid"] = epic["iid"]
        issue["epic"] = {
            "id": epic["id"],
            "iid": epic["iid"],
            "title": epic["title"],
            "group_id": epic["group_id"],
        }
    event = body.get("state_event")
    if event == "close" and issue["state"] != "closed":
        issue.update(state="closed", closed_at=now(), closed_by=call.user)
        _state_event(call, project, issue, "closed")
        _system_note(call, ("issue", project["id"], issue["iid"]), "closed")
    elif event == "reopen" and issue["state"] == "closed":
        issue.update(state="opened", closed_at=None, closed_by=None)
        _state_event(call, project, issue, "reopened")
        _system_note(call, ("issue", project["id"], issue["iid"]), "reopened")
    issue["updated_at"] = now()
    return None


def update_issue(call: Call) -> Answer:
    """doc/api/issues.md "Edit an issue" (add_labels, remove_labels, state_event, ...)."""
    project, issue = _issue(call)
    error = _update_issue_fields(call, project, issue)
    return error or (200, _issue_json(call.state, issue))


def get_issue(call: Call) -> Answer:
    """doc/api/issues.md "Single project issue"."""
    _, issue = _issue(call)
    return 200, _issue_json(call.state, issue)


# --- doc/api/labels.md, doc/api/milestones.md ----------------------------------------------


def _define_label(state: State, project: Json, name: str) -> Json:
    labels = state.labels[project["id"]]
    if name not in labels:
        labels[name] = {
            "id": state.next_id(),
            "name": name,
            "color": "#6699cc",
            "description": None,
        }
    return labels[name]


def list_labels(call: Call) -> Answer:
    """doc/api/labels.md "List labels"."""
    return 200, list(call.state.labels[_project(call)["id"]].values())


def create_label(call: Call) -> Answer:
    """doc/api/labels.md "Create a new label": name and color required; 409 when it exists."""
    project = _project(call)
    name, color = call.arg("name"), call.arg("color")
    if not name or not color:
        return 400, {"error": "name is missing" if not name else "color is missing"}
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
        return 400, {"message": {"color": ["must be a valid color code"]}}
    labels = call.state.labels[project["id"]]
    if name in labels:
        return 409, {"message": "Label already exists"}
    labels[name] = {
        "id": call.state.next_id(),
        "name": name,
        "color": color,
        "description": call.arg("description"),
    }
    return 201, labels[name]


def update_label(call: Call) -> Answer:
    """doc/api/labels.md "Edit an existing label" (by name or id)."""
    project = _project(call)
    name = urllib.parse.unquote(call.match["name"]) if "name" in call.match.groupdict() else None
    name = name or call.arg("name") or ""
    label = call.state.labels[project["id"]].get(name)
    if label is None:
        raise NotFoundError("Label Not Found")
    for key in ("color", "description"):
        if key in call.body:
            label[key] = call.body[key]
    return 200, label


def list_milestones(call: Call) -> Answer:
    """doc/api/milestones.md "List project milestones" (title filter)."""
    project = _project(call)
    title = call.arg("title")
    found = [
        m for m in call.state.milestones[project["id"]].values() if title in (None, m["title"])
    ]
    return 200, found


def create_milestone(call: Call) -> Answer:
    """doc/api/milestones.md "Create new milestone"; a taken title is a 400."""
    project = _project(call)
    title = call.arg("title")
    milestones = call.state.milestones[project["id"]]
    if not title:
        return 400, {"error": "title is missing"}
    if any(m["title"] == title for m in milestones.values()):
        return 400, {"message": "Milestone already exists"}
    mid = call.state.next_id()
    milestones[mid] = {
        "id": mid,
        "iid": len(milestones) + 1,
        "project_id": project["id"],
        "title": title,
        "description": call.arg("description"),
        "state": "active",
        "start_date": call.arg("start_date"),
        "due_date": call.arg("due_date"),
        "created_at": now(),
        "updated_at": now(),
        "expired": False,
        "web_url": f"{project['web_url']}/-/milestones/{len(milestones) + 1}",
    }
    return 201, milestones[mid]


def update_milestone(call: Call) -> Answer:
    """doc/api/milestones.md "Edit milestone"."""
    project = _project(call)
    milestone = call.state.milestones[project["id"]].get(int(call.match["mid"]))
    if milestone is None:
        raise NotFoundError("Milestone Not Found")
    for key in ("title", "description", "start_date", "due_date"):
        if key in call.body:
            milestone[key] = call.body[key]
    if call.body.get("state_event") == "close":
        milestone["state"] = "closed"
    milestone["updated_at"] = now()
    return 200, milestone


# --- doc/api/issue_links.md, doc/api/notes.md, uploads ---------------------------------------


def create_link(call: Call) -> Answer:
    """doc/api/issue_links.md "Create an issue link"; `blocks` needs Premium; 409 if linked."""
    _, source = _issue(call)
    target_project = call.state.project(str(call.arg("target_project_id")))
    if target_project is None:
        raise NotFoundError("Project Not Found")
    target = call.state.issues[target_project["id"]].get(int(call.arg("target_issue_iid") or 0))
    if target is None:
        raise NotFoundError("Issue Not Found")
    kind = call.arg("link_type", "relates_to")
    if kind in ("blocks", "is_blocked_by") and call.state.tier != "premium":
        return 403, {"message": "403 Forbidden"}
    pair = {source["id"], target["id"]}
    if any({link["source"], link["target"]} == pair for link in call.state.links):
        return 409, {"message": "Issue(s) already assigned"}
    call.state.links.append({"source": source["id"], "target": target["id"], "link_type": kind})
    return 201, {
        "source_issue": _issue_json(call.state, source),
        "target_issue": _issue_json(call.state, target),
        "link_type": kind,
    }


def list_links(call: Call) -> Answer:
    """doc/api/issue_links.md "List issue relations" (the other issue, with link_type)."""
    _, issue = _issue(call)
    found = []
    every = {i["id"]: i for issues in call.state.issues.values() for i in issues.values()}
    for link in call.state.links:
        if issue["id"] in (link["source"], link["target"]):
            other = every[link["target"] if link["source"] == issue["id"] else link["source"]]
            found.append({**_issue_json(call.state, other), "link_type": link["link_type"]})
    return 200, found


def _noteable(call: Call) -> tuple[str, int, int]:
    if "group" in call.match.groupdict() and call.match["group"]:
        # doc/api/notes.md "Epics": addressed by the epic's ID, not its IID
        group = _group(call)
        epic = next(
            (
                e
                for e in call.state.epics[group["id"]].values()
                if e["id"] == int(call.match["eid"])
            ),
            None,
        )
        if epic is None:
            raise NotFoundError("Epic Not Found")
        return ("epic", group["id"], epic["iid"])
    project, issue = _issue(call)
    return ("issue", project["id"], issue["iid"])


def _system_note(call: Call, key: tuple[str, int, int], body: str) -> None:
    call.state.notes.setdefault(key, []).append(
        {"id": call.state.next_id(), "body": body, "author": call.user, "created_at": now(),
         "updated_at": now(), "system": True, "noteable_iid": key[2]}
    )  # fmt: skip


def list_state_events(call: Call) -> Answer:
    """doc/api/resource_state_events.md "List project issue state events"."""
    project, issue = _issue(call)
    return 200, call.state.state_events.get((project["id"], issue["iid"]), [])


def list_label_events(call: Call) -> Answer:
    """doc/api/resource_label_events.md "List project issue label events"."""
    project, issue = _issue(call)
    return 200, call.state.label_events.get((project["id"], issue["iid"]), [])


def list_notes(call: Call) -> Answer:
    """doc/api/notes.md "List project issue notes" / "List all epic notes"."""
    notes = call.state.notes.get(_noteable(call), [])
    ascending = call.arg("sort", "desc") == "asc"
    return 200, sorted(notes, key=lambda n: n["id"], reverse=not ascending)


def create_note(call: Call) -> Answer:
    """doc/api/notes.md "Create new issue note" (author: the token's user, or Sudo)."""
    key = _noteable(call)
    body = call.arg("body")
    if not body:
        return 400, {"error": "body is missing"}
    note = {
        "id": call.state.next_id(),
        "body": body,
        "author": call.user,
        "created_at": now(),
        "updated_at": now(),
        "system": False,
        "noteable_type": "Epic" if key[0] == "epic" else "Issue",
        "noteable_iid": key[2],
    }
    call.state.notes.setdefault(key, []).append(note)
    return 201, note


def upload(call: Call) -> Answer:
    """doc/api/project_markdown_uploads.md "Upload a file" (multipart field `file`)."""
    project = _project(call)
    if "file" not in call.files:
        return 400, {"error": "file is missing"}
    return 201, call.state.upload(project, call.files["file"][0])


# --- projects, users, version, hooks ----------------------------------------------------------


def get_project(call: Call) -> Answer:
    """doc/api/projects.md "Get a single project"."""
    return 200, _project(call)


def update_project(call: Call) -> Answer:
    """doc/api/projects.md "Edit a project"."""
    project = _project(call)
    if "only_allow_merge_if_pipeline_succeeds" in call.body:
        project["only_allow_merge_if_pipeline_succeeds"] = bool(
            call.body["only_allow_merge_if_pipeline_succeeds"]
        )
    return 200, project


def list_hooks(call: Call) -> Answer:
    """doc/api/project_webhooks.md "List webhooks for a project" (the token is never shown)."""
    return 200, [
        {k: v for k, v in h.items() if k != "token"} for h in call.state.hooks[_project(call)["id"]]
    ]


def create_hook(call: Call) -> Answer:
    """doc/api/project_webhooks.md "Add a webhook to a project"."""
    project = _project(call)
    hook = {"id": call.state.next_id(), "project_id": project["id"], **call.body}
    call.state.hooks[project["id"]].append(hook)
    return 201, {k: v for k, v in hook.items() if k != "token"}


def update_hook(call: Call) -> Answer:
    """doc/api/project_webhooks.md "Edit a project webhook"."""
    project = _project(call)
    hook = next(
        (h for h in call.state.hooks[project["id"]] if h["id"] == int(call.match["hid"])), None
    )
    if hook is None:
        raise NotFoundError("Hook Not Found")
    hook.update(call.body)
    return 200, {k: v for k, v in hook.items() if k != "token"}


def list_users(call: Call) -> Answer:
    """doc/api/users.md "List users" (username filter)."""
    username = call.arg("username")
    return 200, [u for u in call.state.users.values() if username in (None, u["username"])]


def current_user(call: Call) -> Answer:
    """doc/api/users.md "List current user"."""
    return 200, call.user


def _merge_request(call: Call) -> tuple[Json, Json]:
    project = _project(call)
    mr = call.state.merge_requests.get(project["id"], {}).get(int(call.match["iid"]))
    if mr is None:
        raise NotFoundError("Merge Request Not Found")
    return project, mr


def get_merge_request(call: Call) -> Answer:
    """doc/api/merge_requests.md "Get single MR"."""
    _, mr = _merge_request(call)
    return 200, {k: v for k, v in mr.items() if k != "closes"}


def closes_issues(call: Call) -> Answer:
    """doc/api/merge_requests.md "List issues that close on merge"."""
    project, mr = _merge_request(call)
    issues = call.state.issues[project["id"]]
    return 200, [_issue_json(call.state, issues[iid]) for iid in mr["closes"] if iid in issues]


def license_info(call: Call) -> Answer:
    """doc/api/license.md "Retrieve information about the current license" (admin)."""
    if call.state.tier != "premium":
        return 404, {"message": "404 Not Found"}
    return 200, {"id": 1, "plan": "premium", "expired": False, "user_limit": 0}


def version(call: Call) -> Answer:
    """doc/api/version.md."""
    return 200, {
        "version": "17.5.0-ee" if call.state.tier == "premium" else "17.5.0",
        "revision": "emulator",
    }


# --- doc/api/epics.md, doc/api/epic_issues.md (Premium) -----------------------------------------


def _epic_json(state: State, epic: Json) -> Json:
    return dict(epic)


def list_epics(call: Call) -> Answer:
    """doc/api/epics.md "List epics for a group" (labels, state)."""
    group = _group(call)
    wanted = _labels(call.arg("labels"))
    state = call.arg("state", "all")
    found = [
        e
        for e in call.state.epics[group["id"]].values()
        if all(label in e["labels"] for label in wanted) and state in ("all", e["state"])
    ]
    return 200, [_epic_json(call.state, e) for e in sorted(found, key=lambda e: -e["id"])]


def create_epic(call: Call) -> Answer:
    """doc/api/epics.md "New epic"."""
    group = _group(call)
    title = call.arg("title")
    if not title:
        return 400, {"error": "title is missing"}
    epics = call.state.epics[group["id"]]
    iid = max(epics, default=0) + 1
    epic = {
        "id": call.state.next_id(),
        "iid": iid,
        "group_id": group["id"],
        "title": title,
        "description": call.arg("description") or "",
        "state": "opened",
        "labels": sorted(set(_labels(call.body.get("labels")))),
        "author": call.user,
        "start_date": None,
        "due_date": None,
        "end_date": None,
        "due_date_fixed": None,
        "due_date_is_fixed": False,
        "web_url": f"{group['web_url']}/-/epics/{iid}",
        "references": {"short": f"&{iid}", "full": f"{group['full_path']}&{iid}"},
        "created_at": now(),
        "updated_at": now(),
    }
    _update_epic_fields(call, epic)
    epics[iid] = epic
    return 201, _epic_json(call.state, epic)


def _update_epic_fields(call: Call, epic: Json) -> None:
    body = call.body
    for key in ("title", "description"):
        if key in body:
            epic[key] = body[key] or ""
    if "labels" in body:
        epic["labels"] = sorted(set(_labels(body["labels"])))
    for label in _labels(body.get("add_labels")):
        if label not in epic["labels"]:
            epic["labels"] = sorted([*epic["labels"], label])
    remove = set(_labels(body.get("remove_labels")))
    epic["labels"] = [label for label in epic["labels"] if label not in remove]
    if "due_date_fixed" in body:
        epic["due_date_fixed"] = body["due_date_fixed"]
        epic["due_date"] = epic["end_date"] = body["due_date_fixed"]
    if "due_date_is_fixed" in body:
        epic["due_date_is_fixed"] = bool(body["due_date_is_fixed"])
    if body.get("state_event") == "close":
        epic["state"] = "closed"
    elif body.get("state_event") == "reopen":
        epic["state"] = "opened"
    epic["updated_at"] = now()


def update_epic(call: Call) -> Answer:
    """doc/api/epics.md "Update epic"."""
    group = _group(call)
    epic = call.state.epics[group["id"]].get(int(call.match["iid"]))
    if epic is None:
        raise NotFoundError("Epic Not Found")
    _update_epic_fields(call, epic)
    return 200, _epic_json(call.state, epic)


def epic_issues(call: Call) -> Answer:
    """doc/api/epic_issues.md "List issues for an epic"."""
    group = _group(call)
    epic = call.state.epics[group["id"]].get(int(call.match["iid"]))
    if epic is None:
        raise NotFoundError("Epic Not Found")
    found = [
        _issue_json(call.state, i)
        for issues in call.state.issues.values()
        for i in issues.values()
        if i["epic"] and i["epic"]["id"] == epic["id"]
    ]
    return 200, found


def assign_epic_issue(call: Call) -> Answer:
    """doc/api/epic_issues.md "Assign an issue to the epic" (global issue id)."""
    group = _group(call)
    epic = call.state.epics[group["id"]].get(int(call.match["iid"]))
    issue = next(
        (
            i
            for issues in call.state.issues.values()
            for i in issues.values()
            if i["id"] == int(call.match["issue_id"])
        ),
        None,
    )
    if epic is None or issue is None:
        raise NotFoundError()
    issue["epic_iid"] = epic["iid"]
    issue["epic"] = {
        "id": epic["id"],
        "iid": epic["iid"],
        "title": epic["title"],
        "group_id": group["id"],
    }
    return 201, {"id": call.state.next_id(), "epic": epic, "issue": _issue_json(call.state, issue)}


P = r"/projects/(?P<project>[^/]+)"
G = r"/groups/(?P<group>[^/]+)"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/version", version),
    ("GET", r"/license", license_info),
    ("GET", r"/user", current_user),
    ("GET", r"/users", list_users),
    ("GET", P, get_project),
    ("PUT", P, update_project),
    ("GET", P + r"/hooks", list_hooks),
    ("POST", P + r"/hooks", create_hook),
    ("PUT", P + r"/hooks/(?P<hid>\d+)", update_hook),
    ("GET", P + r"/issues", list_issues),
    ("POST", P + r"/issues", create_issue),
    ("GET", P + r"/issues/(?P<iid>\d+)", get_issue),
    ("PUT", P + r"/issues/(?P<iid>\d+)", update_issue),
    ("GET", P + r"/issues/(?P<iid>\d+)/links", list_links),
    ("POST", P + r"/issues/(?P<iid>\d+)/links", create_link),
    ("GET", P + r"/issues/(?P<iid>\d+)/notes", list_notes),
    ("GET", P + r"/issues/(?P<iid>\d+)/resource_state_events", list_state_events),
    ("GET", P + r"/issues/(?P<iid>\d+)/resource_label_events", list_label_events),
    ("POST", P + r"/issues/(?P<iid>\d+)/notes", create_note),
    ("GET", P + r"/labels", list_labels),
    ("POST", P + r"/labels", create_label),
    ("PUT", P + r"/labels", update_label),  # the older form python-gitlab uses: name in the body
    ("PUT", P + r"/labels/(?P<name>[^/]+)", update_label),
    ("GET", P + r"/milestones", list_milestones),
    ("POST", P + r"/milestones", create_milestone),
    ("PUT", P + r"/milestones/(?P<mid>\d+)", update_milestone),
    ("POST", P + r"/uploads", upload),
    ("GET", P + r"/merge_requests/(?P<iid>\d+)", get_merge_request),
    ("GET", P + r"/merge_requests/(?P<iid>\d+)/closes_issues", closes_issues),
    ("GET", G + r"/epics", list_epics),
    ("POST", G + r"/epics", create_epic),
    ("PUT", G + r"/epics/(?P<iid>\d+)", update_epic),
    ("GET", G + r"/epics/(?P<iid>\d+)/issues", epic_issues),
    ("POST", G + r"/epics/(?P<iid>\d+)/issues/(?P<issue_id>\d+)", assign_epic_issue),
    ("GET", G + r"/epics/(?P<eid>\d+)/notes", list_notes),
    ("POST", G + r"/epics/(?P<eid>\d+)/notes", create_note),
]
