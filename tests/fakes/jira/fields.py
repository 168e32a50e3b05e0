"""Writing issue fields: ``fields`` and ``update`` of create, bulk create, edit and transition.

Cloud OpenAPI ``POST /rest/api/3/issue`` and ``PUT /rest/api/3/issue/{issueIdOrKey}``
(``IssueUpdateDetails``: ``fields`` sets, ``update`` holds ``add``/``remove``/``set``
operations); DC the same under /rest/api/2. Every invalid field is reported at once, as Jira
does, in ``errors`` keyed by field id; nothing is written unless all are valid. Field texts
quoted from Jira where known: "You must specify a summary of the issue.", "The label '...'
contains spaces which is invalid.", "Issue type is a sub-task but parent issue key or id not
specified.", "Field '...' cannot be set. It is not on the appropriate screen, or unknown.",
"Operation value must be an Atlassian Document (see the Atlassian Document Format)".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tests.fakes.jira.api import Call, Json, bad_request, obj
from tests.fakes.jira.catalog import EPIC_LINK, EPIC_NAME
from tests.fakes.jira.render import adf_to_text
from tests.fakes.jira.state import State, change

NOT_SETTABLE = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."
NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"


class FieldError(Exception):
    """One field's error text."""


Setter = Callable[[Call, Json, Any], Json]


def _summary(call: Call, issue: Json, value: Any) -> Json:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("You must specify a summary of the issue.")
    if "\n" in value:
        raise FieldError("The summary is invalid because it contains newline characters.")
    if len(value) > 255:
        raise FieldError("Summary must be less than 255 characters.")
    return {"summary": value}


def rich_text(call: Call, value: Any) -> Any:
    """A description or comment body: ADF on REST v3, a wiki string on v2."""
    if value is None:
        return None
    if call.adf:
        if not (
            isinstance(value, dict)
            and value.get("type") == "doc"
            and isinstance(value.get("content"), list)
        ):
            raise FieldError(NOT_ADF)
        return value
    if not isinstance(value, str):
        raise FieldError("Operation value must be a string")
    return value


def _labels(call: Call, issue: Json, value: Any) -> Json:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError("Operation value must be a list of strings")
    for label in value:
        if " " in label:
            raise FieldError(f"The label '{label}' contains spaces which is invalid.")
        if len(label) > 255:
            raise FieldError("The label must not be longer than 255 characters.")
    return {"labels": list(dict.fromkeys(value))}


def _person(name: str) -> Setter:
    def setter(call: Call, issue: Json, value: Any) -> Json:
        if value is None:
            return {name: None}
        if not isinstance(value, dict):
            raise FieldError("data was not an object")
        state = call.state
        if state.cloud:  # GDPR: Cloud names people by accountId only
            ref = value.get("accountId") or value.get("id")
            if ref is None:
                raise FieldError(f"Specify the {name} by accountId (names are not accepted)")
        else:
            ref = value.get("name")
        user = state.users.get(ref or "")
        if user is None:
            raise FieldError(f"User '{ref}' does not exist.")
        return {name: user["id"]}

    return setter


def _duedate(call: Call, issue: Json, value: Any) -> Json:
    if value in (None, ""):
        return {"duedate": None}
    try:
        return {"duedate": dt.date.fromisoformat(str(value)).isoformat()}
    except ValueError:
        raise FieldError(f"Error parsing date string: {value}") from None


def _versions(call: Call, issue: Json, value: Any) -> Json:
    state = call.state
    ids = []
    for ref in value if isinstance(value, list) else [value]:
        ref = obj(ref)
        found = next(
            (
                v
                for v in state.versions.values()
                if v["project"] == issue["project"]
                and (v["id"] == str(ref.get("id")) or v["name"] == ref.get("name"))
            ),
            None,
        )
        if found is None:
            raise FieldError(f"Version '{ref.get('name') or ref.get('id')}' is not valid")
        ids.append(found["id"])
    return {"fixVersions": ids}


def _parent(call: Call, issue: Json, value: Any) -> Json:
    state = call.state
    if value is None:
        return {"parent": None}
    if not isinstance(value, dict):
        raise FieldError("data was not an object")
    kind = state.issue_type(issue["type"])
    if not state.cloud and not kind["subtask"]:  # DC: parent is for sub-tasks only
        raise FieldError("Issue type is not a sub-task but parent issue key or id specified.")
    parent = state.issue(str(value.get("key") or value.get("id") or ""))
    if parent is None:
        raise FieldError("Could not find issue by id or key.")
    if state.issue_type(parent["type"])["level"] != kind["level"] + 1:
        raise FieldError("Given parent issue does not belong to appropriate hierarchy.")
    return {"parent": parent["id"]}


def _epic_link(call: Call, issue: Json, value: Any) -> Json:
    state = call.state
    if value in (None, ""):
        return {"epic_link": None}
    if state.issue_type(issue["type"])["level"] != 0:
        raise FieldError("Epic Link can be set on standard issue types only.")
    epic = state.issue(str(value))
    if epic is None:
        raise FieldError(f"The issue '{value}' does not exist.")
    if state.issue_type(epic["type"])["level"] != 1:
        raise FieldError(f"Issue '{value}' is not an Epic.")
    return {"epic_link": epic["id"]}


