"""Which evidence items (``bukti``) a step issue carries: pure matching over observed values.

This is the presence check the status tree shows. Who may sign off and whether a repository
is really open are the rules' business (:mod:`sop_sync.rules`).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from sop_sync.request import RequestInput
from sop_sync.sop.model import Evidence, EvidenceKind
from sop_sync.values import Issue

_URL = re.compile(r"https?://[^\s)>\]]+")
_APPROVE = re.compile(r"^\s*/sop\s+setuju\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class EvidenceStatus:
    """One evidence item and whether it is present, with what was found."""

    item: Evidence
    present: bool
    found: str = ""


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatch(lowered, pattern.lower()) for pattern in patterns)


def _urls(issue: Issue) -> list[str]:
    texts = [issue.description, *(note.body for note in issue.notes)]
    return [url for text in texts for url in _URL.findall(text)]


def evidence_status(issue: Issue, item: Evidence, request: RequestInput) -> EvidenceStatus:
    """Whether ``item`` is present on ``issue``, and what was found."""
    if item.kind is EvidenceKind.ATTACHMENT:
        hit = next(
            (a.filename for a in issue.attachments if _matches(a.filename, item.patterns)), ""
        )
        return EvidenceStatus(item, bool(hit), hit)
    if item.kind is EvidenceKind.LINK:
        hit = next((u for u in _urls(issue) if _matches(u, item.patterns or ("*",))), "")
        return EvidenceStatus(item, bool(hit), hit)
    if item.kind is EvidenceKind.OPEN_REPOSITORY:
        hit = request.repo or next(iter(_urls(issue)), "")
        return EvidenceStatus(item, bool(hit), hit)
    holders = set(request.people_for(item.role)) if item.role else set()
    workers = set(issue.assignees)
    approvals = [
        note.author
        for note in issue.notes
        if _APPROVE.search(note.body) and note.author in holders and note.author not in workers
    ]
    return EvidenceStatus(item, bool(approvals), approvals[0] if approvals else "")
