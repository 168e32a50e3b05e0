"""Ordering as "Blocks" issue links: writing one, and reading them back from searches.

Direction (reference/jira.md "Links"; Jira stores the request's ``inwardIssue`` as the
link's source): ``POST /issueLink {"type": {"name": "Blocks"}, "inwardIssue": {"key": A},
"outwardIssue": {"key": B}}`` means **A blocks B**. Read back, A's ``fields.issuelinks``
shows ``outwardIssue: B`` (A "blocks" B, the type's outward phrase) and B's shows
``inwardIssue: A`` (B "is blocked by" A). The names read backwards and are reported again and
again (pycontribs/jira#585); the contract tests assert both sides. The library's
``create_issue_link`` is not used: it lists link types first and swaps the issues when given
an inward phrase. Jira answers 201 with no body and no id; a duplicate is not added twice.
Links come back in the searches' ``issuelinks`` field, so planning never reads per issue.
"""

from __future__ import annotations

from typing import Any

from jira.exceptions import JIRAError

from sop_sync.errors import TrackerError
from sop_sync.trackers.jira.session import Owned, Write

BLOCKS = "Blocks"


def _is_blocks(entry: dict[str, Any]) -> bool:
    return str((entry.get("type") or {}).get("name", "")).casefold() == BLOCKS.casefold()


def blocked_by_source(issue: Owned) -> set[str]:
    """Keys of the issues ``issue`` blocks (its outward "blocks" links)."""
    return {
        str(e["outwardIssue"]["key"])
        for e in issue.fields.get("issuelinks") or []
        if _is_blocks(e) and e.get("outwardIssue")
    }


def blockers_of(issue: Owned) -> set[str]:
    """Keys of the issues that block ``issue`` (its inward "is blocked by" links)."""
    return {
        str(e["inwardIssue"]["key"])
        for e in issue.fields.get("issuelinks") or []
        if _is_blocks(e) and e.get("inwardIssue")
    }


def ordering(steps: dict[int, Owned]) -> frozenset[tuple[int, int]]:
    """(source step, target step) for every Blocks link between the request's steps."""
    number = {o.key: n for n, o in steps.items()}
    found: set[tuple[int, int]] = set()
    for n, issue in steps.items():
        found |= {(n, number[k]) for k in blocked_by_source(issue) if k in number}
        found |= {(number[k], n) for k in blockers_of(issue) if k in number}
    return frozenset(found)


def block(w: Write, source: Owned, target: Owned) -> None:
    """``source`` blocks ``target`` (nothing sent when the run already knows the link)."""
    if target.key in blocked_by_source(source) or source.key in blockers_of(target):
        return
    s = w.session
    body = {
        "type": {"name": BLOCKS},
        "inwardIssue": {"key": source.key},
        "outwardIssue": {"key": target.key},
    }
    doing = (
        f"linking {source.marker.ref.describe()} ({source.key}) to "
        f"{target.marker.ref.describe()} ({target.key})"
    )
    s.call(doing, lambda: _post(w, body, doing))
    with s.lock:
        source.fields.setdefault("issuelinks", []).append(
            {"type": {"name": BLOCKS}, "outwardIssue": {"key": target.key}}
        )
        target.fields.setdefault("issuelinks", []).append(
            {"type": {"name": BLOCKS}, "inwardIssue": {"key": source.key}}
        )


def _post(w: Write, body: dict[str, Any], doing: str) -> None:
    """POST the link; a missing link type is named with what an admin must do."""
    try:
        w.rest.post("issueLink", body)
    except JIRAError as error:
        if error.status_code == 404 and "link type" in str(error.text or "").casefold():
            raise TrackerError(
                f"Jira: {doing}: this Jira has no {BLOCKS!r} issue link type — an admin must "
                "add it (Administration → Issues → Issue linking)"
            ) from None
        raise