def _epic_name(call: Call, issue: Json, value: Any) -> Json:
    if call.state.issue_type(issue["type"])["level"] != 1:
        raise FieldError(NOT_SETTABLE.format(EPIC_NAME))
    if not isinstance(value, str) or not value.strip():
        raise FieldError("Epic Name is required.")
    return {"epic_name": value}


def setters(state: State) -> dict[str, Setter]:
    """The settable fields of this flavour."""
    table: dict[str, Setter] = {
        "summary": _summary,
        "description": lambda call, issue, v: {"description": rich_text(call, v)},
        "labels": _labels,
        "assignee": _person("assignee"),
        "reporter": _person("reporter"),
        "duedate": _duedate,
        "fixVersions": _versions,
        "priority": lambda call, issue, v: {},  # every issue stays Medium
        "parent": _parent,
    }
    if not state.cloud:
        table |= {EPIC_LINK: _epic_link, EPIC_NAME: _epic_name}
    return table


def _operate(current: list[Any], ops: Any, name: str) -> list[Any]:
    """``update`` operations on a list field: ``set``, ``add``, ``remove`` in order."""
    if not isinstance(ops, list) or not all(isinstance(op, dict) and len(op) == 1 for op in ops):
        raise FieldError(f"Operations on '{name}' must be a list of single-verb objects")
    result = list(current)
    for op in ops:
        ((verb, value),) = op.items()
        if verb == "set":
            result = list(value) if isinstance(value, list) else [value]
        elif verb == "add":
            result += [value] if value not in result else []
        elif verb == "remove":
            result = [item for item in result if item != value]
        else:
            raise FieldError(f"Operation '{verb}' is not supported on '{name}'")
    return result


def apply(
    call: Call, issue: Json, fields: Json, update: Json, *, creating: bool = False
) -> tuple[list[Json], list[Any]]:
    """Set ``fields`` and run ``update``: changelog items and comment bodies to add."""
    table = setters(call.state)
    errors: dict[str, str] = {}
    new: Json = {}
    comments: list[Any] = []
    for name in set(fields) & set(update):
        errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
    for name, value in fields.items():
        if creating and name in ("project", "issuetype"):
            continue
        try:
            if name not in table:
                raise FieldError(NOT_SETTABLE.format(name))
            new |= table[name](call, issue, value)
        except FieldError as failure:
            errors[name] = str(failure)
    for name, ops in update.items():
        try:
            if name == "comment":
                comments += [rich_text(call, op["add"].get("body")) for op in ops if "add" in op]
            elif name == "labels":
                new |= _labels(call, issue, _operate(issue["labels"], ops, name))
            elif name == "fixVersions":
                names = [{"id": v} for v in issue["fixVersions"]]
                new |= _versions(call, issue, _operate(names, ops, name))
            elif name in table and isinstance(ops, list) and len(ops) == 1 and "set" in ops[0]:
                new |= table[name](call, issue, ops[0]["set"])
            else:
                raise FieldError(NOT_SETTABLE.format(name))
        except (FieldError, AttributeError, TypeError) as failure:
            errors[name] = str(failure)
    if errors:
        raise bad_request(**errors)
    items = [] if creating else _describe(call.state, issue, new)
    issue.update(new)
    return items, comments


def _describe(state: State, issue: Json, new: Json) -> list[Json]:
    """Changelog items for the values that change (Cloud OpenAPI ``ChangeDetails``)."""
    items = []
    for key, value in new.items():
        old = issue[key]
        if old == value:
            continue
        if key == "labels":
            items.append(change("labels", None, " ".join(old), None, " ".join(value)))
        elif key in ("assignee", "reporter"):
            before, after = state.users.get(old or ""), state.users.get(value or "")
            items.append(
                change(key, old, _shown(before, "displayName"), value, _shown(after, "displayName"))
            )
        elif key == "fixVersions":
            names = {v: state.versions[v]["name"] for v in [*old, *value]}
            items += [change("Fix Version", None, None, v, names[v]) for v in value if v not in old]
            items += [change("Fix Version", v, names[v], None, None) for v in old if v not in value]
        elif key in ("parent", "epic_link"):
            name = "IssueParentAssociation" if key == "parent" else "Epic Link"
            before, after = state.issues.get(old or ""), state.issues.get(value or "")
            items.append(
                change(
                    name,
                    old,
                    _shown(before, "key"),
                    value,
                    _shown(after, "key"),
                    custom=key == "epic_link",
                )
            )
        elif key == "description":
            items.append(change(key, None, _plain(old), None, _plain(value)))
        else:
            name = "Epic Name" if key == "epic_name" else key
            items.append(change(name, None, old, None, value, custom=key == "epic_name"))
    return items


def _shown(record: Json | None, key: str) -> str | None:
    return None if record is None else str(record[key])


def _plain(value: Any) -> str | None:
    return adf_to_text(value) if isinstance(value, dict) else value
