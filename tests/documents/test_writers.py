"""The writers: every block written by each, the same bytes twice, paper, agency templates."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import subprocess
import sys
import typing
from pathlib import Path

import docx
import pytest
from docx.shared import Cm

from sop_sync.documents import blocks
from sop_sync.documents.blocks import Letterhead
from sop_sync.documents.writers import FORMATS, write
from sop_sync.documents.writers.html import html
from sop_sync.documents.writers.word import WRITERS
from sop_sync.errors import ConfigError
from sop_sync.sop.model import DocumentKind
from tests.documents.seed import png, seed_document
from tests.documents.tools import need

UAT = DocumentKind.BA_UAT


def test_the_docx_writer_covers_every_block() -> None:
    """A new block type needs its DOCX writer (the templates dispatch on ``kind``)."""
    assert set(WRITERS) == set(typing.get_args(blocks.Block))


def test_formats() -> None:
    """DOCX, PDF and Markdown."""
    assert set(FORMATS) == {"docx", "pdf", "md"}


@pytest.mark.usefixtures("pdf_ok")
@pytest.mark.parametrize("fmt", ["docx", "pdf", "md"])
def test_the_same_document_gives_the_same_bytes(fmt: str) -> None:
    """No timestamp or random id: an unchanged document is an unchanged file."""
    document = seed_document(UAT)
    assert write(document, fmt) == write(document, fmt)


def test_docx_opens_with_the_page_of_the_settings() -> None:
    """F4 paper, the tata naskah dinas margins, Arial 12."""
    document = dataclasses.replace(seed_document(UAT), paper="F4")
    word = docx.Document(io.BytesIO(write(document, "docx")))
    section = word.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.right_margin)
    assert [round(size.mm) for size in sizes if size is not None] == [215, 330, 30, 20]
    assert word.styles["Normal"].font.name == "Arial"
    assert word.core_properties.author == "sop-sync"


@pytest.mark.usefixtures("pdf_ok")
def test_pdf_on_f4_paper(tmp_path: Path) -> None:
    """215 x 330 mm."""
    pdf = tmp_path / "f4.pdf"
    pdf.write_bytes(write(dataclasses.replace(seed_document(UAT), paper="F4"), "pdf"))
    info = subprocess.run([need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert size is not None
    assert (round(float(size[1])), round(float(size[2]))) == (609, 935)  # 215 x 330 mm


def test_agency_templates_replace_the_bundled_ones(tmp_path: Path) -> None:
    """The agency's dokumen.md.j2 and gaya.css are used; the other files stay bundled."""
    (tmp_path / "dokumen.md.j2").write_text("# {{ doc.title | map('teks') | join(' ') }}\n")
    (tmp_path / "gaya.css").write_text("body { font-family: 'Bookman Old Style'; }\n")
    document = seed_document(UAT)
    assert write(document, "md", tmp_path) == (
        b"# BERITA ACARA HASIL USER ACCEPTANCE TEST SISTEM INFORMASI ABSENSI PEGAWAI\n"
    )
    page = html(document, tmp_path)
    assert "Bookman Old Style" in page
    assert "kop" in page  # the bundled dokumen.html.j2


def test_an_agency_base_docx_keeps_its_page(tmp_path: Path) -> None:
    """dasar.docx in Letter size: the document is added to it, its page kept."""
    base = docx.Document()
    base.sections[0].page_width = Cm(21.59)
    base.save(str(tmp_path / "dasar.docx"))
    word = docx.Document(io.BytesIO(write(seed_document(UAT), "docx", tmp_path)))
    width = word.sections[0].page_width
    assert width is not None
    assert round(width.mm, 1) == 215.9


def test_a_templates_setting_that_is_no_folder_is_a_config_error(tmp_path: Path) -> None:
    """``documents.templates`` naming nothing: said, with the setting's name."""
    with pytest.raises(ConfigError, match=r"documents\.templates"):
        write(seed_document(UAT), "md", tmp_path / "none")


@pytest.mark.usefixtures("pdf_ok")
def test_a_missing_logo_is_a_config_error(tmp_path: Path) -> None:
    """``documents.kop.logo`` naming no file: an error naming the setting, in every format."""
    document = seed_document(UAT, tmp_path / "logo.png")
    for fmt in ("docx", "pdf"):
        with pytest.raises(ConfigError, match=r"documents\.kop\.logo: no such file"):
            write(document, fmt)


def test_a_logo_that_is_no_image_is_a_config_error(tmp_path: Path) -> None:
    """A text file as the logo: refused with the setting's name."""
    (tmp_path / "logo.png").write_text("not an image")
    with pytest.raises(ConfigError, match="not a PNG or JPEG"):
        write(seed_document(UAT, tmp_path / "logo.png"), "docx")


def test_the_logo_is_in_both_files(tmp_path: Path) -> None:
    """The DOCX carries the picture; the HTML embeds it (the PDF fetches nothing)."""
    (tmp_path / "logo.png").write_bytes(png())
    document = seed_document(UAT, tmp_path / "logo.png")
    word = docx.Document(io.BytesIO(write(document, "docx")))
    assert len(word.inline_shapes) == 1
    assert 'src="data:image/png;base64,' in html(document)


def test_no_letterhead_configured_is_a_visible_gap() -> None:
    """An empty kop: the gap stands where the letterhead would."""
    document = dataclasses.replace(
        seed_document(UAT), letterhead=Letterhead(("[belum diisi: kop surat]",), ())
    )
    assert b"kop surat" in write(document, "md")


SAME_BYTES = """
import hashlib, sys
from sop_sync.documents.writers import write
from sop_sync.sop.model import DocumentKind
from tests.documents.seed import seed_document
document = seed_document(DocumentKind.BA_UAT)
print(" ".join(hashlib.sha256(write(document, f)).hexdigest() for f in ("docx", "pdf")))
"""


@pytest.mark.usefixtures("pdf_ok")
def test_another_process_writes_the_same_bytes() -> None:
    """A later ``sop-sync dokumen`` run (a new process, another hash seed) recognises its file."""
    document = seed_document(UAT)
    here = " ".join(hashlib.sha256(write(document, f)).hexdigest() for f in ("docx", "pdf"))
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", SAME_BYTES],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(root)},
    )
    assert result.stdout.strip() == here
