"""Produce a request's paperwork: number it once, assemble it, write the files, attach them.

The use case behind ``sop-sync dokumen`` (and, next, ``/sop dokumen`` in the service and
``check --fix`` when a producing step closes). The content is assembled by the pure
:mod:`sop_sync.documents`; this module only reads the tracker, keeps the number in the
epic's data and applies the attachments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.app.requests import existing_request, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.documents.assemble import assemble
from sop_sync.documents.blocks import Document
from sop_sync.documents.context import target_step
from sop_sync.documents.files import AttachPlan, file_name, plan_attachments
from sop_sync.documents.numbering import give_number, keep_number, numbered
from sop_sync.documents.settings import DocumentSettings
from sop_sync.documents.writers import write
from sop_sync.errors import NotFoundError
from sop_sync.model.changes import SetData
from sop_sync.model.tracker import ObservedRequest
from sop_sync.schedule.timeline import schedule
from sop_sync.sop.model import DocumentKind
from sop_sync.trackers.base import Tracker


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

    @property
    def missing(self) -> tuple[str, ...]:
        """What the document shows as ``[belum diisi: ...]``."""
        return self.document.missing


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
) -> Produced:
    """Make document ``kind`` of request ``key`` in ``formats``; attach it when asked.

    ``documents`` is the ``documents`` section of the settings.
    The number is given on the first run and kept in the epic's data; later runs reuse it.
    Attaching adds only files the producing step does not have byte for byte; with
    ``strict``, a document with missing data is not attached.
    """
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
    document = assemble(kind, observed, sop, plan, documents, today)
    by_format = {fmt: write(document, fmt, documents.templates) for fmt in formats}
    produced = Produced(
        document, {file_name(document, fmt): content for fmt, content in by_format.items()}, new
    )
    if attach and strict and document.missing:
        produced.held_back = True
    elif attach:
        issue = observed.steps.get(document.step or 0)
        if issue is None:
            raise NotFoundError(
                f"request {key!r} has no issue for step {document.step} yet: run `sop-sync sync`"
            )
        produced.attached = plan_attachments(document, issue, by_format)
        produced.outcome = apply_changes(tracker, produced.attached.changes, Outcome(key))
    return produced
