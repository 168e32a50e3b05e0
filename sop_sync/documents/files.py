"""File names of generated documents, and which attachments on a step are theirs.

A document's files are called ``draf-<jenis>_<nomor>.<ext>`` when written to a folder
(``draf-kak_004-KAK-APL-XI-2026.pdf``: "draf" because the signed scan is what counts). When
attached to the producing step, the name also carries a digest of the file's bytes
(``..._3f2a9c1e.pdf``); the bytes are the same for the same document, so attaching again an
unchanged document finds its file there and adds nothing. A changed document is a new file;
the earlier versions it replaces are listed (:attr:`AttachPlan.superseded`) and detached once
the current version is on the step (:attr:`AttachPlan.detach`), so each document leaves one
file per format.

The evidence rules must not count these files as the signed document a step asks for
(a ``*berita*acara*`` pattern matches them): :func:`is_generated` tells them apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sop_sync.documents.blocks import Document, text_of
from sop_sync.model.changes import Attach, Detach, Ref
from sop_sync.model.tracker import Attachment, Issue

PREFIX = "draf-"
_GENERATED = re.compile(
    r"^draf-(?:kak|berita-acara-(?:kesepakatan|uat|serah-terima))_[A-Za-z0-9.-]+"
    r"_[0-9a-f]{8}\.(?:docx|pdf|md)$"
)


def base_name(document: Document) -> str:
    """``draf-kak_004-KAK-APL-XI-2026`` (the number without its label, made file-safe)."""
    number = text_of(document.number).removeprefix("NOMOR:").strip()
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", number).strip("-.") or "tanpa-nomor"
    return f"{PREFIX}{document.kind.value}_{safe}"


def file_name(document: Document, ext: str) -> str:
    """The name of the file written to a folder: ``draf-kak_004-KAK-APL-XI-2026.pdf``."""
    return f"{base_name(document)}.{ext}"


def attachment_name(document: Document, ext: str, content: bytes) -> str:
    """The name of the attached file: ``draf-kak_004-KAK-APL-XI-2026_3f2a9c1e.pdf``."""
    return f"{base_name(document)}_{hashlib.sha256(content).hexdigest()[:8]}.{ext}"


def is_generated(filename: str) -> bool:
    """Whether an attachment is a document sop-sync generated (an unsigned draft)."""
    return bool(_GENERATED.match(filename))


@dataclass(frozen=True)
class AttachPlan:
    """What attaching a document's files to its step takes."""

    changes: tuple[Attach, ...]
    present: tuple[str, ...]
    """Files already attached with the same bytes (nothing to do)."""
    superseded: tuple[Attachment, ...]
    """Earlier versions of the same document and format, still on the step."""
    detach: tuple[Detach, ...] = ()
    """Removing the superseded files: to apply after the current version is attached."""

    def detach_after(self, failed: Collection[str]) -> tuple[Detach, ...]:
        """The removals whose format's current file is on the step.

        ``failed`` names the files whose Attach failed: the earlier versions of those formats
        stay until a run attaches the current one.
        """
        kept = {name.rsplit(".", 1)[-1] for name in failed}
        return tuple(d for d in self.detach if d.filename.rsplit(".", 1)[-1] not in kept)


def plan_attachments(document: Document, issue: Issue, files: Mapping[str, bytes]) -> AttachPlan:
    """Attach each file (``ext`` -> bytes) unless the step has it already, byte for byte."""
    have = {attachment.filename for attachment in issue.attachments}
    changes: list[Attach] = []
    present: list[str] = []
    superseded: list[Attachment] = []
    ref = Ref(issue.ref.key, issue.ref.step)
    for ext, content in files.items():
        name = attachment_name(document, ext, content)
        if name in have:
            present.append(name)
        else:
            changes.append(Attach(ref, name, content))
        stem = f"{base_name(document)}_"
        superseded += [
            a
            for a in issue.attachments
            if a.filename != name and a.filename.startswith(stem) and a.filename.endswith(f".{ext}")
        ]
    detach = tuple(Detach(ref, a.id, a.filename) for a in superseded)
    return AttachPlan(tuple(changes), tuple(present), tuple(superseded), detach)
