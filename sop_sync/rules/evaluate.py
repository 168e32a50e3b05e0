"""The SOP's rules over an observed request: verdicts, and the changes that restore order.

Pure (DESIGN.md "Rules"): order, decisions, corrections, evidence, sign-off. Everything
sop-sync says goes into comments in Bahasa Indonesia naming exactly what is missing. Commands
people wrote are read in :mod:`sop_sync.rules.decisions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sop_sync.model.changes import AddLabels, Change, Close, Comment, Ref, RemoveLabels, Reopen
from sop_sync.model.labels import CORRECTED, SKIPPED, WAITING
from sop_sync.model.request import RequestInput
from sop_sync.model.text import shorten
from sop_sync.model.tracker import (
    Issue,
    ObservedRequest,
    RepoStatus,
    State,
    last_close,
    replied_to,
)
from sop_sync.rules.closing import ClosingPolicy, closing_reason
from sop_sync.rules.decisions import corrections, decisions, misplaced, skip_requests
from sop_sync.rules.evidence import EvidenceStatus, evidence_status
from sop_sync.rules.outcome_labels import answer_labels, sign_off_label
from sop_sync.sop.flow import ancestors, predecessors, reachable
from sop_sync.sop.model import Sop, Step


@dataclass(frozen=True)
class StepVerdict:
    """One step: may it be closed (or stay closed), and if not, why."""

    number: int
    title: str
    state: State | None
    skipped: bool
    reasons: tuple[str, ...] = ()
    evidence: tuple[EvidenceStatus, ...] = ()

    @property
    def violated(self) -> bool:
        """Closed against the rules."""
        return bool(self.reasons) and self.state is State.CLOSED


@dataclass(frozen=True)
class Evaluation:
    """The verdicts of a request and the changes that restore the SOP."""

    answers: dict[int, bool]
    skipped: frozenset[int]
    corrections: dict[int, int]
    verdicts: tuple[StepVerdict, ...]
    changes: tuple[Change, ...] = field(default=())

    @property
    def violated(self) -> bool:
        """True when any step is closed against the rules."""
        return any(verdict.violated for verdict in self.verdicts)

    def verdict(self, number: int) -> StepVerdict:
        """The verdict of step ``number``."""
        return next(v for v in self.verdicts if v.number == number)


def step_label(step: Step) -> str:
    """``07 · kegiatan`` cut to 60 characters: how comments and verdicts name a step."""
    return f"{step.number:02d} · {shorten(step.activity, 60)}"


def evaluate(
    sop: Sop,
    request: RequestInput,
    observed: ObservedRequest,
    repos: Mapping[str, RepoStatus] | None = None,
    closing: ClosingPolicy | None = None,
) -> Evaluation:
    """Verdict per step and the corrective changes, from the observed request alone."""
    policy = closing if closing is not None else ClosingPolicy()
    answers, changes = decisions(sop, request, observed)
    counts, correction_changes = corrections(sop, request, observed)
    manual, skip_changes = skip_requests(sop, request, observed)
    changes += correction_changes + skip_changes + misplaced(sop, request, observed)
    live = reachable(sop, answers)
    labels = {step.number: step_label(step) for step in sop.steps}
    flow = _Flow(live, predecessors(sop, live), labels)
    skipped = frozenset(s.number for s in sop.steps if s.number not in live)
    verdicts: list[StepVerdict] = []
    evidence_of: dict[int, tuple[EvidenceStatus, ...]] = {}
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        ref = Ref(request.key, step.number)
        title = labels[step.number]
        if issue is None:
            verdicts.append(StepVerdict(step.number, title, None, step.number in skipped))
            continue
        if step.number in skipped or step.number in manual:
            verdicts.append(StepVerdict(step.number, title, issue.state, True))
            if step.number in skipped:
                changes += _skip(sop, step, issue, ref, answers)
            continue
        back_on_path = SKIPPED in issue.labels  # the answer changed: the branch is live again
        if back_on_path:
            changes += [
                Reopen(ref),
                RemoveLabels(ref, (SKIPPED,)),
                Comment(ref, "Keputusan berubah: langkah ini dibuka kembali."),
            ]
        reviewed = _reviewed(sop, step, observed)
        evidence = tuple(
            evidence_status(issue, step, item, request, repos, reviewed) for item in step.evidence
        )
        evidence_of[step.number] = evidence
        reasons = _reasons(sop, step, observed, answers, flow, evidence)
        wrong_closer = closing_reason(sop, step, issue, request, policy)
        if wrong_closer is not None:
            reasons = (*reasons, wrong_closer)
        if back_on_path and issue.state is State.CLOSED:
            reasons = (*reasons, "ditutup sebagai dilewati, tetapi keputusan kini melewatinya")
        verdicts.append(StepVerdict(step.number, title, issue.state, False, reasons, evidence))
        if back_on_path:
            continue  # reopened above, with its own comment
        if issue.state is State.CLOSED and reasons:
            missing_evidence = any(not e.present for e in evidence)
            # the comment first, tagged with the close it answers, then the reopen: a run cut
            # short between the two, re-run, reopens without saying it twice
            tag = close_tag(issue)
            if tag is None or tag not in replied_to(issue.notes):
                changes.append(Comment(ref, _violation_text(reasons), in_reply_to=tag))
            changes.append(Reopen(ref))
            if missing_evidence and WAITING not in issue.labels:
                changes.append(AddLabels(ref, (WAITING,)))
        elif issue.state is State.CLOSED and (WAITING in issue.labels or CORRECTED in issue.labels):
            changes.append(RemoveLabels(ref, tuple(sorted({WAITING, CORRECTED} & issue.labels))))
    changes += answer_labels(sop, request.key, observed.steps, answers)
    changes += sign_off_label(sop, request.key, observed.steps, evidence_of)
    return Evaluation(answers, skipped, counts, tuple(verdicts), tuple(changes))


def _reviewed(sop: Sop, step: Step, observed: ObservedRequest) -> list[tuple[Issue, Step]]:
    """The steps a review step approves (from its koreksi target up to it), with their issues."""
    if step.correction is None:
        return []
    return [
        (issue, other)
        for other in sop.steps
        if step.correction.to <= other.number < step.number
        and (issue := observed.steps.get(other.number)) is not None
    ]


def _skip(
    sop: Sop, step: Step, issue: Issue, ref: Ref, answers: Mapping[int, bool]
) -> list[Change]:
    if issue.state is State.CLOSED and SKIPPED in issue.labels:
        return []
    decided = [n for n in sorted(answers) if step.number in _branch_of(sop, n, not answers[n])]
    why = (
        f"keputusan pada langkah {decided[0]}: {'Ya' if answers[decided[0]] else 'Tidak'}"
        if decided
        else "cabang ini tidak diambil"
    )
    changes: list[Change] = [AddLabels(ref, (SKIPPED,))]
    if issue.state is State.OPEN:
        changes += [Comment(ref, f"Langkah ini dilewati ({why})."), Close(ref)]
    return changes


def _branch_of(sop: Sop, decision: int, answer: bool) -> frozenset[int]:
    step = sop.step(decision)
    assert step.decision is not None  # noqa: S101 - only decisions have answers
    target = step.decision.yes if answer else step.decision.no
    return frozenset({target}) if isinstance(target, int) else frozenset()


@dataclass(frozen=True)
class _Flow:
    """What every step's verdict reads about the SOP: computed once per evaluation."""

    live: frozenset[int]
    parents: dict[int, set[int]]
    labels: dict[int, str]


