"""Golden documents of the seed request: DOCX, PDF and Markdown, one content for all three.

The text read out of the DOCX (python-docx) and out of the PDF (pdftotext) is the same golden
file, word for word: the two formats cannot drift apart. The Markdown has its own golden.
The PDF pages are rendered to PNG (tests/artifacts/documents/) for a person to look at; the
layout checks here read word positions (pdftotext -bbox): the title is centred, the two
signature columns sit left and right.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from sop_sync.documents.writers import write
from sop_sync.sop.model import DocumentKind
from tests.documents.seed import png, seed_document
from tests.documents.tools import (
    check_golden,
    docx_text,
    need,
    pages,
    pdf_text,
    words,
    wrapped,
)

pytestmark = pytest.mark.usefixtures("pdf_ok")

KINDS = list(DocumentKind)


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The agency's logo file."""
    path = tmp_path_factory.mktemp("kop") / "logo.png"
    path.write_bytes(png())
    return path


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_markdown_golden(kind: DocumentKind, logo: Path) -> None:
    """The Markdown for the tracker equals its golden file."""
    text = write(seed_document(kind, logo), "md").decode("utf-8")
    check_golden(f"{kind.value}.md", text)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_docx_text_golden(kind: DocumentKind, logo: Path) -> None:
    """The DOCX's text (python-docx) equals the golden text."""
    check_golden(f"{kind.value}.txt", wrapped(docx_text(write(seed_document(kind, logo), "docx"))))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_pdf_text_golden(kind: DocumentKind, logo: Path, tmp_path: Path) -> None:
    """The PDF's text (pdftotext) equals the same golden text; its pages render to PNG."""
    content = write(seed_document(kind, logo), "pdf")
    check_golden(f"{kind.value}.txt", wrapped(pdf_text(content)))
    pdf = tmp_path / f"{kind.value}.pdf"
    pdf.write_bytes(content)
    assert pages(pdf, kind.value)


def _boxes(content: bytes) -> list[tuple[int, float, float, str]]:
    """Every word of the PDF: (page, x min, x max, text), page width 595.3 pt (A4)."""
    result = subprocess.run(
        [need("pdftotext"), "-bbox", "-", "-"], input=content, capture_output=True, check=True
    )
    found = []
    page = 0
    for line in result.stdout.decode("utf-8").splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)".*>(.*)</word>', line)
        if match:
            found.append((page, float(match[1]), float(match[2]), match[3]))
    return found


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_pdf_layout(kind: DocumentKind, logo: Path) -> None:
    """Title centred in the text column; PIHAK PERTAMA left of the middle, PIHAK KEDUA right."""
    document = seed_document(kind, logo)
    boxes = _boxes(write(document, "pdf"))
    left, right = 3 / 2.54 * 72, 595.3 - 2 / 2.54 * 72  # the margins: 3 cm and 2 cm
    middle = (left + right) / 2
    title = document.title[0].split()
    line = next(i for i in range(len(boxes)) if [b[3] for b in boxes[i : i + len(title)]] == title)
    start, end = boxes[line][1], boxes[line + len(title) - 1][2]
    assert abs((start + end) / 2 - middle) < 3, "the title is centred"
    signers = [b for b in boxes if b[3] in ("PERTAMA,", "KEDUA,", "oleh,")]
    assert signers[-2][1] < middle < signers[-1][1], "two signature columns, left and right"


def test_the_three_formats_say_the_same() -> None:
    """Every word of the DOCX is in the PDF in the same order, for each document."""
    for kind in KINDS:
        document = seed_document(kind)
        assert docx_text(write(document, "docx")) == pdf_text(write(document, "pdf"))
        markdown = words(write(document, "md").decode("utf-8"))
        assert document.title[-1] in markdown
