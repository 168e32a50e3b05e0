"""``/sop buka <sop-id>``: open a request from an issue written with the request template.

The use case the service runs for the command (a note on an issue sop-sync does not own, or
the command in that issue's description). It reads the issue through the connection's
:class:`~sop_sync.trackers.base.Discussions`, reads the template's fields
(:mod:`sop_sync.rules.intake`), opens the request as ``sop-sync open`` does
(:func:`~sop_sync.app.requests.build_request`, :func:`~sop_sync.app.requests.converge`), keeps
the source issue's reference in the epic's data (``sumber``) and answers one comment on the
source issue: the epic's link and the schedule, or every problem with its line.

Safe to run again. The answer is tagged with the note it answers (the description's digest
when the command is in the description), so one command is answered once. The request is
found again by its ``sumber``; before that is recorded (a run stopped halfway), by its key:
the candidates ``sop-sync open`` would derive from the title are tried in order, and one
taken by a request with the same SOP and the same fields is this one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sop_sync.app.requestfile import RequestFile
from sop_sync.app.requests import build_request, converge
from sop_sync.app.sops import find_sop, sop_ids
from sop_sync.config import Settings
from sop_sync.errors import InputError, NotFoundError
from sop_sync.model.changes import Ref, SetData, UpdateFields
from sop_sync.model.request import RequestInput, derive_key
from sop_sync.model.text import echo
from sop_sync.model.tracker import Note, RequestSummary, replied_to, text_digest
from sop_sync.render.environment import tanggal
from sop_sync.render.tracker import TrackerTexts
from sop_sync.rules.commands import Verb, parse_note
from sop_sync.rules.intake import Intake, TemplateError, read_template
from sop_sync.schedule.timeline import Schedule, schedule
from sop_sync.sop.model import Sop
from sop_sync.trackers.base import Connection, ForeignIssue, Tracker

SOURCE_KEY = "sumber"
"""Epic data key: the reference of the issue the request was opened from."""
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_CANDIDATES = 50


@dataclass(frozen=True)
class IntakeResult:
    """What ``/sop buka`` did: opened (or found) a request, found problems, or nothing."""

    ref: str
    status: str
    """``opened``, ``unchanged`` (opened before), ``invalid``, ``refused`` (the author may
    not open requests: ``service.openers``), ``failed``, ``answered``
    (this command was answered before) or ``ignored`` (no command to answer)."""
    key: str | None = None
    url: str = ""
    problems: tuple[str, ...] = ()
    commented: bool = False
    """Whether this run posted the answer."""

    def __str__(self) -> str:
        key = f" {self.key}" if self.key else ""
        extra = f" ({len(self.problems)} problems)" if self.problems else ""
        return f"{self.ref}: {self.status}{key}{extra}"


@dataclass(frozen=True)
class _Trigger:
    sop_id: str
    tag: str
    """What the answer names as the comment it answers."""
    author: str = ""
    """Who wrote the command (the tracker's record)."""


def _trigger(issue: ForeignIssue, note_id: str | None) -> _Trigger | None:
    """The ``/sop buka`` to answer: in note ``note_id``.

    Without a note: in the description, else the newest unanswered note holding one.
    """
    if note_id is not None:
        note = next((n for n in issue.notes if n.id == note_id and not n.system), None)
        return _command(note, note_id) if note is not None else None
    described = Note("deskripsi", issue.author, issue.description, EPOCH)
    found = _command(described, f"deskripsi-{text_digest(issue.description)}")
    if found is not None:
        return found
    answered = replied_to(issue.notes)
    for note in reversed(issue.notes):
        found = _command(note, note.id) if not note.system else None
        if found is not None and note.id not in answered:
            return found
    return None


def _command(note: Note, tag: str) -> _Trigger | None:
    for command in parse_note(note):
        if command.verb is Verb.OPEN:
            return _Trigger(command.argument.split(" ", 1)[0].lower(), tag, note.author)
    return None


def may_open(settings: Settings, author: str) -> bool:
    """Whether ``author`` may open a request (``service.openers``; empty: anyone)."""
    allowed = settings.service.openers
    if not allowed:
        return True
    names = {name for entry in allowed for name in settings.people.get(entry, (entry,))}
    return author in names


def _answer_refused(author: str, openers: tuple[str, ...]) -> str:
    """Why ``author`` may not open a request, and who may (Indonesian, then English)."""
    who = ", ".join(openers)
    return (
        f"Permohonan tidak dibuka: {echo(author)} tidak termasuk yang boleh membuka permohonan "
        f"({echo(who)}). Mintalah salah satu dari mereka menulis `/sop buka`.\n\n"
        f"Not opened: {echo(author)} may not open requests here (allowed: {echo(who)})."
    )


def _same(summary: RequestSummary, sop: Sop, intake: Intake) -> bool:
    """Whether an existing request has this SOP and every field the template gives."""
    data = summary.data
    if summary.sop_id != sop.id or data.get("judul", "") != intake.title:
        return False
    try:
        before = RequestInput.from_data(summary.key, data)
    except (KeyError, ValueError):
        return False
    given = [
        (intake.requester, before.requester),
        (intake.start, before.start),
        (intake.repo, before.repo),
    ]
    people = dict(before.people)
    return all(want is None or want == have for want, have in given) and all(
        people.get(role) == names for role, names in intake.people
    )


def choose_key(summaries: list[RequestSummary], sop: Sop, intake: Intake, source: str) -> str:
    """The request's key: the one opened from ``source`` before, else a free one.

    A candidate taken by a request from elsewhere is passed over, so ``/sop buka`` never takes
    over a request someone opened otherwise; an error when the template's ``Kunci`` is taken.
    """
    by_key = {s.key: s for s in summaries}
    earlier = next((s for s in summaries if s.data.get(SOURCE_KEY) == source), None)
    if earlier is not None:
        return earlier.key

    def ours(key: str) -> bool:
        found = by_key.get(key)
        return found is None or (not found.data.get(SOURCE_KEY) and _same(found, sop, intake))

    if intake.key is not None:
        if ours(intake.key):
            return intake.key
        raise InputError(f"kunci {intake.key} sudah dipakai permohonan lain; pilih kunci lain")
    taken: set[str] = set()
    for _ in range(MAX_CANDIDATES):
        candidate = derive_key(intake.title, taken)
        if ours(candidate):
            return candidate
        taken.add(candidate)
    return derive_key(intake.title, set(by_key))


def _answer_opened(
    key: str, url: str, sop: Sop, plan: Schedule, again: bool, failures: list[str]
) -> str:
    verb = "sudah dibuka" if again else "dibuka"
    link = url or f"`sop-sync status {key}`"
    lines = [f"Permohonan `{key}` {verb}: {link}", ""]
    lines += [
        f"- SOP: {echo(sop.name)} (`{sop.id}`)",
        f"- Mulai: {tanggal(plan.start)}",
        f"- Target selesai: {tanggal(plan.end)} ({plan.working_days} hari kerja)",
    ]
    if plan.phases:
        lines += ["", "| Fase | Mulai | Tenggat |", "|---|---|---|"]
        lines += [
            f"| {echo(w.phase.name)} | {tanggal(w.start)} | {tanggal(w.due)} |" for w in plan.phases
        ]
    if failures:
        lines += ["", f"Belum semua berhasil ({len(failures)} gagal):", ""]
        lines += [f"- {echo(failure, 300)}" for failure in failures[:20]]
        lines += ["", "Tulis `/sop buka` lagi setelah masalahnya diatasi."]
    return "\n".join(lines)


def _answer_problems(problems: tuple[str, ...], sop_id: str) -> str:
    command = f"/sop buka {sop_id}" if sop_id else "/sop buka <sop-id>"
    lines = ["Permohonan belum dibuka: isian templat perlu diperbaiki.", ""]
    lines += [f"- {problem}" for problem in problems]
    lines += ["", f"Perbaiki deskripsi isu ini, lalu tulis `{command}` lagi."]
    return "\n".join(lines)


def _find_sop(settings: Settings, sop_id: str) -> Sop:
    known = ", ".join(sop_ids(settings.mappings_dir)) or "—"
    if not sop_id:
        raise InputError(f"tulis id SOP sesudah perintah: `/sop buka <sop-id>` (SOP: {known})")
    try:
        return find_sop(settings.mappings_dir, sop_id)
    except NotFoundError:
        raise InputError(f'SOP "{echo(sop_id, 40)}" tidak dikenal (SOP: {known})') from None


def _prepare(
    settings: Settings,
    tracker: Tracker,
    summaries: list[RequestSummary],
    issue: ForeignIssue,
    sop_id: str,
) -> tuple[Sop, RequestInput]:
    """The SOP and the checked request the issue asks for (errors name what to fix)."""
    sop = _find_sop(settings, sop_id)
    intake = read_template(issue.description, sop)
    form = RequestFile.model_validate(
        {
            "judul": intake.title,
            "kunci": choose_key(summaries, sop, intake, issue.ref),
            "pemohon": intake.requester,
            "mulai": intake.start,
            "peran": dict(intake.people),
            "repo": intake.repo,
        }
    )
    return sop, build_request(sop, settings, tracker, form, ())


def _record_source(tracker: Tracker, key: str, source: str) -> str:
    """Keep ``source`` in the epic's data; the epic's URL."""
    epic = tracker.observe(key, history=False).epic
    if epic is None:
        return ""
    if epic.data.get(SOURCE_KEY) != source:
        data = {**epic.data, SOURCE_KEY: source}
        tracker.apply(UpdateFields(Ref(key), (SetData(tuple(data.items())),)))
    return epic.web_url


def open_from_issue(
    connection: Connection, settings: Settings, ref: str, note_id: str | None
) -> IntakeResult:
    """Answer ``/sop buka`` on issue ``ref`` (in note ``note_id``, else in the description).

    Tracker errors while reading or writing propagate (the caller retries); everything the
    person wrote wrong is answered on the issue.
    """
    discussions = connection.discussions
    if discussions is None:
        raise InputError("this tracker has no issues to open a request from: use `sop-sync open`")
    issue = discussions.read(ref)
    if issue.request_key is not None:  # sop-sync's own issue: commands there are the rules'
        return IntakeResult(issue.ref, "ignored", issue.request_key)
    trigger = _trigger(issue, note_id)
    if trigger is None:
        return IntakeResult(issue.ref, "ignored")
    tracker = connection.tracker
    summaries = tracker.requests()
    earlier = next((s for s in summaries if s.data.get(SOURCE_KEY) == issue.ref), None)
    if any(n.in_reply_to == trigger.tag for n in issue.notes):
        return IntakeResult(issue.ref, "answered", earlier.key if earlier else None)

    def answer(text: str) -> None:
        discussions.comment(issue.ref, text, in_reply_to=trigger.tag)

    if not may_open(settings, trigger.author):
        answer(_answer_refused(trigger.author, settings.service.openers))
        return IntakeResult(issue.ref, "refused", commented=True)
    problems: tuple[str, ...] = ()
    try:
        sop, request = _prepare(settings, tracker, summaries, issue, trigger.sop_id)
    except TemplateError as error:
        problems = tuple(p.describe() for p in error.problems)
    except InputError as error:
        problems = (error.message,)
    if problems:
        answer(_answer_problems(problems, trigger.sop_id))
        return IntakeResult(issue.ref, "invalid", problems=problems, commented=True)
    outcome = converge(tracker, sop, request, settings, TrackerTexts())
    failures = [f"{change.describe()}: {message}" for change, message in outcome.failures]
    url = _record_source(tracker, request.key, issue.ref)
    plan = schedule(
        sop,
        request.start,
        settings.calendar.calendar(),
        dict(request.answers),
        settings.tentative_duration,
    )
    again = earlier is not None or not outcome.applied
    answer(_answer_opened(request.key, url, sop, plan, again, failures))
    status = "failed" if failures else ("unchanged" if again else "opened")
    return IntakeResult(issue.ref, status, request.key, url, tuple(failures), commented=True)
