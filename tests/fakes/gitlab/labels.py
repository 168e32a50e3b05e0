"""GitLab emulator handlers: project and group labels, and the labels an epic may carry.

doc/api/labels.md and doc/api/group_labels.md for the endpoints; the rules for an epic's labels
follow GitLab's services (see :func:`epic_labels`). Routes: server.py.
"""

from __future__ import annotations

import re

from tests.fakes.gitlab.api import (
    Answer,
    ApiError,
    Call,
    forbidden,
    group_of,
    not_found,
    project_of,
)
from tests.fakes.gitlab.state import DEFAULT_LABEL_COLOR, Json, text_color

COLOR = re.compile(r"#(?:[0-9A-Fa-f]{3}){1,2}")


def _labels_of(call: Call) -> dict[str, Json]:
    if "project" in call.match.groupdict():
        return call.state.labels[project_of(call)["id"]]
    return call.state.group_labels[group_of(call)["id"]]


def _label(call: Call, *, inherited: bool = False) -> Json:
    """By id or title, in the path (``:label_id``) or, in the older form, ``name`` in the body.

    With ``inherited``, a project also sees its group's labels (reads do; edits do not).
    """
    labels = dict(_labels_of(call))
    if inherited and "project" in call.match.groupdict():
        for group in call.state.ancestry(call.state.group_of(project_of(call))):
            labels = {**call.state.group_labels[group["id"]], **labels}
    ref = call.path("label") if call.match.groupdict().get("label") else call.text("name") or ""
    label = labels.get(ref) or next((v for v in labels.values() if str(v["id"]) == ref), None)
    if label is None:
        raise not_found("Label")
    return label


def list_labels(call: Call) -> Answer:
    """doc/api/labels.md "List labels": the project's and its groups' (include_ancestor_groups)."""
    rows = list(_labels_of(call).values())
    if "project" in call.match.groupdict() and call.flag("include_ancestor_groups") is not False:
        for group in call.state.ancestry(call.state.group_of(project_of(call))):
            inherited = call.state.group_labels[group["id"]].values()
            rows += [{**g, "is_project_label": False} for g in inherited]
    return 200, sorted(rows, key=lambda label: label["name"].lower())


def get_label(call: Call) -> Answer:
    """doc/api/labels.md "Get a single project label"."""
    return 200, _label(call, inherited=True)


def create_label(call: Call) -> Answer:
    """doc/api/labels.md "Create a new label": name and color required; 409 when it exists."""
    labels = _labels_of(call)
    _authorize(call)
    call.require("name", "color")
    name, color = str(call.text("name")).strip(), str(call.text("color"))
    # lib/api/helpers/label_helpers.rb: conflict! when ``available_labels_for(parent)`` has the
    # title: a project sees its own and its groups' labels, a group its own and its ancestors'
    # (a project label of the same name does not stop a group label: both then exist)
    if "project" in call.match.groupdict():
        taken = call.state.label_for(project_of(call), name)
    else:
        taken = call.state.group_label(group_of(call), name)
    if taken is not None:
        raise ApiError(409, {"message": "Label already exists"})
    if not COLOR.fullmatch(color):
        raise ApiError(400, {"message": {"color": ["must be a valid color code"]}})
    labels[name] = call.state.new_label(
        name, color, call.text("description"), call.integer("priority")
    )
    if "group" in call.match.groupdict():
        labels[name]["is_project_label"] = False
    return 201, labels[name]


def update_label(call: Call) -> Answer:
    """doc/api/labels.md "Edit an existing label" (``new_name``, ``color``, ``description``)."""
    labels = _labels_of(call)
    _authorize(call)
    label = _label(call)
    call.at_least_one("new_name", "color", "description", "priority", "archived")
    color = call.text("color")
    if color is not None and not COLOR.fullmatch(color):
        raise ApiError(400, {"message": {"color": ["must be a valid color code"]}})
    new_name = call.text("new_name")
    if new_name and new_name != label["name"]:
        if new_name in labels:
            raise ApiError(400, {"message": {"title": ["has already been taken"]}})
        del labels[label["name"]]
        for issue in _issues_seeing(call):  # the issues carrying it show the new name
            if label["name"] in issue["labels"]:
                issue["labels"] = sorted(
                    new_name if n == label["name"] else n for n in issue["labels"]
                )
        label["name"] = new_name
        labels[new_name] = label
    if color:
        label.update(color=color, text_color=text_color(color))
    for key in ("description", "priority", "archived"):
        if call.has(key):
            label[key] = call.raw(key)
    label["description_html"] = label["description"]
    return 200, label


def _issues_seeing(call: Call) -> list[Json]:
    """The issues that can carry the label of this route: its project's, or its group's."""
    if "project" in call.match.groupdict():
        return list(call.state.issues[project_of(call)["id"]].values())
    path = group_of(call)["full_path"]
    return [
        issue
        for project in call.state.projects.values()
        if project["path_with_namespace"].startswith(path + "/")
        for issue in call.state.issues[project["id"]].values()
    ]


def delete_label(call: Call) -> Answer:
    """doc/api/labels.md "Delete a label" (204)."""
    _authorize(call)
    del _labels_of(call)[_label(call)["name"]]
    return 204, None


def _authorize(call: Call) -> None:
    """``authorize! :admin_label, parent``; group labels need a role in the group."""
    if "group" in call.match.groupdict() and not call.state.manage_group_labels:
        raise forbidden()


def epic_labels(call: Call, group: Json, names: list[str], *, find_only: bool = False) -> list[str]:
    """The labels an epic of ``group`` ends up with, given by title: group labels only.

    IssuableBaseService#filter_labels hands titles to Labels::AvailableLabelsService
    #find_or_create_by_titles (app/services/labels/available_labels_service.rb), which for a
    group looks only at group labels of the group and its ancestors (``only_group_labels``,
    ``include_ancestor_groups``) and asks Labels::FindOrCreateService
    (app/services/labels/find_or_create_service.rb) for each: an existing group label is
    used; a missing one is created as a *group* label (default colour) when the user may
    ``admin_label`` on the group, else it is silently dropped (``.compact``). A project label of
    the same title is never used. ``remove_labels`` only finds (``find_only``).
    """
    kept = []
    for name in names:
        label = call.state.group_label(group, name)
        if label is None and not find_only and call.state.manage_group_labels:
            label = call.state.new_label(name, DEFAULT_LABEL_COLOR)
            label["is_project_label"] = False
            call.state.group_labels[group["id"]][name] = label
        if label is not None:
            kept.append(name)
    return kept
