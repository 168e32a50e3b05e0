"""Hostile text in every field: escaped in each format, never a template, valid DOCX XML.

The request's title and requester, every section, the UAT table, the hand-over facts, the
people's names and offices, the kop and the meeting place all carry markup, template syntax,
control characters, right-to-left text with a bidi override, and one very long title.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from docx.oxml.parser import parse_xml
from markdown_it import MarkdownIt

from sop_sync.documents.assemble import assemble
from sop_sync.documents.blocks import Document
from sop_sync.documents.settings import DocumentSettings, Kop, Pegawai
from sop_sync.documents.writers import write
from sop_sync.documents.writers.html import html
from sop_sync.sop.model import DocumentKind
from tests.builders import note
from tests.documents.seed import PEOPLE, TODAY, seed_observed, seed_schedule
from tests.documents.tools import docx_text, pdf_text

EVIL = "<script>alert(1)</script> & {{ 7*7 }} {% raw %}x{% endraw %} **b** [l](javascript:x)"
RTL = "مرحبا שלום"
OVERRIDE = "\u202egnp.exe"
CONTROL = "a\x00b\x07c\x1bd"
HOSTILE = f"{EVIL} {RTL} {OVERRIDE} {CONTROL}"
LONG = "Aplikasi " + "sangat panjang " * 400

pytestmark = pytest.mark.usefixtures("pdf_ok")


def hostile_settings() -> DocumentSettings:
    """Every setting a document prints, hostile."""
    person = Pegawai(nama=HOSTILE, nip="196805201992032005", pangkat=HOSTILE, jabatan=HOSTILE)
    usernames = {name for people in PEOPLE.values() for name in people.values()}
    return DocumentSettings(
        pegawai=dict.fromkeys(usernames, person),
        kop=Kop(
            pemerintah=HOSTILE,
            dinas=HOSTILE,
            alamat=HOSTILE,
            telepon=HOSTILE,
            laman=HOSTILE,
            surel=HOSTILE,
            kota=HOSTILE,
        ),
        tempat=HOSTILE,
    )


def hostile_text() -> str:
    """Every section the documents read, each full of hostile text."""
    names = (
        "Latar Belakang", "Maksud dan Tujuan", "Sasaran", "Sumber Dana", "Perkiraan Biaya",
        "Ruang Lingkup", "Lokasi Kegiatan", "Data dan Fasilitas Penunjang", "Alih Pengetahuan",
        "Produk yang Dihasilkan", "Waktu Pelaksanaan", "Tenaga Ahli", "Laporan",
        "Nama Organisasi Pengadaan",
    )  # fmt: skip
    body = "".join(
        f"## {name}\n\n{HOSTILE}\n\n- {HOSTILE}\n\n# not a heading\n\n" for name in names
    )
    uat = (
        f"## Skenario UAT\n\n| Fitur | Skenario | Hasil | Catatan |\n|---|---|---|---|\n"
        f"| {EVIL} | {RTL} | {HOSTILE} | {OVERRIDE} |\n\nKesimpulan: {HOSTILE}\n\n"
    )
    handover = "## Serah Terima\n\n" + "".join(
        f"- {label}: {HOSTILE}\n" for label in ("Versi", "Commit", "Basis Data", "Manual", "Akun")
    )
    return body + uat + handover


def hostile_document(kind: DocumentKind, title: str = HOSTILE) -> Document:
    """Document ``kind`` with hostile text everywhere."""
    found, sop = seed_observed(kind)
    assert found.epic is not None
    data = dict(found.epic.data) | {"judul": title, "pemohon": HOSTILE}
    epic = dataclasses.replace(found.epic, description=hostile_text(), data=data)
    steps = {
        n: dataclasses.replace(issue, notes=(note("sari", hostile_text(), id=f"{n}.9"),))
        for n, issue in found.steps.items()
    }
    found = dataclasses.replace(found, epic=epic, steps=steps)
    return assemble(kind, found, sop, seed_schedule(sop), hostile_settings(), TODAY)


KINDS = list(DocumentKind)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_markdown_escapes_everything(kind: DocumentKind) -> None:
    """No HTML, link, image or heading of the user's survives into the tracker's Markdown."""
    text = write(hostile_document(kind), "md").decode("utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    inline = [child for token in tokens for child in token.children or []]
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [t for t in inline if t.type in ("html_inline", "link_open", "image")]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "not a heading" not in " ".join(headings)
    assert "49" not in text  # {{ 7*7 }} was never evaluated
    assert "{{ 7\\*7 }}" in text
    assert "\u202e" not in text
    assert "\x00" not in text
    assert RTL in text


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_html_escapes_everything(kind: DocumentKind) -> None:
    """The page the PDF is printed from has no script, link or template output of the user's."""
    page = html(hostile_document(kind))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page
    assert "{% raw %}" in page
    assert "javascript:" not in page.split("[l](")[0]
    assert "<a " not in page


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_docx_is_valid_xml_holding_the_text(kind: DocumentKind) -> None:
    """Every XML part parses; the text is there as written (controls and overrides dropped)."""
    content = write(hostile_document(kind), "docx")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                parse_xml(archive.read(name))  # raises on anything malformed
    text = docx_text(content)
    assert "<script>alert(1)</script> & {{ 7*7 }} {% raw %}x{% endraw %}" in text
    assert RTL in text
    assert "a b c d" in text
    assert "\u202e" not in text


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_pdf_prints_the_text_as_written(kind: DocumentKind) -> None:
    """The PDF shows the hostile text literally, nothing evaluated."""
    text = pdf_text(write(hostile_document(kind), "pdf"))
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text


def test_a_very_long_title_is_cut_and_still_lays_out() -> None:
    """A 6000-character title: cut with an ellipsis, every format still made."""
    document = hostile_document(DocumentKind.BA_UAT, LONG)
    assert len(document.title[-1]) == 300
    assert document.title[-1].endswith("…")
    for fmt in ("md", "docx", "pdf"):
        assert write(document, fmt)
