"""Which documents sop-sync makes by itself: when their step closes, and when someone asks.

Pure: the decisions behind ``check --fix`` (and the service) making a request's paperwork.

- **A producing step is closed**: a step whose ``dokumen`` is the document was closed within
  the rules (not skipped, not reopened for a violation) and no producing step of that
  document carries a generated file of it yet: the document is due once. Later changes are
  attached again only when asked (``--lampirkan`` or ``/sop dokumen``).
- **``/sop dokumen <jenis>``** in a comment on one of the request's step issues: made and
  attached (replacing the earlier version), answered once. Anyone holding a role in the
  request may ask; others are answered with a refusal: making a document for the first time
  takes the next number from the agency's register, which a passer-by must not use up. The
  request's epic is not read for commands (GitLab's reader skips its notes; see
  trackers/gitlab/history.py), so the command belongs on a step issue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sop_sync.documents.files import PREFIX, is_generated
from sop_sync.documents.people import producing_steps
from sop_sync.model.request import RequestInput
from sop_sync.model.text import echo
from sop_sync.model.tracker import Issue, ObservedRequest
from sop_sync.rules.commands import Verb
from sop_sync.rules.decisions import Asked, asked
from sop_sync.sop.model import DocumentKind, Sop

KNOWN_KINDS = ", ".join(f"`{kind.value}`" for kind in DocumentKind)
"""The document kinds as sop-sync names them in its replies."""
_BY_NAME = {kind.value: kind for kind in DocumentKind}


def kinds_on(issue: Issue) -> frozenset[DocumentKind]:
    """The documents of which a generated file is attached to ``issue``."""
    found: set[DocumentKind] = set()
    for attachment in issue.attachments:
        if is_generated(attachment.filename):
            name = attachment.filename.removeprefix(PREFIX).split("_", 1)[0]
            found.add(_BY_NAME[name])
    return frozenset(found)


def attached_anywhere(sop: Sop, observed: ObservedRequest, kind: DocumentKind) -> bool:
    """Whether any step producing ``kind`` carries a generated file of it."""
    return any(
        kind in kinds_on(issue)
        for step in producing_steps(sop, kind)
        if (issue := observed.steps.get(step.number)) is not None
    )


def due_on_close(
    sop: Sop, observed: ObservedRequest, settled: Collection[int]
) -> tuple[DocumentKind, ...]:
    """Documents whose producing step is closed within the rules and not yet attached anywhere.

    ``settled`` are the steps closed and not against the SOP, as the rules judge the request
    after their fixes (closed, not skipped, no violation).
    """
    due: list[DocumentKind] = []
    for step in sop.steps:
        kind = step.document
        if kind is None or kind in due or step.number not in settled:
            continue
        if not attached_anywhere(sop, observed, kind):
            due.append(kind)
    return tuple(due)


@dataclass(frozen=True)
class DocumentAsked:
    """One unanswered ``/sop dokumen`` command: the document to make, or why not."""

    asked: Asked
    kind: DocumentKind | None
    refusal: str | None = None
    """The whole reply when the command is not obeyed (None: make ``kind``)."""


def _kinds_of(sop: Sop) -> str:
    made = [kind for kind in DocumentKind if producing_steps(sop, kind)]
    return ", ".join(f"`{kind.value}`" for kind in made) or "tidak ada"


def _judge(a: Asked, sop: Sop, request: RequestInput) -> DocumentAsked:
    author = a.command.author
    word = a.command.argument.split(" ", 1)[0].lower() if a.command.argument else ""
    kind = _BY_NAME.get(word)
    ignored = f"Perintah dari @{author} diabaikan:"
    if kind is None:
        what = f"jenis dokumen `{echo(word, 40)}` tidak dikenal" if word else "jenis dokumen kosong"
        return DocumentAsked(
            a,
            None,
            f"{ignored} {what}. Tulis `/sop dokumen <jenis>`; jenis yang dikenal: {KNOWN_KINDS} "
            f"(SOP ini menghasilkan: {_kinds_of(sop)}).",
        )
    if not producing_steps(sop, kind):
        return DocumentAsked(
            a,
            kind,
            f"{ignored} SOP ini tidak menghasilkan `{kind.value}` "
            f"(SOP ini menghasilkan: {_kinds_of(sop)}).",
        )
    people = {name for _, names in request.people for name in names}
    if author not in people:
        return DocumentAsked(
            a,
            kind,
            f"Permintaan dokumen dari @{author} ditolak: hanya pemegang peran pada permohonan "
            "ini yang boleh meminta dokumen.",
        )
    return DocumentAsked(a, kind)


def documents_asked(
    sop: Sop, request: RequestInput, observed: ObservedRequest
) -> Iterator[DocumentAsked]:
    """Every ``/sop dokumen`` on the request's step issues not answered yet, oldest first."""
    for a in asked(sop, request, observed, Verb.DOCUMENT):
        if not a.answered:
            yield _judge(a, sop, request)


def made_reply(
    kind: DocumentKind,
    number: str,
    step: int | None,
    attached: Collection[str],
    present: Collection[str],
    replaced: int,
    missing: Collection[str],
) -> str:
    """sop-sync's answer once the asked document is made and attached."""
    files = ", ".join(f"`{name}`" for name in (*attached, *present))
    lines = [f"Dokumen `{kind.value}` {number} dilampirkan pada langkah {step}: {files}."]
    if not attached:
        lines = [f"Dokumen `{kind.value}` {number} tidak berubah; sudah terlampir pada langkah "
                 f"{step}: {files}."]  # fmt: skip
    if replaced:
        lines.append(f"Versi sebelumnya ({replaced} berkas) dilepas.")
    if missing:
        items = "\n".join(f"- {echo(label)}" for label in missing)
        lines.append(
            f"Belum diisi ({len(missing)}), tampil sebagai `[belum diisi: ...]`:\n\n{items}"
        )
    lines.append("Berkas ini draf: yang menjadi bukti langkah adalah dokumen yang ditandatangani.")
    return "\n\n".join(lines)