def _reasons(
    sop: Sop,
    step: Step,
    observed: ObservedRequest,
    answers: Mapping[int, bool],
    flow: _Flow,
    evidence: tuple[EvidenceStatus, ...],
) -> tuple[str, ...]:
    reasons: list[str] = []
    open_before = [
        n
        for n in sorted(ancestors(sop, step.number, flow.live, flow.parents))
        if (issue := observed.steps.get(n)) is None or issue.state is not State.CLOSED
    ]
    if open_before:
        names = ", ".join(flow.labels[n] for n in open_before)
        reasons.append(f"langkah sebelumnya belum selesai: {names}")
    if step.decision is not None and step.number not in answers:
        reasons.append(
            "keputusan belum dijawab: tulis `/sop keputusan ya` atau `/sop keputusan tidak`"
        )
    for item in evidence:
        if not item.present:
            reasons.append(f"bukti belum lengkap: {item.item.name} — {item.why}")
    return tuple(reasons)


def _violation_text(reasons: tuple[str, ...]) -> str:
    lines = "\n".join(f"- {reason}" for reason in reasons)
    return f"Langkah ini dibuka kembali oleh sop-sync karena belum memenuhi SOP:\n\n{lines}"


def close_tag(issue: Issue) -> str | None:
    """``tutup-<epoch ms>`` of the issue's last close (what a reopen comment answers)."""
    close = last_close(issue)
    return f"tutup-{int(close.at.timestamp() * 1000)}" if close is not None else None
