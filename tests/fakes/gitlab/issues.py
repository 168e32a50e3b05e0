"""GitLab emulator handlers: issues, their events and links, notes (routes: server.py)."""

from __future__ import annotations

import datetime as dt

from tests.fakes.gitlab import webhooks
from tests.fakes.gitlab.api import (
    Answer,
    ApiError,
    Call,
    epic_of,
    forbidden,
    in_window,
    issue_of,
    labels_match,
    not_found,
    ordered,
    project_of,
)
from tests.fakes.gitlab.state import Json, NoteKey, State, now, scope_of, user_basic

BLOCKING = ("blocks", "is_blocked_by")

ISSUE_TYPES = ("issue", "incident", "test_case", "task")


ISSUE_ORDER = ("created_at", "updated_at", "due_date", "title", "priority", "label_priority",
               "milestone_due", "popularity", "relative_position", "weight")  # fmt: skip


def _matches(wanted: str | None, present: bool, equal: bool) -> bool:
    """A filter taking a value or the special ``None`` (absent) and ``Any`` (present)."""
    if wanted is None:
        return True
    return {"None": not present, "Any": present}.get(wanted, equal)


def list_issues(call: Call) -> Answer:
    """doc/api/issues.md "List project issues".

    Filters: labels, state, search (with ``in``), iids[], milestone, assignee_id,
    assignee_username, author_id, issue_type, created/updated after/before; order_by, sort.
    """
    project = project_of(call)
    data = call.state
    labels = call.many("labels")
    state = call.choice("state", ("opened", "closed", "all"), "all")
    search = (call.text("search") or "").lower()
    where = call.many("in") or ["title", "description"]
    iids = {int(i) for i in call.many("iids")}
    milestone, assignee = call.text("milestone"), call.text("assignee_id")
    usernames, kinds = call.many("assignee_username"), call.many("issue_type")
    author = call.integer("author_id")

    def keep(issue: Json) -> bool:
        title = data.milestones[project["id"]].get(issue["milestone_id"] or 0, {}).get("title")
        ids = issue["assignee_ids"]
        names = [u["username"] for i in ids if (u := data.user_by_id(i))]
        return (
            labels_match(labels, issue["labels"])
            and state in ("all", issue["state"])
            and (not search or any(search in (issue[f] or "").lower() for f in where))
            and (not iids or issue["iid"] in iids)
            and _matches(milestone, title is not None, title == milestone)
            and _matches(assignee, bool(ids), assignee in {str(i) for i in ids})
            and all(name in names for name in usernames)
            and author in (None, issue["author"]["id"])
            and (not kinds or issue["issue_type"] in kinds)
            and in_window(call, issue)
        )

    found = [i for i in data.issues[project["id"]].values() if keep(i)]
    return 200, [data.issue_json(i) for i in ordered(found, call, ISSUE_ORDER)]


def get_issue(call: Call) -> Answer:
    """doc/api/issues.md "Single project issue"."""
    _, issue = issue_of(call)
    return 200, call.state.issue_json(issue)


def create_issue(call: Call) -> Answer:
    """doc/api/issues.md "New issue"."""
    project = project_of(call)
    call.require("title")
    issues = call.state.issues[project["id"]]
    iid = max(issues, default=0) + 1
    moment = call.text("created_at") or now()
    issue: Json = {
        "id": call.state.next_id("issues"),
        "iid": iid,
        "project_id": project["id"],
        "title": call.text("title"),
        "description": call.text("description"),
        "state": "opened",
        "created_at": moment,
        "updated_at": moment,
        "closed_at": None,
        "closed_by": None,
        "labels": [],
        "milestone_id": None,
        "assignee_ids": [],
        "author": call.user,
        "issue_type": call.choice("issue_type", ISSUE_TYPES, "issue"),
        "due_date": None,
        "confidential": bool(call.flag("confidential")),
        "weight": None,
        "epic": None,
        "epic_issue_id": None,
    }
    wanted = _wanted(call, project, issue)
    issues[iid] = issue
    _apply(call, project, issue, wanted, creating=True)
    webhooks.issue_saved(call.state, issue, call.user)  # webhook_events.md "Issue events"
    return 201, call.state.issue_json(issue)


UPDATABLE = (
    "title",
    "description",
    "confidential",
    "assignee_ids",
    "assignee_id",
    "milestone_id",
    "labels",
    "add_labels",
    "remove_labels",
    "state_event",
    "updated_at",
    "due_date",
    "discussion_locked",
    "weight",
    "epic_id",
    "issue_type",
)


