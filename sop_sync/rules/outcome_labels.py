"""Labels that make answers and sign-offs visible and filterable in the tracker.

A decision step carries ``keputusan::ya`` or ``keputusan::tidak`` once answered; the UAT step
carries ``uat::disetujui`` once every sign-off it needs is there. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from sop_sync.model.changes import AddLabels, Change, Ref, RemoveLabels
from sop_sync.model.labels import ANSWER_NO, ANSWER_YES, SIGNED_OFF
from sop_sync.model.tracker import Issue
from sop_sync.rules.evidence import EvidenceStatus, uat_step
from sop_sync.sop.model import EvidenceKind, Sop


def _want(ref: Ref, issue: Issue, present: set[str], absent: set[str]) -> list[Change]:
    changes: list[Change] = []
    missing = sorted(present - issue.labels)
    stale = sorted(absent & issue.labels)
    if missing:
        changes.append(AddLabels(ref, tuple(missing)))
    if stale:
        changes.append(RemoveLabels(ref, tuple(stale)))
    return changes


def answer_labels(
    sop: Sop, key: str, steps: Mapping[int, Issue], answers: Mapping[int, bool]
) -> list[Change]:
    """``keputusan::ya|tidak`` on each answered decision step, the other answer's label off."""
    changes: list[Change] = []
    for number, answer in sorted(answers.items()):
        issue = steps.get(number)
        if issue is not None:
            on, off = (ANSWER_YES, ANSWER_NO) if answer else (ANSWER_NO, ANSWER_YES)
            changes += _want(Ref(key, number), issue, {on}, {off})
    return changes


def sign_off_label(
    sop: Sop,
    key: str,
    steps: Mapping[int, Issue],
    evidence: Mapping[int, tuple[EvidenceStatus, ...]],
) -> list[Change]:
    """``uat::disetujui`` on the UAT step exactly while all its sign-offs are present."""
    step = uat_step(sop)
    issue = steps.get(step.number) if step else None
    if step is None or issue is None:
        return []
    approvals = [e for e in evidence.get(step.number, ()) if e.item.kind is EvidenceKind.APPROVAL]
    signed = bool(approvals) and all(e.present for e in approvals)
    ref = Ref(key, step.number)
    return (
        _want(ref, issue, {SIGNED_OFF}, set()) if signed else _want(ref, issue, set(), {SIGNED_OFF})
    )
