"""GitLab emulator handlers: milestones, epics and their issues (routes: server.py)."""

from __future__ import annotations

import datetime as dt

from tests.fakes.gitlab.api import (
    Answer,
    ApiError,
    Call,
    epic_of,
    epics_group_of,
    fuzzy_match,
    in_window,
    labels_match,
    not_found,
    ordered,
    project_of,
)
from tests.fakes.gitlab.issues import exclusive
from tests.fakes.gitlab.labels import epic_labels
from tests.fakes.gitlab.state import Json, State, now, user_basic

# --- doc/api/milestones.md -----------------------------------------------------------------


def _milestone(call: Call) -> tuple[Json, Json]:
    project = project_of(call)
    milestone = call.state.milestones[project["id"]].get(int(call.match["mid"]))
    if milestone is None:
        raise not_found()  # parent.milestones.find: RecordNotFound
    return project, milestone


def _milestone_json(milestone: Json) -> Json:
    due = milestone["due_date"]
    return {**milestone, "expired": bool(due) and due < dt.date.today().isoformat()}


def _check_dates(milestone: Json, doing: str) -> None:
    """Milestone validation: due after start; the message as milestone_responses.rb has it."""
    start, due = milestone["start_date"], milestone["due_date"]
    if start and due and due < start:
        errors = '{:due_date=>["must be greater than start date"]}'
        raise ApiError(400, {"message": f"Failed to {doing} milestone {errors}"})


def list_milestones(call: Call) -> Answer:
    """doc/api/milestones.md "List project milestones" (state, title, search, iids[]).

    ``search`` is ``Milestone.search``: a fuzzy search over title and description
    (app/finders/milestones_finder.rb #by_search; :func:`fuzzy_match`).
    """
    project = project_of(call)
    state = call.choice("state", ("active", "closed", "all"), "all")
    title = call.text("title")
    search = call.text("search") or ""
    iids = {int(i) for i in call.many("iids")}
    found = [
        _milestone_json(m)
        for m in call.state.milestones[project["id"]].values()
        if state in ("all", m["state"])
        and title in (None, m["title"])  # MilestonesFinder#by_title: exact
        and (not search.strip() or fuzzy_match(search, m["title"], m["description"]))
        and (not iids or m["iid"] in iids)
    ]
    return 200, sorted(found, key=lambda m: (m["due_date"] or "9999", m["id"]))


def get_milestone(call: Call) -> Answer:
    """doc/api/milestones.md "Get single milestone"."""
    return 200, _milestone_json(_milestone(call)[1])


def create_milestone(call: Call) -> Answer:
    """doc/api/milestones.md "Create new milestone"; a taken title is a 400 (as GitLab says)."""
    project = project_of(call)
    call.require("title")
    title = str(call.text("title"))
    milestones = call.state.milestones[project["id"]]
    if any(m["title"] == title for m in milestones.values()):
        errors = '{:title=>["has already been taken"]}'
        raise ApiError(400, {"message": f"Failed to create milestone {errors}"})
    iid = max((m["iid"] for m in milestones.values()), default=0) + 1
    milestone = {
        "id": call.state.next_id("milestones"),
        "iid": iid,
        "project_id": project["id"],
        "title": title,
        "description": call.text("description"),
        "state": "active",
        "start_date": call.date("start_date"),
        "due_date": call.date("due_date"),
        "created_at": now(),
        "updated_at": now(),
        "web_url": f"{project['web_url']}/-/milestones/{iid}",
    }
    _check_dates(milestone, "create")
    milestones[milestone["id"]] = milestone
    return 201, _milestone_json(milestone)


