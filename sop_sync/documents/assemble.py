"""The data step: one document of one request, from the tracker's data. Pure.

``assemble(kind, observed, sop, schedule, settings, today, source)`` -> :class:`Document`
(``source``: the texts of the issue the request was opened from, read by the caller). Which
builder makes which document is the table :data:`BUILDERS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sop_sync.documents import berita_acara, kak
from sop_sync.documents.blocks import Block, Document, plain
from sop_sync.documents.context import Context, context
from sop_sync.documents.numbering import numbered
from sop_sync.documents.settings import DocumentSettings
from sop_sync.model.tracker import ObservedRequest
from sop_sync.schedule.timeline import Schedule
from sop_sync.sop.model import DocumentKind, Sop

Builder = Callable[[Context], tuple[tuple[str, ...], tuple[Block, ...]]]

BUILDERS: dict[DocumentKind, Builder] = {
    DocumentKind.KAK: kak.build,
    DocumentKind.BA_AGREEMENT: berita_acara.agreement,
    DocumentKind.BA_UAT: berita_acara.uat,
    DocumentKind.BA_HANDOVER: berita_acara.handover,
}
"""Every document kind and the function that writes its content."""

NAMES: dict[DocumentKind, str] = {
    DocumentKind.KAK: "Kerangka Acuan Kerja",
    DocumentKind.BA_AGREEMENT: "Berita Acara Kesepakatan",
    DocumentKind.BA_UAT: "Berita Acara Hasil UAT",
    DocumentKind.BA_HANDOVER: "Berita Acara Serah Terima",
}


def assemble(
    kind: DocumentKind,
    observed: ObservedRequest,
    sop: Sop,
    schedule: Schedule,
    settings: DocumentSettings,
    today: dt.date,
    source: Sequence[str] = (),
) -> Document:
    """Document ``kind`` of the observed request; what is missing shows and is listed.

    ``source``: the request template's text when the request was opened from an issue
    (``/sop buka``); its sections count where the epic has none of the same name.
    """
    ctx = context(kind, observed, sop, schedule, settings, today, source)
    letterhead = ctx.letterhead()
    given = numbered(observed.epic.data if observed.epic else {}, kind)
    number = plain(given.number) if given else ctx.gaps.gap("nomor")
    title, blocks = BUILDERS[kind](ctx)
    return Document(
        kind=kind,
        key=observed.key,
        letterhead=letterhead,
        title=title,
        number=(*plain("NOMOR: "), *number),
        date=ctx.date,
        blocks=blocks,
        missing=ctx.gaps.labels,
        paper=settings.kertas,
        step=ctx.step.number,
        meta={"title": f"{NAMES[kind]} — {ctx.title}", "subject": sop.name},
    )