def update_issue(call: Call) -> Answer:
    """doc/api/issues.md "Edit an issue" (add_labels, remove_labels, state_event, ...)."""
    project, issue = issue_of(call)
    call.at_least_one(*UPDATABLE)
    before = webhooks.snapshot(issue)
    _apply(call, project, issue, _wanted(call, project, issue), creating=False)
    webhooks.issue_saved(call.state, issue, call.user, before)  # "Issue events": update
    return 200, call.state.issue_json(issue)


def _wanted(call: Call, project: Json, issue: Json) -> Json:
    """The fields of "New issue"/"Edit an issue" this request sets, validated first.

    Unknown milestones and users are dropped silently, as GitLab's IssuableBaseService
    (``filter_milestone``, ``filter_assignees``) does; Free keeps one assignee (multiple
    assignees are Premium); Premium keeps one label per scope (:func:`exclusive`).
    """
    state = call.state
    wanted: Json = {"state_event": call.choice("state_event", ("close", "reopen"))}
    for key in ("title", "description"):
        if call.has(key):
            wanted[key] = call.text(key)
    if call.has("issue_type"):
        wanted["issue_type"] = call.choice("issue_type", ISSUE_TYPES)
    if call.has("confidential"):
        wanted["confidential"] = bool(call.flag("confidential"))
    labels = call.many("labels") if call.has("labels") else list(issue["labels"])
    labels += [n for n in call.many("add_labels") if n not in labels]
    removed = set(call.many("remove_labels"))
    labels = list(dict.fromkeys(n for n in labels if n not in removed))
    if state.premium:
        selection = call.many("add_labels") + call.many("labels")
        labels = exclusive(labels, issue["labels"], selection)
    wanted["labels"] = sorted(labels)
    if call.has("due_date"):
        wanted["due_date"] = call.date("due_date")
    if call.has("milestone_id"):
        mid = call.integer("milestone_id")
        wanted["milestone_id"] = mid if mid in state.milestones[project["id"]] else None
    if call.has("assignee_ids") or call.has("assignee_id"):
        ids = [int(u) for u in call.many("assignee_ids")] or [call.integer("assignee_id") or 0]
        ids = list(dict.fromkeys(u for u in ids if u and state.user_by_id(u)))
        wanted["assignee_ids"] = ids if state.premium else ids[:1]
    if call.has("weight") and state.premium:
        wanted["weight"] = call.integer("weight")
    if call.has("epic_id") and (state.premium or state.edition == "ee"):  # CE ignores it
        if not state.premium:
            raise forbidden()  # EE: epics not licensed
        epic_id = call.integer("epic_id")
        wanted["epic"] = state.epic_by_id(epic_id) if epic_id else None
        if epic_id and wanted["epic"] is None:
            raise not_found("Epic")
    return wanted


def _apply(call: Call, project: Json, issue: Json, wanted: Json, *, creating: bool) -> None:
    """Set the fields, with GitLab's records of the change; ``updated_at`` only on a change."""
    state = call.state
    before = {k: list(v) if isinstance(v, list) else v for k, v in issue.items()}
    if creating:
        before["labels"] = []
        before["due_date"] = None
    event = wanted.pop("state_event")
    if "epic" in wanted:
        epic = wanted.pop("epic")
        if epic is None:
            issue.update(epic=None, epic_issue_id=None)
        elif not issue["epic"] or issue["epic"]["id"] != epic["id"]:
            state.join_epic(epic, issue)
    issue.update(wanted)
    for name in issue["labels"]:
        state.define_label(project, name)
    if event == "close" and issue["state"] != "closed":
        issue.update(state="closed", closed_at=now(), closed_by=call.user)
        _state_event(call, project, issue, "closed")
    elif event == "reopen" and issue["state"] == "closed":
        issue.update(state="opened", closed_at=None, closed_by=None)
        _state_event(call, project, issue, "reopened")
    _label_events(call, project, issue, before["labels"])
    _system_notes(call, ("issue", project["id"], issue["iid"]), before, issue, creating)
    if not creating and issue != before:
        issue["updated_at"] = call.text("updated_at") or now()


