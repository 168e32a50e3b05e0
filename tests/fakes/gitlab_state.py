"""The GitLab emulator's data: users, groups, projects, issues, labels, milestones, epics.

Shapes follow GitLab's REST documentation (gitlabhq ``doc/api/*.md``); each builder names
the page it follows. Ids are global, iids per project (issues, milestones) or group (epics).
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


_last = [dt.datetime(2000, 1, 1, tzinfo=dt.UTC)]


def now() -> str:
    """GitLab's timestamp format (UTC, milliseconds, Z), strictly increasing across calls."""
    moment = max(dt.datetime.now(dt.UTC), _last[0] + dt.timedelta(milliseconds=1))
    _last[0] = moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class State:
    """Everything the emulator holds; the server locks around every request."""

    base_url: str = ""
    tier: str = "free"
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    users: dict[str, Json] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """token -> username"""
    groups: dict[str, Json] = field(default_factory=dict)
    projects: dict[int, Json] = field(default_factory=dict)
    issues: dict[int, dict[int, Json]] = field(default_factory=dict)
    """project id -> iid -> issue"""
    labels: dict[int, dict[str, Json]] = field(default_factory=dict)
    milestones: dict[int, dict[int, Json]] = field(default_factory=dict)
    """project id -> milestone id -> milestone"""
    links: list[Json] = field(default_factory=list)
    notes: dict[tuple[str, int, int], list[Json]] = field(default_factory=dict)
    """(kind, parent id, iid) -> notes"""
    epics: dict[int, dict[int, Json]] = field(default_factory=dict)
    """group id -> iid -> epic"""
    uploads: list[Json] = field(default_factory=list)
    state_events: dict[tuple[int, int], list[Json]] = field(default_factory=dict)
    """(project id, iid) -> doc/api/resource_state_events.md entries"""
    label_events: dict[tuple[int, int], list[Json]] = field(default_factory=dict)
    """(project id, iid) -> doc/api/resource_label_events.md entries"""
    hooks: dict[int, list[Json]] = field(default_factory=dict)
    merge_requests: dict[int, dict[int, Json]] = field(default_factory=dict)
    """project id -> iid -> merge request (with ``closes``: issue iids it closes)"""

    def next_id(self) -> int:
        """A new global id."""
        return next(self.ids)

    # doc/api/users.md "Single user"
    def add_user(self, username: str, name: str | None = None, token: str | None = None) -> Json:
        """A user (with a personal access token when given)."""
        uid = self.next_id()
        user = {
            "id": uid,
            "username": username,
            "name": name or username.title(),
            "state": "active",
            "avatar_url": None,
            "web_url": f"{self.base_url}/{username}",
        }
        self.users[username] = user
        if token:
            self.tokens[token] = username
        return user

    # doc/api/groups.md "Details of a group"
    def add_group(self, path: str) -> Json:
        """A group (namespace)."""
        if path in self.groups:
            return self.groups[path]
        gid = self.next_id()
        group = {
            "id": gid,
            "name": path.rsplit("/", 1)[-1],
            "path": path.rsplit("/", 1)[-1],
            "full_path": path,
            "web_url": f"{self.base_url}/groups/{path}",
        }
        self.groups[path] = group
        self.epics[gid] = {}
        return group

    # doc/api/projects.md "Get a single project"
    def add_project(
        self, path_with_namespace: str, visibility: str = "private", license_key: str | None = None
    ) -> Json:
        """A project in its group (created when missing)."""
        namespace, _, name = path_with_namespace.rpartition("/")
        group = self.add_group(namespace) if namespace else None
        pid = self.next_id()
        project = {
            "id": pid,
            "name": name,
            "path": name,
            "path_with_namespace": path_with_namespace,
            "namespace": {"id": group["id"], "full_path": namespace} if group else None,
            "visibility": visibility,
            "default_branch": "main",
            "web_url": f"{self.base_url}/{path_with_namespace}",
            "only_allow_merge_if_pipeline_succeeds": False,
            "license": {"key": license_key, "name": license_key} if license_key else None,
        }
        self.projects[pid] = project
        self.issues[pid] = {}
        self.labels[pid] = {}
        self.milestones[pid] = {}
        self.hooks[pid] = []
        return project

    # doc/api/merge_requests.md "Get single MR"
    def add_merge_request(
        self, project: Json, title: str, description: str = "", closes: tuple[int, ...] = ()
    ) -> Json:
        """A merge request in ``project`` that closes issues ``closes`` (by iid)."""
        requests = self.merge_requests.setdefault(project["id"], {})
        iid = max(requests, default=0) + 1
        requests[iid] = {
            "id": self.next_id(),
            "iid": iid,
            "project_id": project["id"],
            "title": title,
            "description": description,
            "state": "opened",
            "web_url": f"{project['web_url']}/-/merge_requests/{iid}",
            "closes": list(closes),
        }
        return requests[iid]

    def project(self, ref: str) -> Json | None:
        """A project by id or (URL-decoded) path."""
        if ref.isdigit():
            return self.projects.get(int(ref))
        return next((p for p in self.projects.values() if p["path_with_namespace"] == ref), None)

    def group(self, ref: str) -> Json | None:
        """A group by id or path."""
        if ref.isdigit():
            return next((g for g in self.groups.values() if g["id"] == int(ref)), None)
        return self.groups.get(ref)

    def user_by_id(self, uid: int) -> Json | None:
        """A user by id."""
        return next((u for u in self.users.values() if u["id"] == uid), None)

    def upload(self, project: Json, filename: str) -> Json:
        """doc/api/project_markdown_uploads.md "Upload a file"."""
        secret = secrets.token_hex(16)
        url = f"/uploads/{secret}/{filename}"
        upload = {
            "id": self.next_id(),
            "alt": filename.rsplit(".", 1)[0],
            "url": url,
            "full_path": f"/-/project/{project['id']}/uploads/{secret}/{filename}",
            "markdown": f"![{filename.rsplit('.', 1)[0]}]({url})",
        }
        self.uploads.append(upload)
        return upload