def update_milestone(call: Call) -> Answer:
    """doc/api/milestones.md "Edit milestone" (state_event close|activate)."""
    _, milestone = _milestone(call)
    call.at_least_one("title", "description", "start_date", "due_date", "state_event")
    updated = dict(milestone)
    for key in ("title", "description"):
        if call.has(key):
            updated[key] = call.text(key)
    for key in ("start_date", "due_date"):
        if call.has(key):
            updated[key] = call.date(key)
    event = call.choice("state_event", ("close", "activate"))
    if event:
        updated["state"] = "closed" if event == "close" else "active"
    _check_dates(updated, "update")
    if updated != milestone:
        updated["updated_at"] = now()
    milestone.update(updated)
    return 200, _milestone_json(milestone)


# --- doc/api/epics.md, doc/api/epic_issues.md (Premium) --------------------------------------


def list_epics(call: Call) -> Answer:
    """doc/api/epics.md "List epics for a group" (labels, state, search, author_id)."""
    group = epics_group_of(call)
    wanted = call.many("labels")
    state = call.choice("state", ("opened", "closed", "all"), "all")
    search = (call.text("search") or "").lower()
    author = call.integer("author_id")
    found = [
        e
        for e in call.state.epics[group["id"]].values()
        if labels_match(wanted, e["labels"])
        and state in ("all", e["state"])
        and (not search or search in (e["title"] + (e["description"] or "")).lower())
        and author in (None, e["author"]["id"])
        and in_window(call, e)
    ]
    rows = ordered(found, call, ("created_at", "updated_at", "title"))
    return 200, [call.state.epic_json(e) for e in rows]


def get_epic(call: Call) -> Answer:
    """doc/api/epics.md "Single epic"."""
    return 200, call.state.epic_json(epic_of(call)[1])


def create_epic(call: Call) -> Answer:
    """doc/api/epics.md "New epic"."""
    group = epics_group_of(call)
    call.require("title")
    epics = call.state.epics[group["id"]]
    iid = max(epics, default=0) + 1
    epic = {
        "id": call.state.next_id("epics"),
        "iid": iid,
        "group_id": group["id"],
        "parent_id": None,
        "title": call.text("title"),
        "description": call.text("description"),
        "state": "opened",
        "confidential": False,
        "color": "#1068bf",
        "web_url": f"{group['web_url']}/-/epics/{iid}",
        "reference": f"&{iid}",
        "references": {
            "short": f"&{iid}",
            "relative": f"&{iid}",
            "full": f"{group['full_path']}&{iid}",
        },
        "author": call.user,
        "start_date_is_fixed": False,
        "start_date_fixed": None,
        "due_date_is_fixed": False,
        "due_date_fixed": None,
        "labels": [],
        "upvotes": 0,
        "downvotes": 0,
        "created_at": now(),
        "updated_at": now(),
        "closed_at": None,
        "label_events": [],
    }
    _apply_epic_fields(call, group, epic)
    epics[iid] = epic
    return 201, call.state.epic_json(epic)


def update_epic(call: Call) -> Answer:
    """doc/api/epics.md "Update epic"."""
    group, epic = epic_of(call)
    call.at_least_one(
        "add_labels",
        "color",
        "confidential",
        "description",
        "due_date_fixed",
        "end_date",
        "due_date_is_fixed",
        "labels",
        "parent_id",
        "remove_labels",
        "start_date_fixed",
        "start_date",
        "start_date_is_fixed",
        "state_event",
        "title",
    )
    _apply_epic_fields(call, group, epic)
    epic["updated_at"] = now()
    return 200, call.state.epic_json(epic)