def exclusive(labels: list[str], before: list[str], selection: list[str]) -> list[str]:
    """Premium's scoped labels: one per scope when this change added one to the scope.

    The survivor is the one selected last, ``add_labels`` before ``labels`` (EE
    ``filter_mutually_exclusive_labels``, ``ScopedLabelSet#last_id_by_order``), at creation
    too; a scope this change did not touch keeps what it has.
    """
    scopes: dict[str, list[str]] = {}
    for name in labels:
        if (scope := scope_of(name)) is not None:
            scopes.setdefault(scope, []).append(name)
    dropped: set[str] = set()
    for names in scopes.values():
        if len(names) > 1 and any(n not in before for n in names):
            rank = {n: i for i, n in enumerate(selection)}  # the last occurrence counts
            keep = max(names, key=lambda n: rank.get(n, -1))
            dropped |= set(names) - {keep}
    return [n for n in labels if n not in dropped]


def _system_notes(call: Call, key: NoteKey, before: Json, issue: Json, creating: bool) -> None:
    """The system notes GitLab still writes; labels, milestone and state are resource events.

    app/services/issuable/common_system_notes_service.rb: title and description notes on
    edits only, the due date note on creation too; assignee notes on edits.
    """
    found = []
    if not creating and before["title"] != issue["title"]:
        found.append(f"changed title from **{before['title']}** to **{issue['title']}**")
    if not creating and before["description"] != issue["description"]:
        found.append("changed the description")
    if not creating and before["assignee_ids"] != issue["assignee_ids"]:
        names = [u["username"] for i in issue["assignee_ids"] if (u := call.state.user_by_id(i))]
        found.append("assigned to " + ", ".join(f"@{n}" for n in names) if names else "unassigned")
    if before["due_date"] != issue["due_date"]:
        due = dt.date.fromisoformat(issue["due_date"]) if issue["due_date"] else None
        found.append(
            f"changed due date to {due:%B} {due.day}, {due.year}" if due else "removed due date"
        )
    for body in found:
        call.state.add_note(key, body, call.user, system=True)


def _label_events(call: Call, project: Json, issue: Json, before: list[str]) -> None:
    """doc/api/resource_label_events.md entries (also on creation, as GitLab does)."""
    events = call.state.label_events.setdefault((project["id"], issue["iid"]), [])
    for action, names in (
        ("add", sorted(set(issue["labels"]) - set(before))),
        ("remove", sorted(set(before) - set(issue["labels"]))),
    ):
        for name in names:
            label = call.state.label_for(project, name) or {"id": None, "name": name}
            events.append(
                {
                    "id": call.state.next_id("resource_label_events"),
                    "user": user_basic(call.user),
                    "created_at": now(),
                    "resource_type": "Issue",
                    "resource_id": issue["id"],
                    "label": {k: label.get(k) for k in ("id", "name", "color", "description")},
                    "action": action,
                }
            )


def _state_event(call: Call, project: Json, issue: Json, state: str) -> None:
    """doc/api/resource_state_events.md entry."""
    call.state.state_events.setdefault((project["id"], issue["iid"]), []).append(
        {
            "id": call.state.next_id("resource_state_events"),
            "user": user_basic(call.user),
            "created_at": now(),
            "resource_type": "Issue",
            "resource_id": issue["id"],
            "state": state,
        }
    )


def list_state_events(call: Call) -> Answer:
    """doc/api/resource_state_events.md "List project issue state events"."""
    project, issue = issue_of(call)
    return 200, call.state.state_events.get((project["id"], issue["iid"]), [])


def list_label_events(call: Call) -> Answer:
    """doc/api/resource_label_events.md "List project issue label events"."""
    project, issue = issue_of(call)
    return 200, call.state.label_events.get((project["id"], issue["iid"]), [])


def list_epic_label_events(call: Call) -> Answer:
    """doc/api/resource_label_events.md "List group epic label events" (by epic id)."""
    _, epic = epic_of(call, key="id")
    return 200, epic.get("label_events", [])


# --- doc/api/issue_links.md ------------------------------------------------------------------


def _link_json(state: State, link: Json) -> Json:
    """doc/api/issue_links.md "Get an issue link" entity."""
    source, target = state.issue_by_id(link["source"]), state.issue_by_id(link["target"])
    assert source is not None  # links die with their issues
    assert target is not None
    return {
        "source_issue": state.issue_json(source),
        "target_issue": state.issue_json(target),
        "link_type": link["link_type"],
    }


