"""Creating the request's epic and its step issues, marker and every field in one call each.

The epic is one ``POST /issue``; steps made side by side share ``POST /issue/bulk`` calls
(:mod:`.bulk`). Each body carries the marker property (``IssueUpdateDetails.properties``),
the finder labels, the issue type and project by id (by name the library would look them
up first), and the epic: Cloud ``parent: {key}``; DC the Epic Link field, whose id is found
by ``schema.custom``. An epic on DC also gets the Epic Name Jira requires there. Nothing is
read back: Jira answers ``{id, key, self}`` and the cache is filled from what was sent.
"""

from __future__ import annotations

import json
from typing import Any

from jira.exceptions import JIRAError

from sop_sync.errors import TrackerError
from sop_sync.model.changes import CreateIssue, Ref
from sop_sync.model.request import RequestInput
from sop_sync.model.text import shorten
from sop_sync.model.tracker import text_digest
from sop_sync.trackers.jira.marker import Marker, entity, finder_labels, from_json
from sop_sync.trackers.jira.markup import to_wiki
from sop_sync.trackers.jira.rest import Rest
from sop_sync.trackers.jira.session import JiraSession, Owned, Write


def create_issue(w: Write, c: CreateIssue) -> None:
    """Create the request's epic or one step issue."""
    s = w.session
    batcher = None
    if c.ref.step is not None:  # announced first: the batch waits while this body is built
        batcher = s.batcher(w.rest, lambda bodies: send_bulk(s, w.rest, bodies))
        batcher.announce()
    try:
        body = _body(w, c)
    except BaseException:
        if batcher is not None:
            batcher.withdraw()
        raise
    if batcher is not None:
        made = batcher.create(body, announced=True)
    else:  # the steps' people are looked up while the epic is made
        warming = s.pool.submit(s.people.warm, _people(c.ref.key, dict(c.data)))
        made = s.call(f"creating {c.ref.describe()}", lambda: w.rest.post("issue", body))
        warming.result()
    marker = from_json(body["properties"][0]["value"])
    assert marker is not None  # noqa: S101 - written just above
    s.remember(Owned(_record(s, made, body["fields"]), marker))


def _body(w: Write, c: CreateIssue) -> dict[str, Any]:
    """The create body: fields, the marker property; errors for what cannot be created."""
    s = w.session
    if s.owned(c.ref) is not None:
        raise TrackerError(f"Jira: {c.ref.describe()} exists already")
    epic = s.owned(Ref(c.ref.key))
    sop = dict(c.data).get("sop") if c.ref.step is None else (epic.marker.sop if epic else None)
    if sop is None:
        raise TrackerError(f"Jira: {c.ref.describe()}: its request does not exist yet")
    marker = Marker(c.ref.key, sop, c.ref.step, dict(c.data), text_digest(c.description))
    kind = s.epic_type() if c.ref.step is None else s.step_type()
    fields: dict[str, Any] = {
        "project": {"id": s.project.id},
        "issuetype": {"id": str(kind["id"])},
        "summary": c.title,
        "description": to_wiki(c.description),
        "labels": [*c.labels, *finder_labels(c.ref.key)],
    }
    if c.due is not None:
        fields["duedate"] = c.due.isoformat()
    if c.milestone:
        fields["fixVersions"] = [{"id": str(_version(s, c.milestone)["id"])}]
    if c.assignees:  # Jira has one assignee: the first person of the step's roles
        fields["assignee"] = s.people.reference(c.assignees[0])
    if c.ref.step is None:
        name = s.epic_fields().name
        if name:
            fields[name] = shorten(c.title, 255)
    elif epic is not None and s.cloud:
        fields["parent"] = {"key": epic.key}
    elif epic is not None:
        link = s.epic_fields().link
        if link is None:
            raise TrackerError("Jira: this Data Center site has no Epic Link field")
        fields[link] = epic.key
    return {"fields": fields, "properties": entity(marker)}


def _people(key: str, data: dict[str, str]) -> set[str]:
    try:
        request = RequestInput.from_data(key, data)
    except (KeyError, ValueError):
        return set()
    return {name for _, names in request.people for name in names}


def _version(s: JiraSession, name: str) -> dict[str, Any]:
    found = s.versions().get(name)
    if found is None:
        raise TrackerError(f"Jira: version {name!r} does not exist")
    return found


def _record(s: JiraSession, made: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The issue as a search would show it, from what was sent (nothing is read back)."""
    shown = {k: v for k, v in fields.items() if k not in ("project",)}
    shown["fixVersions"] = [
        {**v, "name": next((n for n, x in s.versions().items() if str(x["id"]) == v["id"]), "")}
        for v in fields.get("fixVersions", [])
    ]
    shown["status"] = {"id": "", "statusCategory": {"key": "new"}}  # a new issue is to do
    shown["issuelinks"] = []
    return {"id": str(made["id"]), "key": str(made["key"]), "fields": shown}


def send_bulk(
    s: JiraSession, rest: Rest, bodies: list[dict[str, Any]]
) -> list[dict[str, Any] | TrackerError]:
    """One ``POST /issue/bulk``: each body's ``{id, key}``, or its own error."""
    doing = f"creating {len(bodies)} issues in bulk"
    with_issues = s.call(doing, lambda: _post_bulk(rest, bodies))
    failed = {
        int(e["failedElementNumber"]): e
        for e in with_issues.get("errors") or []
        if "failedElementNumber" in e
    }
    made = iter(with_issues.get("issues") or [])
    results: list[dict[str, Any] | TrackerError] = []
    for number, body in enumerate(bodies):
        if number in failed:
            results.append(
                TrackerError(f"Jira: creating {_summary(body)}: {_element(failed[number])}")
            )
        else:
            results.append(next(made))
    return results


def _post_bulk(rest: Rest, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer, also when Jira refused every issue (a 400 listing per-issue errors)."""
    try:
        answer: dict[str, Any] = rest.post("issue/bulk", {"issueUpdates": bodies})
    except JIRAError as error:
        answer = _json(error)
        if error.status_code == 400 and answer.get("errors") and isinstance(answer["errors"], list):
            return answer
        raise
    return answer


def _json(error: JIRAError) -> dict[str, Any]:
    try:
        answer = json.loads(error.response.text) if error.response is not None else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _summary(body: dict[str, Any]) -> str:
    return repr(shorten(str(body.get("fields", {}).get("summary", "")), 60))


def _element(failure: dict[str, Any]) -> str:
    errors = failure.get("elementErrors") or {}
    texts = list((errors.get("errors") or {}).values()) + list(errors.get("errorMessages") or [])
    status = failure.get("status")
    return f"HTTP {status}: " + ("; ".join(map(str, texts)) or "refused")
