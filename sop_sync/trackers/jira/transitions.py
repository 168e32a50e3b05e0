"""Closing and reopening through the workflow's transitions, chosen by status category.

Jira has no "close": an issue moves along its workflow, and names differ per workflow
(reference/jira.md "Transitions and workflows"). ``GET /issue/{key}/transitions`` lists
those the account may run now (Cloud OpenAPI getTransitions; none without the *Transition
issues* permission), each with its target status and that status's category. Closing takes
one into the ``done`` category; reopening one out of it (``new`` first, else
``indeterminate``). A workflow that only reaches Done through In Progress (To Do → Start
Progress → Done) is walked one step further (and back when that leads nowhere). The
resolution is set when the transition's screen has the field (``expand=transitions.fields``),
"Done" when offered. Lists are cached per account, issue type and status for the run.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sop_sync.errors import TrackerError
from sop_sync.trackers.jira.meta import category_of
from sop_sync.trackers.jira.session import Owned, Write

DONE = "done"
OPEN_CATEGORIES = ("new", "indeterminate")
HOPS = 3


def _available(w: Write, owned: Owned) -> list[dict[str, Any]]:
    s = w.session
    status = str((owned.fields.get("status") or {}).get("id") or "initial")
    kind = str((owned.fields.get("issuetype") or {}).get("id") or "")
    cache_key = (w.person or "", kind, status)
    with s.lock:
        known = s.cache.transitions.get(cache_key)
    if known is not None:
        return known
    found = s.call(
        f"listing transitions of {owned.marker.ref.describe()} ({owned.key})",
        lambda: w.rest.get(f"issue/{owned.key}/transitions", expand="transitions.fields"),
    )
    listed: list[dict[str, Any]] = list(found.get("transitions") or [])
    with s.lock:
        s.cache.transitions[cache_key] = listed
    return listed


def _pick(listed: list[dict[str, Any]], categories: tuple[str, ...]) -> dict[str, Any] | None:
    for wanted in categories:
        for transition in listed:
            if category_of(transition.get("to")) == wanted:
                return transition
    return None


def _resolution(transition: dict[str, Any]) -> dict[str, Any] | None:
    field = (transition.get("fields") or {}).get("resolution")
    if not field:
        return None
    allowed = [v for v in field.get("allowedValues") or [] if v.get("name")]
    chosen = next((v for v in allowed if v["name"] == "Done"), allowed[0] if allowed else None)
    return {"name": chosen["name"]} if chosen else None


def _run(w: Write, owned: Owned, transition: dict[str, Any]) -> None:
    body: dict[str, Any] = {"transition": {"id": str(transition["id"])}}
    if category_of(transition.get("to")) == DONE and (resolution := _resolution(transition)):
        body["fields"] = {"resolution": resolution}
    w.session.call(
        f"moving {owned.marker.ref.describe()} ({owned.key}) to {transition['to'].get('name')!r}",
        lambda: w.rest.post(f"issue/{owned.key}/transitions", body),
    )
    owned.fields["status"] = transition["to"]
    w.session.remember(owned)


def move(w: Write, owned: Owned, close: bool) -> None:
    """Close (into the done category) or reopen (out of it); nothing when already there."""
    start = dict(owned.fields.get("status") or {})
    for _ in range(HOPS):
        here = category_of(owned.fields.get("status"))
        if (here == DONE) == close:
            return
        listed = _available(w, owned)
        chosen = _pick(listed, (DONE,) if close else OPEN_CATEGORIES)
        if chosen is None and close and here == "new":
            chosen = _pick(listed, ("indeterminate",))  # To Do -> In Progress -> Done
        if chosen is None:
            break
        _run(w, owned, chosen)
    if (category_of(owned.fields.get("status")) == DONE) == close:
        return
    _back(w, owned, start)
    status = start.get("name") or "its status"
    target = "a Done status" if close else "an open (To Do) status"
    verb = "closing" if close else "reopening"
    raise TrackerError(
        f"Jira: {verb} {owned.marker.ref.describe()} ({owned.key}): the workflow offers no "
        f"transition from {status!r} to {target} for this account — an admin must add one "
        "to the workflow, or grant the Transition issues permission"
    )


def _back(w: Write, owned: Owned, start: dict[str, Any]) -> None:
    """After a step that led nowhere, back to where the issue was (best effort)."""
    if str((owned.fields.get("status") or {}).get("id")) == str(start.get("id")):
        return
    back = _pick(_available(w, owned), (category_of(start),))
    if back is not None:
        with contextlib.suppress(TrackerError):
            _run(w, owned, back)