def list_links(call: Call) -> Answer:
    """doc/api/issue_links.md "List issue relations": the other issue, oldest link first.

    GitLab stores ``is_blocked_by`` as ``blocks`` the other way round, so the blocked issue
    lists its blocker as ``is_blocked_by``.
    """
    _, issue = issue_of(call)
    found = []
    for link in sorted(call.state.links, key=lambda k: k["id"]):
        if issue["id"] not in (link["source"], link["target"]):
            continue
        mine = link["source"] == issue["id"]
        other = call.state.issue_by_id(link["target"] if mine else link["source"])
        assert other is not None
        kind = link["link_type"]
        if kind == "blocks" and not mine:
            kind = "is_blocked_by"
        found.append(
            {
                **call.state.issue_json(other),
                "issue_link_id": link["id"],
                "link_type": kind,
                "link_created_at": link["created_at"],
                "link_updated_at": link["updated_at"],
            }
        )
    return 200, found


def create_link(call: Call) -> Answer:
    """doc/api/issue_links.md "Create an issue link"; 409 when the two are linked already."""
    _, source = issue_of(call)
    call.require("target_project_id", "target_issue_iid")
    kinds = (
        ("relates_to",)
        if call.state.edition == "ce" and not call.state.premium
        else ("relates_to", *BLOCKING)
    )
    kind = call.choice("link_type", kinds, "relates_to") or "relates_to"
    target_project = call.state.project(str(call.text("target_project_id")))
    if target_project is None:
        raise not_found("Project")
    target = call.state.issues[target_project["id"]].get(call.integer("target_issue_iid") or 0)
    if target is None:
        raise not_found()
    if kind in BLOCKING and not call.state.premium:  # the service checks after finding both
        raise forbidden("Blocked issues not available for current license")
    if target["id"] == source["id"]:  # unconfirmed: GitLab finds no issue it may link
        raise ApiError(
            404,
            {
                "message": "No matching issue found. Make sure that you are "
                "adding a valid issue URL."
            },
        )
    pair = {source["id"], target["id"]}
    if any({link["source"], link["target"]} == pair for link in call.state.links):
        raise ApiError(409, {"message": "Issue(s) already assigned"})
    if kind == "is_blocked_by":
        source, target, kind = target, source, "blocks"
    moment = now()
    link = {
        "id": call.state.next_id("issue_links"),
        "source": source["id"],
        "target": target["id"],
        "link_type": kind,
        "created_at": moment,
        "updated_at": moment,
    }
    call.state.links.append(link)
    return 201, _link_json(call.state, link)


def _own_link(call: Call) -> Json:
    _, issue = issue_of(call)
    link = next((k for k in call.state.links if k["id"] == int(call.match["link"])), None)
    if link is None or issue["id"] not in (link["source"], link["target"]):
        raise not_found()
    return link


def get_link(call: Call) -> Answer:
    """doc/api/issue_links.md "Get an issue link"."""
    return 200, _link_json(call.state, _own_link(call))


def delete_link(call: Call) -> Answer:
    """doc/api/issue_links.md "Delete an issue link" (answers the deleted link, 200)."""
    link = _own_link(call)
    answer = _link_json(call.state, link)
    call.state.links.remove(link)
    return 200, answer


# --- doc/api/notes.md -----------------------------------------------------------------------


def _noteable(call: Call) -> NoteKey:
    if "eid" in call.match.groupdict():
        group, epic = epic_of(call, key="id")  # doc/api/notes.md "Epics": the epic's ID
        return ("epic", group["id"], epic["iid"])
    project, issue = issue_of(call)
    return ("issue", project["id"], issue["iid"])


def list_notes(call: Call) -> Answer:
    """doc/api/notes.md "List project issue notes" / "List all epic notes"."""
    notes = call.state.notes.get(_noteable(call), [])
    return 200, ordered(list(notes), call, ("created_at", "updated_at"))


def create_note(call: Call) -> Answer:
    """doc/api/notes.md "Create new issue note" (author: the token's user, or Sudo)."""
    key = _noteable(call)
    call.require("body")
    note = call.state.add_note(key, str(call.text("body")), call.user)
    if call.has("created_at"):
        note["created_at"] = note["updated_at"] = call.text("created_at")
    if key[0] == "issue":
        call.state.issues[key[1]][key[2]]["updated_at"] = now()  # a comment touches the issue
    webhooks.note_saved(call.state, note, call.user)  # webhook_events.md "Comment events"
    return 201, note
