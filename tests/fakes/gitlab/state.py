"""The GitLab emulator's data: users, groups, projects, issues, labels, milestones, epics.

Shapes follow GitLab's REST documentation (gitlabhq ``doc/api/*.md``); each renderer names
the page it follows. Ids come from one sequence per table, as in GitLab's database: an epic
and an issue can have the same id (the REST epics API's ``id`` is the epic's, ``epic_id`` on an
issue names it, ``issue_id`` on epic issues names the issue), and every sequence starts at
:data:`FIRST_ID` so that no id equals an iid by accident. Iids are per project (issues,
milestones, merge requests) or per group (epics). The server holds one lock around every
request; seed helpers called from a test while the server runs go through
:class:`tests.fakes.gitlab.FakeGitLab`, which takes it too.

Rows are stored raw (issue ``milestone_id``, ``assignee_ids``) and rendered per request, so a
change to a milestone or a user shows in every issue that refers to it, as in GitLab.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.delivery import Outbox

Json = dict[str, Any]
NoteKey = tuple[str, int, int]
"""("issue", project id, iid) or ("epic", group id, epic iid)."""

FIRST_ID = 101
DEFAULT_LABEL_COLOR = "#6699cc"  # app/models/label.rb DEFAULT_COLOR: labels made on the fly

_clock = threading.Lock()
_last = [dt.datetime(2000, 1, 1, tzinfo=dt.UTC)]


def now() -> str:
    """GitLab's timestamp format (UTC, milliseconds, Z), strictly increasing across calls.

    Strictly increasing so that ordering by ``created_at`` or ``updated_at`` is total, as
    tests expect from a real server where requests are milliseconds apart.
    """
    with _clock:
        moment = max(dt.datetime.now(dt.UTC), _last[0] + dt.timedelta(milliseconds=1))
        _last[0] = moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def scope_of(label: str) -> str | None:
    """The scope of a scoped label (``a::b::c`` -> ``a::b``), None for a plain one.

    doc/user/project/labels.md "Scoped labels": the key is everything before the last ``::``.
    """
    return label.rsplit("::", 1)[0] if "::" in label else None


def text_color(color: str) -> str:
    """The label text colour GitLab derives from the background (light text on dark)."""
    hexa = color.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    try:
        r, g, b = (int(hexa[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "#FFFFFF"
    return "#1F1E24" if (r * 299 + g * 587 + b * 114) / 1000 > 128 else "#FFFFFF"


@dataclass
class State:
    """Everything the emulator holds."""

    base_url: str = ""
    tier: str = "free"
    """``free`` or ``premium``."""
    edition: str = "ee"
    """``ee`` (GitLab.com, or the EE image without a licence) or ``ce``; matters on Free only."""
    ids: dict[str, itertools.count[int]] = field(default_factory=dict)
    """table -> its id sequence"""
    users: dict[str, Json] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """token -> username"""
    admins: set[str] = field(default_factory=set)
    """usernames of administrators (only they may use ``Sudo``)"""
    manage_group_labels: bool = True
    """The authenticated users may manage group labels (GroupPolicy ``admin_label``: Reporter,
    since 17.x Planner, or higher in the group). False: a token that is only a project member
    (a project access token, say): GitLab then drops a missing label given to an epic."""
    groups: dict[str, Json] = field(default_factory=dict)
    """full path -> group"""
    projects: dict[int, Json] = field(default_factory=dict)
    issues: dict[int, dict[int, Json]] = field(default_factory=dict)
    """project id -> iid -> issue"""
    labels: dict[int, dict[str, Json]] = field(default_factory=dict)
    """project id -> name -> project label"""
    group_labels: dict[int, dict[str, Json]] = field(default_factory=dict)
    """group id -> name -> group label"""
    milestones: dict[int, dict[int, Json]] = field(default_factory=dict)
    """project id -> milestone id -> milestone"""
    links: list[Json] = field(default_factory=list)
    """issue links: ``id``, ``source``, ``target`` (global issue ids), ``link_type``"""
    notes: dict[NoteKey, list[Json]] = field(default_factory=dict)
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
    pipelines: dict[int, list[Json]] = field(default_factory=dict)
    jobs: dict[int, list[Json]] = field(default_factory=dict)
    """project id -> CI jobs of its pipelines (tests.fakes.gitlab.pipelines)"""
    files: dict[int, dict[str, bytes]] = field(default_factory=dict)
    """project id -> path -> content (default branch only)"""
    webhooks: Outbox | None = None
    """Webhooks sent to the project hooks (tests.fakes.gitlab.webhooks), made on first use."""

    @property
    def premium(self) -> bool:
        """Premium features (epics, blocking links, exclusive scoped labels) are served."""
        return self.tier == "premium"

    def next_id(self, table: str) -> int:
        """A new id of ``table`` (each table has its own sequence, as in GitLab)."""
        return next(self.ids.setdefault(table, itertools.count(FIRST_ID)))

    # --- seeding -----------------------------------------------------------------------

    # doc/api/users.md "Get a single user"
    def add_user(self, username: str, name: str | None = None, token: str | None = None) -> Json:
        """A user (with a personal access token when given); the same user when it exists."""
        if username in self.users:
            user = self.users[username]
        else:
            user = {
                "id": self.next_id("users"),
                "username": username,
                "name": name or username.title(),
                "state": "active",
                "locked": False,
                "avatar_url": None,
                "web_url": f"{self.base_url}/{username}",
            }
            self.users[username] = user
        if token:
            self.tokens[token] = username
        return user

    # doc/api/groups.md "Get a single group"
    def add_group(self, path: str) -> Json:
        """A group and its parents (``a/b`` makes ``a`` first); the same group when it exists."""
        if path in self.groups:
            return self.groups[path]
        parent_path, _, name = path.rpartition("/")
        parent = self.add_group(parent_path) if parent_path else None
        gid = self.next_id("namespaces")
        self.groups[path] = {
            "id": gid,
            "name": name,
            "path": name,
            "full_name": path.replace("/", " / "),
            "full_path": path,
            "parent_id": parent["id"] if parent else None,
            "visibility": "private",
            "web_url": f"{self.base_url}/groups/{path}",
            "created_at": now(),
        }
        self.epics[gid] = {}
        self.group_labels[gid] = {}
        return self.groups[path]

    # doc/api/projects.md "Get a single project"
    def add_project(
        self, path_with_namespace: str, visibility: str = "private", license_key: str | None = None
    ) -> Json:
        """A project in its group (created when missing), with a LICENSE file when licensed."""
        namespace, _, name = path_with_namespace.rpartition("/")
        group = self.add_group(namespace) if namespace else None
        pid = self.next_id("projects")
        project: Json = {
            "id": pid,
            "name": name,
            "path": name,
            "path_with_namespace": path_with_namespace,
            "name_with_namespace": path_with_namespace.replace("/", " / "),
            "description": None,
            "namespace": (
                {
                    "id": group["id"],
                    "name": group["name"],
                    "path": group["path"],
                    "kind": "group",
                    "full_path": namespace,
                    "web_url": group["web_url"],
                }
                if group
                else None
            ),
            "visibility": visibility,
            "default_branch": "main",
            "web_url": f"{self.base_url}/{path_with_namespace}",
            "http_url_to_repo": f"{self.base_url}/{path_with_namespace}.git",
            "issues_enabled": True,
            "only_allow_merge_if_pipeline_succeeds": False,
            "only_allow_merge_if_all_discussions_are_resolved": False,
            "created_at": now(),
            "last_activity_at": now(),
            "license_key": license_key,
        }
        self.projects[pid] = project
        for table in (self.issues, self.labels, self.milestones, self.merge_requests, self.files):
            table[pid] = {}
        self.hooks[pid] = []
        self.pipelines[pid] = []
        if license_key:
            self.files[pid]["LICENSE"] = f"{license_key.upper()} License\n".encode()
        return project

    def add_file(self, project: Json, path: str, content: bytes | str) -> None:
        """A file on the default branch (doc/api/repository_files.md)."""
        data = content.encode() if isinstance(content, str) else content
        self.files[project["id"]][path] = data

    # doc/api/merge_requests.md "Get single MR"
    def add_merge_request(
        self, project: Json, title: str, description: str = "", closes: tuple[int, ...] = ()
    ) -> Json:
        """A merge request in ``project`` that closes issues ``closes`` (by iid)."""
        requests = self.merge_requests.setdefault(project["id"], {})
        iid = max(requests, default=0) + 1
        requests[iid] = {
            "id": self.next_id("merge_requests"),
            "iid": iid,
            "project_id": project["id"],
            "title": title,
            "description": description,
            "state": "opened",
            "source_branch": f"mr-{iid}",
            "target_branch": project["default_branch"],
            "sha": secrets.token_hex(20),
            "created_at": now(),
            "updated_at": now(),
            "web_url": f"{project['web_url']}/-/merge_requests/{iid}",
            "references": {"short": f"!{iid}", "full": f"{project['path_with_namespace']}!{iid}"},
            "closes": list(closes),
        }
        return requests[iid]

    def add_note(self, key: NoteKey, body: str, author: Json, *, system: bool = False) -> Json:
        """A note on an issue or an epic (doc/api/notes.md "Create new issue note")."""
        kind, parent, iid = key
        # callers have found the issue or epic already: a KeyError here is a caller's bug
        noteable = self.issues[parent][iid] if kind == "issue" else self.epics[parent][iid]
        note = {
            "id": self.next_id("notes"),
            "type": None,
            "body": body,
            "attachment": None,
            "author": user_basic(author),
            "created_at": now(),
            "updated_at": now(),
            "system": system,
            "noteable_id": noteable["id"],
            "noteable_type": "Issue" if kind == "issue" else "Epic",
            "noteable_iid": iid,
            "project_id": parent if kind == "issue" else None,
            "resolvable": False,
            "confidential": False,
            "internal": False,
        }
        self.notes.setdefault(key, []).append(note)
        return note

    # --- lookups -----------------------------------------------------------------------

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

    def user(self, ref: str) -> Json | None:
        """A user by username or id (the ``Sudo`` header accepts both)."""
        return self.users.get(ref) or (self.user_by_id(int(ref)) if ref.isdigit() else None)

    def issue_by_id(self, issue_id: int) -> Json | None:
        """An issue by its global id."""
        return next(
            (i for issues in self.issues.values() for i in issues.values() if i["id"] == issue_id),
            None,
        )

    def epic_by_id(self, epic_id: int) -> Json | None:
        """An epic by its global id."""
        return next(
            (e for epics in self.epics.values() for e in epics.values() if e["id"] == epic_id),
            None,
        )

    def group_of(self, project: Json) -> Json | None:
        """The group a project lives in."""
        namespace = project["namespace"]
        return self.groups.get(namespace["full_path"]) if namespace else None

    def ancestry(self, group: Json | None) -> list[Json]:
        """The group and its ancestors, nearest first."""
        chain = []
        while group is not None:
            chain.append(group)
            group = self.group(str(group["parent_id"])) if group["parent_id"] else None
        return chain

    def group_label(self, group: Json, name: str) -> Json | None:
        """A group label of ``group`` or of an ancestor (what epics of ``group`` may carry).

        app/services/labels/available_labels_service.rb: for a group parent,
        ``include_ancestor_groups: true, only_group_labels: true``.
        """
        found = (self.group_labels[g["id"]].get(name) for g in self.ancestry(group))
        return next((label for label in found if label is not None), None)

    def label_for(self, project: Json, name: str) -> Json | None:
        """The label ``name`` seen from ``project``: its own, or its groups'."""
        found = self.labels[project["id"]].get(name)
        group = self.group_of(project)
        if found is None and group is not None:
            found = self.group_label(group, name)
        return found

    # --- changes shared by several endpoints --------------------------------------------

    def new_label(
        self, name: str, color: str, description: str | None = None, priority: int | None = None
    ) -> Json:
        """doc/api/labels.md "Create a new label" response row."""
        return {
            "id": self.next_id("labels"),
            "name": name,
            "color": color,
            "text_color": text_color(color),
            "description": description,
            "description_html": description,
            "open_issues_count": 0,
            "closed_issues_count": 0,
            "open_merge_requests_count": 0,
            "subscribed": False,
            "priority": priority,
            "is_project_label": True,
            "archived": False,
        }

    def define_label(self, project: Json, name: str) -> Json:
        """The label an issue may carry: existing, else a new project label (GitLab does so)."""
        found = self.label_for(project, name)
        if found is None:
            found = self.labels[project["id"]][name] = self.new_label(name, DEFAULT_LABEL_COLOR)
        return found

    def join_epic(self, epic: Json, issue: Json) -> None:
        """Put ``issue`` in ``epic`` (out of any other): doc/api/epic_issues.md "Assign"."""
        group = self.group(str(epic["group_id"]))
        assert group is not None  # an epic always has its group
        issue["epic_issue_id"] = self.next_id("epic_issues")
        issue["epic"] = {
            "id": epic["id"],
            "iid": epic["iid"],
            "title": epic["title"],
            "url": f"/groups/{group['full_path']}/-/epics/{epic['iid']}",
            "group_id": epic["group_id"],
        }

    # --- rendering ---------------------------------------------------------------------

    def issue_json(self, issue: Json) -> Json:
        """doc/api/issues.md "Single project issue" response shape.

        ``epic``, ``epic_iid`` and ``weight`` only on Premium: GitLab exposes them only when
        the licence has the feature.
        """
        project = self.projects[issue["project_id"]]
        milestone = None
        if issue["milestone_id"]:
            milestone = self.milestones[project["id"]].get(issue["milestone_id"])
        assignees = [user_basic(u) for uid in issue["assignee_ids"] if (u := self.user_by_id(uid))]
        iid = issue["iid"]
        api = f"{self.base_url}/api/v4/projects/{project['id']}"
        notes = self.notes.get(("issue", project["id"], iid), [])
        rendered: Json = {
            "id": issue["id"],
            "iid": iid,
            "project_id": project["id"],
            "title": issue["title"],
            "description": issue["description"],
            "state": issue["state"],
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_at": issue["closed_at"],
            "closed_by": user_basic(issue["closed_by"]) if issue["closed_by"] else None,
            "labels": sorted(issue["labels"]),
            "milestone": dict(milestone) if milestone else None,
            "assignees": assignees,
            "assignee": assignees[0] if assignees else None,
            "author": user_basic(issue["author"]),
            "type": issue["issue_type"].upper(),
            "issue_type": issue["issue_type"],
            "user_notes_count": sum(1 for n in notes if not n["system"]),
            "merge_requests_count": 0,
            "upvotes": 0,
            "downvotes": 0,
            "due_date": issue["due_date"],
            "confidential": issue["confidential"],
            "discussion_locked": None,
            "web_url": f"{project['web_url']}/-/issues/{iid}",
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "task_completion_status": {"count": 0, "completed_count": 0},
            "has_tasks": False,
            "references": {
                "short": f"#{iid}",
                "relative": f"#{iid}",
                "full": f"{project['path_with_namespace']}#{iid}",
            },
            "_links": {
                "self": f"{api}/issues/{iid}",
                "notes": f"{api}/issues/{iid}/notes",
                "award_emoji": f"{api}/issues/{iid}/award_emoji",
                "project": api,
                "closed_as_duplicate_of": None,
            },
            "moved_to_id": None,
            "severity": "UNKNOWN",
        }
        if self.premium:
            rendered |= {
                "weight": issue.get("weight"),
                "epic_iid": issue["epic"]["iid"] if issue["epic"] else None,
                "epic": issue["epic"],
                "health_status": None,
            }
        return rendered

    def epic_json(self, epic: Json) -> Json:
        """doc/api/epics.md "Single epic" response shape (dates: fixed ones only, no milestones)."""
        start = epic["start_date_fixed"] if epic["start_date_is_fixed"] else None
        due = epic["due_date_fixed"] if epic["due_date_is_fixed"] else None
        return {
            **{k: v for k, v in epic.items() if k not in ("author", "label_events")},
            "author": user_basic(epic["author"]),
            "labels": sorted(epic["labels"]),
            "start_date": start,
            "start_date_from_inherited_source": None,
            "start_date_from_milestones": None,
            "end_date": due,
            "due_date": due,
            "due_date_from_inherited_source": None,
            "due_date_from_milestones": None,
        }


def user_basic(user: Json) -> Json:
    """doc/api/users.md: the basic user object embedded in issues, notes and events."""
    keys = ("id", "username", "name", "state", "locked", "avatar_url", "web_url")
    return {k: user.get(k) for k in keys}


def file_json(project: Json, path: str, data: bytes, ref: str) -> Json:
    """doc/api/repository_files.md "Get file from repository" response."""
    sha = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    return {
        "file_name": path.rsplit("/", 1)[-1],
        "file_path": path,
        "size": len(data),
        "encoding": "base64",
        "content": base64.b64encode(data).decode(),
        "content_sha256": hashlib.sha256(data).hexdigest(),
        "ref": ref,
        "blob_id": sha,
        "commit_id": sha,
        "last_commit_id": sha,
        "execute_filemode": False,
    }