def _apply_epic_fields(call: Call, group: Json, epic: Json) -> None:
    """Fields of "New epic"/"Update epic".

    ``start_date``/``end_date`` are aliases of ``start_date_fixed``/``due_date_fixed``
    (ee/lib/api/epics.rb ``as:``). A fixed date counts only with its ``*_is_fixed`` flag; a
    fixed date sent without the flag sets it (emulator choice: the dates the client means).
    """
    for key in ("title", "description", "color"):
        if call.has(key):
            epic[key] = call.text(key)
    if call.has("confidential"):
        epic["confidential"] = bool(call.flag("confidential"))
    before = list(epic["labels"])
    # group labels only, made or dropped as GitLab does (labels.epic_labels)
    given = epic_labels(call, group, call.many("labels")) if call.has("labels") else before
    added = epic_labels(call, group, call.many("add_labels"))
    removed = set(epic_labels(call, group, call.many("remove_labels"), find_only=True))
    labels = [n for n in dict.fromkeys([*given, *added]) if n not in removed]
    # EE::IssuableBaseService#filter_mutually_exclusive_labels runs for every issuable whose
    # parent has scoped labels (ee/app/services/ee/issuable_base_service.rb): epics too
    selection = [*added, *(given if call.has("labels") else [])]
    epic["labels"] = sorted(exclusive(labels, before, selection))
    for name, action in [(n, "add") for n in sorted(set(epic["labels"]) - set(before))] + [
        (n, "remove") for n in sorted(set(before) - set(epic["labels"]))
    ]:
        epic["label_events"].append(
            {
                "id": call.state.next_id("resource_label_events"),
                "user": user_basic(call.user),
                "created_at": now(),
                "resource_type": "Epic",
                "resource_id": epic["id"],
                "label": {"id": None, "name": name},
                "action": action,
            }
        )
    for which, alias in (("start_date", "start_date"), ("due_date", "end_date")):
        for name in (f"{which}_fixed", alias):
            if call.has(name):
                epic[f"{which}_fixed"] = call.date(name)
                epic[f"{which}_is_fixed"] = epic[f"{which}_fixed"] is not None
        if call.has(f"{which}_is_fixed"):
            epic[f"{which}_is_fixed"] = bool(call.flag(f"{which}_is_fixed"))
    if call.has("parent_id"):
        epic["parent_id"] = call.integer("parent_id")
    event = call.choice("state_event", ("close", "reopen"))
    if event == "close" and epic["state"] != "closed":
        epic.update(state="closed", closed_at=now())
    elif event == "reopen" and epic["state"] == "closed":
        epic.update(state="opened", closed_at=None)


def epic_issues(call: Call) -> Answer:
    """doc/api/epic_issues.md "List issues for an epic" (each with ``epic_issue_id``)."""
    _, epic = epic_of(call)
    found = [
        {**call.state.issue_json(i), "epic_issue_id": i["epic_issue_id"]}
        for issues in call.state.issues.values()
        for i in issues.values()
        if i["epic"] and i["epic"]["id"] == epic["id"]
    ]
    return 200, sorted(found, key=lambda i: i["epic_issue_id"])


def assign_epic_issue(call: Call) -> Answer:
    """doc/api/epic_issues.md "Assign an issue to the epic" (global issue id; moves it)."""
    _, epic = epic_of(call)
    issue = call.state.issue_by_id(int(call.match["issue_id"]))
    if issue is None:
        raise not_found()
    if issue["epic"] and issue["epic"]["id"] == epic["id"]:
        raise ApiError(409, {"message": "Issue(s) already assigned"})
    call.state.join_epic(epic, issue)
    return 201, _epic_issue_json(call.state, epic, issue)


def remove_epic_issue(call: Call) -> Answer:
    """doc/api/epic_issues.md "Remove an issue from the epic" (by ``epic_issue_id``)."""
    _, epic = epic_of(call)
    issue = next(
        (
            i
            for issues in call.state.issues.values()
            for i in issues.values()
            if i["epic_issue_id"] == int(call.match["issue_id"])
            and i["epic"]
            and i["epic"]["id"] == epic["id"]
        ),
        None,
    )
    if issue is None:
        raise not_found()
    answer = _epic_issue_json(call.state, epic, issue)
    issue.update(epic=None, epic_issue_id=None)
    return 200, answer


def _epic_issue_json(state: State, epic: Json, issue: Json) -> Json:
    shown = state.epic_json(epic)
    keys = ("id", "iid", "title", "description", "author", "start_date", "end_date")
    return {
        "id": issue["epic_issue_id"],
        "epic": {k: shown[k] for k in keys},
        "issue": state.issue_json(issue),
    }
