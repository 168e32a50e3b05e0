"""Decisions, corrections and skips that people ask for in comments, as the rules read them.

Each reader returns what the commands establish and the replies sop-sync owes. A reply names
the note it answers (:attr:`Comment.in_reply_to`, read back as :attr:`Note.in_reply_to`;
each adapter stores it its own way), so running the rules again never answers twice. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sop_sync.model.changes import AddLabels, Change, Close, Comment, Ref, Reopen
from sop_sync.model.labels import CORRECTED, SKIPPED
from sop_sync.model.request import RequestInput
from sop_sync.model.text import echo
from sop_sync.model.tracker import ObservedRequest, replied_to
from sop_sync.rules.commands import KNOWN_COMMANDS, Command, Verb, answer_of, parse_notes
from sop_sync.sop.model import EvidenceKind, Sop, Step


def holders(step: Step, request: RequestInput) -> set[str]:
    """People holding any of the step's roles."""
    return {name for role in step.roles for name in request.people_for(role)}


def role_names(sop: Sop, step: Step) -> str:
    """``Kasi atau Staf``: who may act on the step."""
    return " atau ".join(sop.role(role).name for role in step.roles)


@dataclass(frozen=True)
class Asked:
    """One command written on a step issue, and whether sop-sync has answered it already."""

    step: Step
    ref: Ref
    command: Command
    answered: bool

    def reply(self, text: str) -> Comment:
        """sop-sync's answer to this command, naming the note it answers."""
        return Comment(self.ref, text, in_reply_to=self.command.note_id)


def asked(
    sop: Sop, request: RequestInput, observed: ObservedRequest, verb: Verb
) -> Iterator[Asked]:
    """Every ``verb`` command on the request's step issues, oldest first per step."""
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        if issue is None:
            continue
        replied = replied_to(issue.notes)
        ref = Ref(request.key, step.number)
        for command in parse_notes(issue.notes):
            if command.verb is verb:
                yield Asked(step, ref, command, command.note_id in replied)


def decisions(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> tuple[dict[int, bool], list[Change]]:
    """The latest valid answer of each decision step, and refusals owed."""
    answers: dict[int, bool] = {}
    changes: list[Change] = []
    for a in asked(sop, request, observed, Verb.DECIDE):
        if a.step.decision is None:
            continue
        answer = answer_of(a.command)
        if answer is not None and a.command.author in holders(a.step, request):
            answers[a.step.number] = answer
        elif not a.answered:
            why = (
                "jawaban harus `ya` atau `tidak`"
                if answer is None
                else f"hanya {role_names(sop, a.step)} yang boleh memutuskan"
            )
            changes.append(a.reply(f"Keputusan dari @{a.command.author} ditolak: {why}."))
    return answers, changes


def corrections(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> tuple[dict[int, int], list[Change]]:
    """Valid ``/sop koreksi`` per review step (counted), and the reopenings not yet done."""
    counts: dict[int, int] = {}
    changes: list[Change] = []
    for a in asked(sop, request, observed, Verb.CORRECT):
        step, author = a.step, a.command.author
        if step.correction is None:
            continue
        if author not in holders(step, request):
            if not a.answered:
                who = role_names(sop, step)
                text = f"Koreksi dari @{author} ditolak: hanya {who} yang memeriksa langkah ini."
                changes.append(a.reply(text))
            continue
        counts[step.number] = counts.get(step.number, 0) + 1
        if a.answered:
            continue
        target = Ref(request.key, step.correction.to)
        reason = echo(a.command.argument) or "(tanpa alasan)"
        changes += [
            Reopen(target),
            AddLabels(target, (CORRECTED,)),
            Comment(target, f"Dikoreksi pada langkah {step.number} oleh @{author}: "
                    f"{reason}\n\nKoreksi ke-{counts[step.number]}."),
            a.reply(f"Koreksi diteruskan ke langkah {step.correction.to} "
                    f"(koreksi ke-{counts[step.number]})."),
        ]  # fmt: skip
    return counts, changes


def skip_requests(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> tuple[set[int], list[Change]]:
    """``/sop lewati <alasan>``: honoured only where the SOP allows it, from the step's role."""
    skipped: set[int] = set()
    changes: list[Change] = []
    for a in asked(sop, request, observed, Verb.SKIP):
        step, author = a.step, a.command.author
        allowed = step.skippable and author in holders(step, request)
        if allowed:
            skipped.add(step.number)
        if a.answered:
            continue
        if allowed:
            reason = echo(a.command.argument) or "(tanpa alasan)"
            changes += [
                AddLabels(a.ref, (SKIPPED,)),
                Close(a.ref),
                a.reply(f"Dilewati atas permintaan @{author}: {reason}"),
            ]
        else:
            why = (
                "SOP tidak mengizinkan langkah ini dilewati"
                if not step.skippable
                else f"hanya {role_names(sop, step)} yang boleh melewatinya"
            )
            changes.append(a.reply(f"Permintaan lewati ditolak: {why}."))
    return skipped, changes


def _misplaced_why(step: Step, command: Command) -> str | None:
    """Why a command does not belong on this step (None when it does)."""
    verb = command.verb
    if verb is Verb.UNKNOWN:
        return (
            f"perintah `/sop {command.word}` tidak dikenal. Perintah yang dikenal: {KNOWN_COMMANDS}"
        )
    if verb is Verb.DECIDE and step.decision is None:
        return "langkah ini bukan langkah keputusan"
    if verb is Verb.CORRECT and step.correction is None:
        return "langkah ini tidak memeriksa langkah lain, jadi tidak dapat mengoreksi"
    approves = step.correction is not None or any(
        e.kind is EvidenceKind.APPROVAL for e in step.evidence
    )
    if verb is Verb.APPROVE and not approves:
        return "langkah ini tidak memerlukan persetujuan"
    if verb is Verb.OPEN:
        return "`/sop buka` membuka permohonan dari isu templat permohonan, bukan dari isu langkah"
    return None


def misplaced(sop: Sop, request: RequestInput, observed: ObservedRequest) -> list[Change]:
    """One answer to each command that is mistyped or not one this step takes."""
    changes: list[Change] = []
    for verb in Verb:
        if verb is Verb.SKIP:
            continue  # refused with its reason by skip_requests
        for a in asked(sop, request, observed, verb):
            why = _misplaced_why(a.step, a.command)
            if why is not None and not a.answered:
                changes.append(a.reply(f"Perintah dari @{a.command.author} diabaikan: {why}."))
    return changes
