"""Decisions, corrections and skips that people ask for in comments, as the rules read them.

Each reader returns what the commands establish and the replies sop-sync owes. A reply names
the note it answers (:attr:`Comment.in_reply_to`, read back as :attr:`Note.in_reply_to`;
each adapter stores it its own way), so running the rules again never answers twice. Pure.
"""

from __future__ import annotations

from sop_sync.model.changes import AddLabels, Change, Close, Comment, Ref, Reopen
from sop_sync.model.labels import CORRECTED, SKIPPED
from sop_sync.model.request import RequestInput
from sop_sync.model.text import echo
from sop_sync.model.tracker import Issue, ObservedRequest
from sop_sync.rules.commands import Command, Verb, answer_of, parse_notes
from sop_sync.sop.model import Sop, Step


def holders(step: Step, request: RequestInput) -> set[str]:
    """People holding any of the step's roles."""
    return {name for role in step.roles for name in request.people_for(role)}


def _replied(issue: Issue | None) -> set[str]:
    if issue is None:
        return set()
    return {note.in_reply_to for note in issue.notes if note.in_reply_to}


def _reply(ref: Ref, command: Command, text: str) -> Comment:
    return Comment(ref, text, in_reply_to=command.note_id)


def decisions(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> tuple[dict[int, bool], list[Change]]:
    """The latest valid answer of each decision step, and refusals owed."""
    answers: dict[int, bool] = {}
    changes: list[Change] = []
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        if step.decision is None or issue is None:
            continue
        replied = _replied(issue)
        allowed = holders(step, request)
        for command in parse_notes(issue.notes):
            if command.verb is not Verb.DECIDE:
                continue
            answer = answer_of(command)
            ref = Ref(request.key, step.number)
            if answer is not None and command.author in allowed:
                answers[step.number] = answer
            elif command.note_id not in replied:
                why = (
                    "jawaban harus `ya` atau `tidak`"
                    if answer is None
                    else f"hanya {role_names(sop, step)} yang boleh memutuskan"
                )
                changes.append(
                    _reply(ref, command, f"Keputusan dari @{command.author} ditolak: {why}.")
                )
    return answers, changes


def role_names(sop: Sop, step: Step) -> str:
    """``Kasi atau Staf``: who may act on the step."""
    return " atau ".join(sop.role(role).name for role in step.roles)


def corrections(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> tuple[dict[int, int], list[Change]]:
    """Valid ``/sop koreksi`` per review step (counted), and the reopenings not yet done."""
    counts: dict[int, int] = {}
    changes: list[Change] = []
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        if step.correction is None or issue is None:
            continue
        replied = _replied(issue)
        allowed = holders(step, request)
        target = Ref(request.key, step.correction.to)
        for command in parse_notes(issue.notes):
            if command.verb is not Verb.CORRECT:
                continue
            here = Ref(request.key, step.number)
            if command.author not in allowed:
                if command.note_id not in replied:
                    changes.append(
                        _reply(here, command, f"Koreksi dari @{command.author} ditolak: hanya "
                               f"{role_names(sop, step)} yang memeriksa langkah ini.")
                    )  # fmt: skip
                continue
            counts[step.number] = counts.get(step.number, 0) + 1
            if command.note_id in replied:
                continue
            reason = echo(command.argument) or "(tanpa alasan)"
            changes += [
                Reopen(target),
                AddLabels(target, (CORRECTED,)),
                Comment(target, f"Dikoreksi pada langkah {step.number} oleh @{command.author}: "
                        f"{reason}\n\nKoreksi ke-{counts[step.number]}."),
                _reply(here, command, f"Koreksi diteruskan ke langkah {step.correction.to} "
                       f"(koreksi ke-{counts[step.number]})."),
            ]  # fmt: skip
    return counts, changes


def skip_requests(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> tuple[set[int], list[Change]]:
    """``/sop lewati <alasan>``: honoured only where the SOP allows it, from the step's role."""
    skipped: set[int] = set()
    changes: list[Change] = []
    for step in sop.steps:
        issue = observed.steps.get(step.number)
        if issue is None:
            continue
        replied = _replied(issue)
        ref = Ref(request.key, step.number)
        for command in parse_notes(issue.notes):
            if command.verb is not Verb.SKIP:
                continue
            allowed = step.skippable and command.author in holders(step, request)
            if allowed:
                skipped.add(step.number)
            if command.note_id in replied:
                continue
            if allowed:
                reason = echo(command.argument) or "(tanpa alasan)"
                changes += [
                    AddLabels(ref, (SKIPPED,)),
                    Close(ref),
                    _reply(ref, command, f"Dilewati atas permintaan @{command.author}: {reason}"),
                ]
            else:
                why = (
                    "SOP tidak mengizinkan langkah ini dilewati"
                    if not step.skippable
                    else f"hanya {role_names(sop, step)} yang boleh melewatinya"
                )
                changes.append(_reply(ref, command, f"Permintaan lewati ditolak: {why}."))
    return skipped, changes
