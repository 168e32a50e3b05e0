"""PDF of a document: its HTML (:mod:`.html`) printed by WeasyPrint.

WeasyPrint rather than LibreOffice: it runs in-process (no office suite to install and
start, a few tenths of a second a document once warm on two cores), lays out from the same
template folder an agency can restyle, and embeds subsets of the fonts it uses. The page is
self-contained (the logo is a ``data:`` URI): WeasyPrint may fetch nothing else, no file and
no URL.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML, URLFetcher

from sop_sync.documents.blocks import Document
from sop_sync.documents.writers.html import html


def write(document: Document, templates: Path | None = None) -> bytes:
    """The document as PDF (the same bytes for the same document)."""
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    page = HTML(string=html(document, templates), url_fetcher=fetcher)
    made = page.write_pdf(pdf_identifier=f"sop-sync {document.key}".encode())
    return bytes(made)
