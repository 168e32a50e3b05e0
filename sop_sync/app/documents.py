"""Produce a request's paperwork: number it once, assemble it, write the files, attach them.

The use case behind ``sop-sync dokumen``, and behind the reconcile (``check --fix`` and the
service): :func:`attach_due_documents` makes a document when its producing step closes and
when ``/sop dokumen <jenis>`` asks (:mod:`sop_sync.documents.due` decides which). The content
is assembled by the pure :mod:`sop_sync.documents`; this module only reads the tracker,
keeps the number in the epic's data and applies the attachments: the current version is
attached, then the earlier versions are detached, one file per document and format.

A request opened with ``/sop buka`` names its source issue in the epic's data (``sumber``):
that issue's description (the request template the analyst filled in) is read through the
connection's :class:`~sop_sync.trackers.base.Discussions` and its sections given to the
assembly too, under the epic's own. The epic's comments come through the discussions as well
(:func:`with_epic_comments`): GitLab's observation does not read them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.app.intake import SOURCE_KEY
from sop_sync.app.requests import existing_request, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.documents.blocks import Document, text_of
from sop_sync.documents.due import documents_asked, due_on_close, made_reply
from sop_sync.documents.files import AttachPlan, file_name, plan_attachments
from sop_sync.documents.numbering import give_number, keep_number, numbered
from sop_sync.documents.settings import DocumentSettings
from sop_sync.errors import NotFoundError, SopSyncError, TrackerUnavailableError
from sop_sync.model.changes import Detach, SetData
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest, State
from sop_sync.rules.evaluate import Evaluation
from sop_sync.schedule.timeline import schedule
from sop_sync.sop.model import DocumentKind, Sop
from sop_sync.trackers.base import Connection, Discussions, Tracker


@dataclass
class Produced:
    """One document made: its content, its files, what was attached and what is missing."""

    document: Document
    files: dict[str, bytes]
    """File name -> bytes, one per format asked for."""
    new_number: bool = False
    """The number was given by this run (and kept in the epic's data)."""
    attached: AttachPlan | None = None
    outcome: Outcome | None = None
    held_back: bool = False
    """Not attached although asked: data is missing and ``strict`` was given."""
    source_problem: str | None = None
    """Why the issue the request was opened from (``sumber``) could not be read."""

    @property
    def missing(self) -> tuple[str, ...]:
        """What the document shows as ``[belum diisi: ...]``."""
        return self.document.missing

    @property
    def detached(self) -> list[Detach]:
        """The earlier versions removed from the step by this run."""
        applied = self.outcome.applied if self.outcome is not None else []
        return [change for change in applied if isinstance(change, Detach)]

    @property
    def number(self) -> str:
        """The document's number (``001/BA-UAT/XI/2026``)."""
        return text_of(self.document.number).removeprefix("NOMOR:").strip()


def _numbered(
    tracker: Tracker,
    observed: ObservedRequest,
    kind: DocumentKind,
    pattern: str,
    today: dt.date,
) -> tuple[ObservedRequest, bool]:
    """The observed request with the document's number in its epic data (given now if new)."""
    epic = observed.epic
    if epic is None:
        raise NotFoundError(f"no request {observed.key!r} in this tracker")
    if numbered(epic.data, kind) is not None:
        return observed, False
    others = [s.data for s in tracker.requests() if s.key != observed.key]
    given = give_number(kind, observed.key, pattern, today, others)
    change = keep_number(observed.key, epic.data, kind, given)
    tracker.apply(change)
    data = next(u for u in change.fields if isinstance(u, SetData)).value
    return dataclasses.replace(observed, epic=dataclasses.replace(epic, data=dict(data))), True


def with_epic_comments(
    observed: ObservedRequest, discussions: Discussions | None
) -> ObservedRequest:
    """The observed request with its epic's comments, which the sections may be written in.

    Read through the discussions (GitLab: one call; Jira's observation has them); without
    discussions (the local tracker, whose observation has them too) as observed.
    """
    epic = observed.epic
    if epic is None or discussions is None:
        return observed
    notes = discussions.request_comments(epic)
    return dataclasses.replace(observed, epic=dataclasses.replace(epic, notes=notes))


def source_texts(
    data: dict[str, str], discussions: Discussions | None
) -> tuple[tuple[str, ...], str | None]:
    """The description of the issue the request was opened from, and why it is missing.

    Nothing without a ``sumber`` in the epic's data or without discussions (the local
    tracker). An issue gone or hidden is reported, not fatal: its sections then show as
    missing; a tracker that cannot be reached stops the run (the caller retries).
    """
    ref = data.get(SOURCE_KEY, "")
    if not ref or discussions is None:
        return (), None
    try:
        issue = discussions.read(ref)
    except TrackerUnavailableError:
        raise
    except SopSyncError as error:
        return (), f"issue sumber {ref} tidak terbaca: {error.message}"
    return (issue.description,), None


def produce(
    tracker: Tracker,
    settings: Settings,
    documents: DocumentSettings,
    kind: DocumentKind,
    key: str,
    formats: Sequence[str],
    today: dt.date,
    *,
    attach: bool = False,
    strict: bool = False,
    discussions: Discussions | None = None,
) -> Produced:
    """Make document ``kind`` of request ``key`` in ``formats``; attach it when asked.

    ``documents`` is the ``documents`` section of the settings; ``discussions`` reads the
    comments on the request's epic and its source issue (``sumber``) when it was opened with
    ``/sop buka``.
    The number is given on the first run and kept in the epic's data; later runs reuse it.
    Attaching adds only files the producing step does not have byte for byte, then detaches
    the earlier versions of each format whose current file is there; with ``strict``, a
    document with missing data is not attached.
    """
    # assembling loads num2words and the templates: only when a document is made (the
    # reconcile imports this module on every `check --fix`)
    from sop_sync.documents.assemble import assemble
    from sop_sync.documents.context import target_step
    from sop_sync.documents.writers import write

    summary = existing_request(tracker, key)
    if summary is None:
        raise NotFoundError(f"no request {key!r} in this tracker")
    request = request_of(summary)
    sop = find_sop(settings.mappings_dir, request.sop_id)
    plan = schedule(
        sop,
        request.start,
        settings.calendar.calendar(),
        dict(request.answers),
        settings.tentative_duration,
    )
    observed = tracker.observe(key, history=True)
    target_step(sop, kind, observed, plan)  # an SOP that does not produce it: before numbering
    observed, new = _numbered(tracker, observed, kind, documents.pattern(kind), today)
    observed = with_epic_comments(observed, discussions)
    source, problem = source_texts(observed.epic.data if observed.epic else {}, discussions)
    document = assemble(kind, observed, sop, plan, documents, today, source)
    by_format = {fmt: write(document, fmt, documents.templates) for fmt in formats}
    produced = Produced(
        document,
        {file_name(document, fmt): content for fmt, content in by_format.items()},
        new,
        source_problem=problem,
    )
    if attach and strict and document.missing:
        produced.held_back = True
    elif attach:
        issue = observed.steps.get(document.step or 0)
        if issue is None:
            raise NotFoundError(
                f"request {key!r} has no issue for step {document.step} yet: run `sop-sync sync`"
            )
        attaching = produced.attached = plan_attachments(document, issue, by_format)
        outcome = apply_changes(tracker, attaching.changes, Outcome(key))
        failed = [getattr(change, "filename", "") for change, _ in outcome.failures]
        produced.outcome = apply_changes(tracker, attaching.detach_after(failed), outcome)
    return produced


@dataclass(frozen=True)
class Generated:
    """One document the reconcile made by itself, and why."""

    kind: DocumentKind
    why: str
    """``langkah 10 selesai`` or ``/sop dokumen dari @sari``."""
    made: Produced | None = None
    error: str | None = None
    """Why it could not be made or attached (the next run tries again)."""

    @property
    def missing(self) -> tuple[str, ...]:
        """What the document still shows as ``[belum diisi: ...]``."""
        return self.made.missing if self.made is not None else ()

    def describe(self) -> str:
        """One line for ``check --fix``."""
        if self.made is None:
            return f"{self.kind.value} ({self.why}): tidak dibuat — {self.error}"
        made = self.made
        step = made.document.step
        names = [c.filename for c in made.attached.changes] if made.attached else []
        line = f"{self.kind.value} {made.number} ({self.why}) → langkah {step}: "
        line += ", ".join(names) if names else "tidak berubah (sudah terlampir)"
        if made.detached:
            line += f"; {len(made.detached)} versi lama dilepas"
        if made.missing:
            line += f"; belum diisi: {', '.join(made.missing)}"
        if made.source_problem:
            line += f"; {made.source_problem}"
        if made.outcome is not None and made.outcome.failures:
            line += f"; gagal: {'; '.join(m for _, m in made.outcome.failures)}"
        return line


def attach_due_documents(
    connection: Connection,
    settings: Settings,
    sop: Sop,
    request: RequestInput,
    observed: ObservedRequest,
    final: Evaluation,
    today: dt.date | None = None,
) -> list[Generated]:
    """Make and attach the documents due now; answer ``/sop dokumen`` commands (once each).

    ``observed`` is the request as the reconcile read it (its attachments and notes: fixes
    change neither) and ``final`` the rules' verdicts after the fixes, which say which steps
    are closed within the SOP. Nothing is read or written when nothing is due. Missing data
    never blocks: the document is attached with ``[belum diisi: ...]`` and the gaps listed.
    A document that cannot be made (no issue for its step yet, a tracker error) is reported
    and tried again next run; a command is answered only once its document is attached.
    """
    day = today or dt.date.today()
    settled = {
        v.number for v in final.verdicts if v.state is State.CLOSED and not v.skipped
        and not v.reasons
    }  # fmt: skip
    done: list[Generated] = []
    for kind in due_on_close(sop, observed, settled):
        closed = sorted(s.number for s in sop.steps if s.document is kind and s.number in settled)
        done.append(
            _make(connection, settings, kind, request.key, f"langkah {closed[0]} selesai", day)
        )
    tracker = connection.tracker
    for wish in documents_asked(sop, request, observed):
        author = wish.asked.command.author
        if wish.refusal is not None or wish.kind is None:
            apply_changes(tracker, [wish.asked.reply(wish.refusal or "")], Outcome(request.key))
            continue
        made = _make(
            connection, settings, wish.kind, request.key, f"/sop dokumen dari @{author}", day
        )
        done.append(made)
        if made.made is None or (made.made.outcome is not None and made.made.outcome.failures):
            continue  # answered once it is attached: the next run tries again
        produced = made.made
        plan = produced.attached
        reply = made_reply(
            wish.kind,
            produced.number,
            produced.document.step,
            [c.filename for c in plan.changes] if plan else [],
            plan.present if plan else (),
            len(produced.detached),
            produced.missing,
        )
        apply_changes(tracker, [wish.asked.reply(reply)], Outcome(request.key))
    return done


def _make(
    connection: Connection,
    settings: Settings,
    kind: DocumentKind,
    key: str,
    why: str,
    today: dt.date,
) -> Generated:
    """One document made and attached in the settings' formats; an error is reported."""
    documents = settings.documents
    try:
        made = produce(
            connection.tracker, settings, documents, kind, key, documents.lampiran, today,
            attach=True, discussions=connection.discussions,
        )  # fmt: skip
    except TrackerUnavailableError:
        raise
    except SopSyncError as error:
        return Generated(kind, why, error=error.message)
    return Generated(kind, why, made)
