"""GitLab emulator handlers: listing merge requests, and their notes.

Shapes follow doc/api/merge_requests.md ("List merge requests", "List group merge requests",
"List project merge requests") and doc/api/notes.md ("List all merge request notes",
"Create new merge request note"). Single MRs, the issues they close and their pipelines are
in :mod:`.projects` and :mod:`.pipelines`.
"""

from __future__ import annotations

from tests.fakes.gitlab import webhooks
from tests.fakes.gitlab.api import Answer, Call, group_of, not_found, ordered, project_of
from tests.fakes.gitlab.state import Json, now, user_basic

STATES = ("opened", "closed", "locked", "merged", "all")


def shown(mr: Json) -> Json:
    """An MR as the API shows it (the emulator's ``closes`` list is its own)."""
    return {k: v for k, v in mr.items() if k != "closes"}


def _filtered(call: Call, rows: list[Json]) -> Answer:
    """``state``, ``search`` with ``in`` (title, description), ``source_branch``, ``scope``.

    ``scope`` defaults to ``created_by_me`` on the instance-wide list and to ``all`` on a
    group's or project's ("List merge requests" attributes).
    """
    state = call.choice("state", STATES, "all")
    search = (call.text("search") or "").lower()
    fields = call.many("in") or ["title", "description"]
    branch = call.text("source_branch")
    mine = call.choice("scope", ("created_by_me", "assigned_to_me", "all"), "all") != "all"
    found = [
        mr
        for mr in rows
        if state in ("all", mr["state"])
        and (not search or any(search in str(mr.get(f) or "").lower() for f in fields))
        and (branch is None or mr["source_branch"] == branch)
        and (not mine or (mr.get("author") or {}).get("id") == call.user["id"])
    ]
    return 200, [shown(mr) for mr in ordered(found, call, ("created_at", "updated_at"))]


def list_all(call: Call) -> Answer:
    """doc/api/merge_requests.md "List merge requests" (default ``scope=created_by_me``)."""
    if not call.has("scope"):
        call.query["scope"] = ["created_by_me"]
    rows = [mr for mrs in call.state.merge_requests.values() for mr in mrs.values()]
    return _filtered(call, rows)


def list_for_group(call: Call) -> Answer:
    """doc/api/merge_requests.md "List group merge requests" (subgroups included)."""
    group = group_of(call)
    prefix = group["full_path"] + "/"
    projects = [
        p["id"] for p in call.state.projects.values() if p["path_with_namespace"].startswith(prefix)
    ]
    rows = [mr for pid in projects for mr in call.state.merge_requests[pid].values()]
    return _filtered(call, rows)


def list_for_project(call: Call) -> Answer:
    """doc/api/merge_requests.md "List project merge requests"."""
    return _filtered(call, list(call.state.merge_requests[project_of(call)["id"]].values()))


def _noteable(call: Call) -> tuple[tuple[str, int, int], Json]:
    project = project_of(call)
    mr = call.state.merge_requests[project["id"]].get(int(call.match["iid"]))
    if mr is None:
        raise not_found()
    return ("merge_request", project["id"], mr["iid"]), mr


def list_notes(call: Call) -> Answer:
    """doc/api/notes.md "List all merge request notes" (``sort``, ``order_by``)."""
    key, _ = _noteable(call)
    notes = list(call.state.notes.get(key, []))
    return 200, ordered(notes, call, ("created_at", "updated_at"))


def create_note(call: Call) -> Answer:
    """doc/api/notes.md "Create new merge request note" (``body`` required)."""
    key, mr = _noteable(call)
    call.require("body")
    note = {
        "id": call.state.next_id("notes"),
        "type": None,
        "body": str(call.text("body")),
        "attachment": None,
        "author": user_basic(call.user),
        "created_at": now(),
        "updated_at": now(),
        "system": False,
        "noteable_id": mr["id"],
        "noteable_type": "MergeRequest",
        "noteable_iid": mr["iid"],
        "project_id": key[1],
        "resolvable": False,
        "confidential": False,
        "internal": False,
    }
    call.state.notes.setdefault(key, []).append(note)
    mr["updated_at"] = now()
    webhooks.note_saved(call.state, note, call.user)  # webhook_events.md "Comment events"
    return 201, note
