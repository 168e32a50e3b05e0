"""HTML of a document (what the PDF is printed from), from ``dokumen.html.j2`` and ``gaya.css``.

Autoescaped: every text of the document is escaped; nothing in it is ever a template.
"""

from __future__ import annotations

import base64
from pathlib import Path

from sop_sync.documents.blocks import Document
from sop_sync.documents.writers.templates import document_environment, logo_file

PAGES = {"A4": "210mm 297mm", "F4": "215mm 330mm"}
"""Paper sizes (F4 is the folio most Indonesian offices print official letters on)."""


def logo_uri(document: Document) -> str:
    """The logo as a ``data:`` URI (the page then needs no file and no network), or ``""``."""
    logo = logo_file(document.letterhead)
    if logo is None:
        return ""
    content = logo.read_bytes()
    kind = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


def html(document: Document, templates: Path | None = None) -> str:
    """The document as one HTML page with its stylesheet inside."""
    env = document_environment(templates, html=True)
    return env.get_template("dokumen.html.j2").render(
        doc=document,
        logo=logo_uri(document),
        page=PAGES[document.paper],
    )
