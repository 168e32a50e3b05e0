"""The Jira emulator's data: users, projects, issues, links, versions, workflow, webhooks.

Plain dicts held by :class:`State`; rendering to REST shapes is in :mod:`render`. Two
flavours differ where Jira does (reference: ../shared/reference/jira.md):

- ``cloud``: users by ``accountId``; issue types carry ``hierarchyLevel`` (Epic 1, standard 0,
  Subtask -1) and a child joins an epic through ``parent``.
- ``dc``: users by ``name`` (and ``key``); an Epic needs the Epic Name custom field and a child
  names its epic in the Epic Link custom field; ``parent`` is for sub-tasks only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakes.jira.api import Json, jira_time
from tests.fakes.jira.catalog import ISSUE_TYPES, LINK_TYPES, RESOLUTIONS, SIMPLIFIED, STATUSES

if TYPE_CHECKING:
    from tests.fakes.delivery import Outbox


def utc_now() -> dt.datetime:
    """The real clock (tests may give :class:`State` another)."""
    return dt.datetime.now(dt.UTC)


@dataclass
class State:
    """Everything the emulator knows; handlers run under the server's lock."""

    flavour: str = "cloud"
    base_url: str = ""
    clock: Callable[[], dt.datetime] = utc_now
    users: dict[str, Json] = field(default_factory=dict)
    """By identity: ``accountId`` on Cloud, ``name`` on DC."""
    projects: dict[str, Json] = field(default_factory=dict)
    issues: dict[str, Json] = field(default_factory=dict)
    """By numeric id (a string, as Jira sends it)."""
    keys: dict[str, str] = field(default_factory=dict)
    links: dict[str, Json] = field(default_factory=dict)
    link_types: list[Json] = field(default_factory=lambda: [dict(t) for t in LINK_TYPES])
    versions: dict[str, Json] = field(default_factory=dict)
    attachments: dict[str, Json] = field(default_factory=dict)
    webhooks: dict[str, Json] = field(default_factory=dict)
    outbox: Outbox | None = None
    """The webhooks sent (tests.fakes.jira.webhooks), made on first use."""
    workflow: list[Json] = field(default_factory=lambda: [dict(t) for t in SIMPLIFIED])
    denied: set[tuple[str, str | None]] = field(default_factory=set)
    """(permission, user identity or None for everyone) pairs that are refused."""
    max_results: int = 1000
    """Most issues a search page holds (DC's default limit; Cloud: 100 with fields)."""
    page_tokens: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Cloud search tokens: token -> (JQL, offset of the page it opens)."""
    _serial: int = 10000

    @property
    def cloud(self) -> bool:
        """Jira Cloud (else Data Center)."""
        return self.flavour == "cloud"

    def next_id(self) -> str:
        """A fresh numeric id (ids of every kind share one sequence here)."""
        self._serial += 1
        return str(self._serial)

    def now(self) -> str:
        """The current time in Jira's form."""
        return jira_time(self.clock())

    # --- seeding ---------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        display_name: str | None = None,
        email: str | None = None,
        token: str | None = None,
    ) -> Json:
        """A user; with ``token`` one that can authenticate (Cloud: email + token)."""
        serial = self.next_id()
        user = {
            "name": name,
            "key": f"JIRAUSER{serial}",
            "accountId": f"5f{int(serial):022x}",
            "displayName": display_name or name,
            "email": email or f"{name}@example.go.id",
            "token": token,
            "active": True,
        }
        identity = str(user["accountId"] if self.cloud else name)
        user["id"] = identity
        self.users[identity] = user
        return user

    def add_project(self, key: str, name: str | None, lead: Json, *, epic: bool = True) -> Json:
        """A software project with every issue type (``epic=False``: without Epic)."""
        types = [t for t in ISSUE_TYPES[self.flavour] if epic or t != "10000"]
        project = {
            "id": self.next_id(),
            "key": key,
            "name": name or key,
            "types": types,
            "lead": lead["id"],
            "serial": 0,
        }
        self.projects[key] = project
        return project

    # --- lookups ---------------------------------------------------------------------------

    def issue_type(self, type_id: str) -> Json:
        """An issue type of this flavour by id."""
        return ISSUE_TYPES[self.flavour][type_id]

    def project(self, ref: str) -> Json | None:
        """A project by key or id."""
        if ref in self.projects:
            return self.projects[ref]
        return next((p for p in self.projects.values() if p["id"] == ref), None)

    def issue(self, ref: str) -> Json | None:
        """An issue by id or key; keys match in any case (Cloud OpenAPI "Get issue")."""
        if ref.isdigit():
            return self.issues.get(ref)
        found = self.keys.get(ref.upper())
        return self.issues.get(found) if found else None

    def user(self, ref: str | None) -> Json | None:
        """A user by identity, account id, name or email."""
        if ref is None:
            return None
        if ref in self.users:
            return self.users[ref]
        return next(
            (u for u in self.users.values() if ref in (u["accountId"], u["name"], u["email"])),
            None,
        )

    def link_type(self, ref: Json) -> Json | None:
        """A link type by ``{"name"}`` or ``{"id"}``."""
        return next(
            (
                t
                for t in self.link_types
                if t["name"] == ref.get("name") or t["id"] == ref.get("id")
            ),
            None,
        )

    def children(self, issue: Json) -> list[Json]:
        """Issues whose parent (or, on DC, Epic Link) is ``issue``."""
        return [i for i in self.issues.values() if issue["id"] in (i["parent"], i.get("epic_link"))]

    def allowed(self, user: Json | None, permission: str) -> bool:
        """Whether ``user`` holds ``permission`` (everyone does unless denied)."""
        who = user["id"] if user else None
        return (permission, None) not in self.denied and (permission, who) not in self.denied

    # --- changes ---------------------------------------------------------------------------

    def draft_issue(self, project: Json, type_id: str, reporter: Json) -> Json:
        """A blank issue in the first status, not stored yet (fields are applied first)."""
        now = self.now()
        return {
            "id": "",
            "key": "",
            "project": project["key"],
            "type": type_id,
            "summary": "",
            "description": None,
            "labels": [],
            "status": "10000",
            "resolution": None,
            "resolutiondate": None,
            "assignee": None,
            "reporter": reporter["id"],
            "creator": reporter["id"],
            "created": now,
            "updated": now,
            "statuscategorychangedate": now,
            "duedate": None,
            "fixVersions": [],
            "priority": "3",
            "parent": None,
            "epic_link": None,
            "epic_name": None,
            "custom": {},
            "comments": [],
            "attachments": [],
            "remote_links": [],
            "properties": {},
            "histories": [],
        }

    def commit(self, issue: Json) -> Json:
        """Store a validated draft: it gets its id and its key (``APL-1``)."""
        project = self.projects[issue["project"]]
        project["serial"] += 1
        issue["id"], issue["key"] = self.next_id(), f"{project['key']}-{project['serial']}"
        self.issues[issue["id"]] = issue
        self.keys[issue["key"]] = issue["id"]
        return issue

    def add_comment(self, issue: Json, author: Json, body: Any) -> Json:
        """A comment by ``author`` (comments are not changelog entries in Jira)."""
        now = self.now()
        comment = {
            "id": self.next_id(),
            "author": author["id"],
            "updateAuthor": author["id"],
            "body": body,
            "created": now,
            "updated": now,
        }
        issue["comments"].append(comment)
        issue["updated"] = now
        return comment

    def record(self, issue: Json, author: Json, items: list[Json]) -> None:
        """A changelog history (Cloud OpenAPI ``Changelog``) and the issue's ``updated``."""
        issue["updated"] = self.now()
        if items:
            history = {
                "id": self.next_id(),
                "author": author["id"],
                "created": issue["updated"],
                "items": items,
            }
            issue["histories"].append(history)

    def move(
        self,
        issue: Json,
        status_id: str,
        actor: Json,
        resolution: str | None = None,
        extra: tuple[Json, ...] = (),
    ) -> None:
        """Put ``issue`` in ``status_id``; a done status carries a resolution, others none.

        No resolution given on entering a done status: "Done", as Jira Software's simplified
        workflow sets it. ``extra``: changelog items of fields set by the same transition.
        """
        old_status, old_resolution = issue["status"], issue["resolution"]
        done = STATUSES[status_id]["category"] == "done"
        new_resolution = (resolution or old_resolution or "Done") if done else None
        issue["status"], issue["resolution"] = status_id, new_resolution
        items = [
            *extra,
            change(
                "status",
                old_status,
                STATUSES[old_status]["name"],
                status_id,
                STATUSES[status_id]["name"],
            ),
        ]
        if new_resolution != old_resolution:
            issue["resolutiondate"] = self.now() if new_resolution else None
            items.append(
                change(
                    "resolution",
                    RESOLUTIONS.get(old_resolution or ""),
                    old_resolution,
                    RESOLUTIONS.get(new_resolution or ""),
                    new_resolution,
                )
            )
        if STATUSES[old_status]["category"] != STATUSES[status_id]["category"]:
            issue["statuscategorychangedate"] = self.now()
        self.record(issue, actor, items)


def change(
    name: str,
    old: Any,
    old_text: str | None,
    new: Any,
    new_text: str | None,
    *,
    custom: bool = False,
    field_id: str | None = None,
) -> Json:
    """One changelog item (Cloud OpenAPI ``ChangeDetails``: from/to are ids, *String text)."""
    return {
        "field": name,
        "fieldtype": "custom" if custom else "jira",
        "fieldId": field_id or name,
        "from": None if old is None else str(old),
        "fromString": old_text,
        "to": None if new is None else str(new),
        "toString": new_text,
    }
