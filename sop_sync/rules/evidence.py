"""Which evidence items (``bukti``) a step issue carries: pure matching over observed values.

Sign-offs count only from a holder of the named role who did not do the work being approved
(the people holding the step's other roles); the author is the tracker's record of the note.
An open repository counts only when its inspection (done by the tracker, outside the core)
says it is public with an OSI-approved licence.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sop_sync.documents.files import is_generated
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Issue, RepoState, RepoStatus
from sop_sync.rules.commands import Verb, parse_notes
from sop_sync.sop.model import DocumentKind, Evidence, EvidenceKind, Sop, Step

_URL = re.compile(r"https?://[^\s)>\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class EvidenceStatus:
    """One evidence item and whether it is present, with what was found or why not."""

    item: Evidence
    present: bool
    found: str = ""
    why: str = ""


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatch(lowered, pattern.lower()) for pattern in patterns)


def urls(issue: Issue) -> list[str]:
    """Links in the description and the notes, in order."""
    texts = [issue.description, *(note.body for note in issue.notes)]
    return [url for text in texts for url in _URL.findall(text)]


def workers(step: Step, request: RequestInput, approving_role: str | None) -> set[str]:
    """People who do the step's work: holders of its roles other than the approving one."""
    return {
        name for role in step.roles if role != approving_role for name in request.people_for(role)
    }


def did_the_work(
    issue: Issue, step: Step, request: RequestInput, approving_role: str | None
) -> set[str]:
    """Whoever did the work a sign-off on ``issue`` approves: never one who may sign it off.

    The holders of the step's working roles, the step's assignees, and whoever uploaded its
    evidence, whatever roles they also hold (separation of duties). Holders of the approving
    role that sop-sync itself assigned (it is one of the step's roles) are there to sign off.
    """
    working = workers(step, request, approving_role)
    # sop-sync assigns every holder of the step's roles, the approving one too: those are
    # there to sign off; anyone else assigned was given the work by people
    signing = set(request.people_for(approving_role)) if approving_role in step.roles else set()
    assigned = {name for name in issue.assignees if name in working or name not in signing}
    uploaders = {attachment.uploaded_by for attachment in issue.attachments}
    return working | assigned | uploaders


def repository_url(issue: Issue, request: RequestInput) -> str:
    """The application's repository: the request's, else the first link on the step."""
    return request.repo or next(iter(urls(issue)), "")


def evidence_status(
    issue: Issue,
    step: Step,
    item: Evidence,
    request: RequestInput,
    repos: Mapping[str, RepoStatus] | None = None,
    reviewed: Iterable[tuple[Issue, Step]] = (),
) -> EvidenceStatus:
    """Is ``item`` present on ``issue``, and if not, why.

    ``reviewed`` are the issues (and steps) whose output this step approves: whoever did their
    work cannot sign it off either.
    """
    if item.kind is EvidenceKind.ATTACHMENT:
        patterns = item.patterns or ("*",)  # no pattern: any file counts, as for links
        files = [a.filename for a in issue.attachments if not is_generated(a.filename)]
        hit = next((name for name in files if _matches(name, patterns)), "")  # no unsigned drafts
        return EvidenceStatus(item, bool(hit), hit, "" if hit else "berkas belum dilampirkan")
    if item.kind is EvidenceKind.LINK:
        hit = next((u for u in urls(issue) if _matches(u, item.patterns or ("*",))), "")
        return EvidenceStatus(item, bool(hit), hit, "" if hit else "tautan belum ada")
    if item.kind is EvidenceKind.OPEN_REPOSITORY:
        url = repository_url(issue, request)
        if not url:
            return EvidenceStatus(item, False, why="tautan repositori kode sumber belum ada")
        status = (repos or {}).get(url, RepoStatus(url, RepoState.UNVERIFIABLE))
        ok = status.state is RepoState.OPEN
        why = (
            ""
            if ok
            else f"repositori {status.state.value}"
            + (f" ({status.detail})" if status.detail else "")
        )
        return EvidenceStatus(item, ok, url, why)
    holders = set(request.people_for(item.role)) if item.role else set()
    excluded = did_the_work(issue, step, request, item.role)
    for other_issue, other_step in reviewed:
        excluded |= did_the_work(other_issue, other_step, request, item.role)
    approvals = [
        c.author
        for c in parse_notes(issue.notes)
        if c.verb is Verb.APPROVE and c.author in holders and c.author not in excluded
    ]
    why = "" if approvals else "belum ada /sop setuju dari pemegang peran yang berwenang"
    return EvidenceStatus(item, bool(approvals), approvals[-1] if approvals else "", why)


def uat_step(sop: Sop) -> Step | None:
    """The step whose sign-off opens the gate: the UAT Berita Acara step, else the last sign-off."""
    for step in sop.steps:
        if step.document is DocumentKind.BA_UAT:
            return step
    approvals = [s for s in sop.steps if any(e.kind is EvidenceKind.APPROVAL for e in s.evidence)]
    return approvals[-1] if approvals else None
