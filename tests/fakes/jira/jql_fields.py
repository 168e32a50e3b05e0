"""The JQL fields the emulator knows: what an issue holds and which values exist.

Values are checked as Jira checks them, when the query is parsed: an unknown project, issue
key, issue type, status, user or version is a 400, not an empty result (Atlassian "Advanced
searching - fields reference"; Jira's "The value 'X' does not exist for the field 'f'.").
"""

from __future__ import annotations

from collections.abc import Callable

from tests.fakes.jira.api import ApiError, Json, bad_request
from tests.fakes.jira.catalog import CATEGORIES, ISSUE_TYPES, STATUSES
from tests.fakes.jira.render import adf_to_text
from tests.fakes.jira.state import State

Predicate = Callable[[Json], bool]
Getter = Callable[[Json], list[str]]
Normalise = Callable[[State, str, str], set[str]]
TEXT_FIELDS = {"summary", "description", "text"}


def missing_value(name: str, value: str) -> ApiError:
    """Jira's answer to a value that names nothing."""
    return bad_request(f"The value '{value}' does not exist for the field '{name}'.")


def _project(state: State, name: str, value: str) -> set[str]:
    found = {
        p["key"]
        for p in state.projects.values()
        if value.upper() == p["key"] or value in (p["id"], p["name"])
    }
    if not found:
        raise missing_value(name, value)
    return found


def _issue(state: State, name: str, value: str) -> set[str]:
    issue = state.issue(value)
    if issue is None:
        raise bad_request(f"An issue with key '{value}' does not exist for field '{name}'.")
    return {issue["id"]}


def _type(state: State, name: str, value: str) -> set[str]:
    found = {
        tid
        for tid, t in ISSUE_TYPES[state.flavour].items()
        if value.lower() in (t["name"].lower(), tid)
    }
    if not found:
        raise missing_value(name, value)
    return found


def _status(state: State, name: str, value: str) -> set[str]:
    found = {sid for sid, s in STATUSES.items() if value.lower() in (s["name"].lower(), sid)}
    if not found:
        raise missing_value(name, value)
    return found


def _category(state: State, name: str, value: str) -> set[str]:
    found = {
        key
        for key, c in CATEGORIES.items()
        if value.lower() in (c["name"].lower(), key, str(c["id"]))
    }
    if not found:
        raise missing_value(name, value)
    return found


def _user(state: State, name: str, value: str) -> set[str]:
    user = state.user(value)
    if user is None:
        raise missing_value(name, value)
    return {user["id"]}


def _version(state: State, name: str, value: str) -> set[str]:
    found = {v["id"] for v in state.versions.values() if value in (v["id"], v["name"])}
    if not found:
        raise missing_value(name, value)
    return found


def _same(state: State, name: str, value: str) -> set[str]:
    return {value}


def _epic_of(state: State) -> Getter:
    """DC: the Epic Link; Cloud (where Epic Link is gone): the parent when it is an epic."""
    if not state.cloud:
        return lambda i: [i["epic_link"]] if i["epic_link"] else []

    def parent_epic(issue: Json) -> list[str]:
        parent = state.issues.get(issue["parent"] or "")
        return [parent["id"]] if parent and state.issue_type(parent["type"])["level"] == 1 else []

    return parent_epic


def fields(state: State) -> dict[str, tuple[Getter, Normalise]]:
    """JQL field name (lower case) -> what an issue holds, how a value is checked."""
    issue_ref: tuple[Getter, Normalise] = (lambda i: [i["id"]], _issue)
    epic: tuple[Getter, Normalise] = (_epic_of(state), _issue)
    return {
        "project": (lambda i: [i["project"]], _project),
        "key": issue_ref,
        "issuekey": issue_ref,
        "id": issue_ref,
        "labels": (lambda i: list(i["labels"]), _same),
        "parent": (lambda i: [i["parent"]] if i["parent"] else [], _issue),
        "epic link": epic,
        "cf[10100]": epic,
        "issuetype": (lambda i: [i["type"]], _type),
        "type": (lambda i: [i["type"]], _type),
        "status": (lambda i: [i["status"]], _status),
        "statuscategory": (lambda i: [STATUSES[i["status"]]["category"]], _category),
        "resolution": (lambda i: [i["resolution"]] if i["resolution"] else [], _same),
        "assignee": (lambda i: [i["assignee"]] if i["assignee"] else [], _user),
        "reporter": (lambda i: [i["reporter"]], _user),
        "fixversion": (lambda i: list(i["fixVersions"]), _version),
    }


def _text(issue: Json, name: str) -> str:
    parts = [issue["summary"]]
    if name != "summary":
        body = issue["description"]
        parts.append(adf_to_text(body) if isinstance(body, dict) else body or "")
    return " ".join(parts).lower()


def resolve(state: State, name: str, op: str, values: list[str | None]) -> Predicate:
    """A predicate for ``name op values`` (values already unquoted; None is EMPTY)."""
    lowered = name.lower()
    if lowered in TEXT_FIELDS:
        if op not in ("~", "!~") or values[0] is None:
            raise bad_request(f"The operator '{op}' is not supported by the '{name}' field.")
        needle = values[0].lower().strip("*")
        return lambda i: (needle in _text(i, lowered)) == (op == "~")
    known = fields(state)
    if lowered not in known:
        raise bad_request(
            f"Field '{name}' does not exist or you do not have permission to view it."
        )
    if op in ("~", "!~"):
        raise bad_request(f"The operator '{op}' is not supported by the '{name}' field.")
    getter, normalise = known[lowered]
    if lowered == "resolution":  # "Unresolved" is the resolution's EMPTY
        values = [None if v is None or v.lower() == "unresolved" else v for v in values]
    wanted = [None if v is None else normalise(state, lowered, v) for v in values]

    def matches(issue: Json) -> bool:
        held = set(getter(issue))
        return any((not held) if want is None else bool(held & want) for want in wanted)

    if op in ("=", "in"):
        return matches
    # "!=" and NOT IN never match an empty field ("component != fred will only match issues
    # that have a component", Atlassian JQL operators reference); IS NOT EMPTY is "!= None"
    return lambda i: bool(getter(i)) and not matches(i)
