"""Writers: one :class:`~sop_sync.documents.blocks.Document` to DOCX, PDF or Markdown bytes.

The formats and their writers are the table :data:`FORMATS`. The DOCX and PDF writers are
imported when one is written, so other commands do not load python-docx or WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sop_sync.documents.blocks import Document
from sop_sync.documents.writers import markdown

Writer = Callable[[Document, Path | None], bytes]
"""A writer: the document and the agency's template folder (None: the bundled templates)."""


def _docx(document: Document, templates: Path | None) -> bytes:
    from sop_sync.documents.writers import word

    return word.write(document, templates)


def _pdf(document: Document, templates: Path | None) -> bytes:
    from sop_sync.documents.writers import pdf

    return pdf.write(document, templates)


FORMATS: dict[str, Writer] = {
    "docx": _docx,
    "pdf": _pdf,
    "md": markdown.write,
}
"""Every output format by its file extension."""


def write(document: Document, fmt: str, templates: Path | None = None) -> bytes:
    """``document`` as a file of format ``fmt`` (``docx``, ``pdf`` or ``md``)."""
    return FORMATS[fmt](document, templates)
