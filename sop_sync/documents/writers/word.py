"""DOCX of a document, built with python-docx from the same blocks as the other formats.

Arial 12 on A4 or F4 with the tata naskah dinas margins (3 cm left, 2 cm right and top,
2.5 cm bottom), unless the agency gives its own ``dasar.docx``: then its styles, page and
margins are used as they are and the document is added to it. The file is the same bytes
for the same document (fixed dates in the properties and in the ZIP).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as Word
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.image.exceptions import UnrecognizedImageError
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt

from sop_sync.documents.blocks import (
    Block,
    Document,
    Fields,
    Heading,
    Item,
    Letterhead,
    Paragraph,
    Signatures,
    Table,
    plain,
)
from sop_sync.documents.writers import word_tables
from sop_sync.documents.writers.templates import logo_file, template_file
from sop_sync.documents.writers.word_text import (
    INDENT,
    add_paragraph,
    add_runs,
    cell_paragraph,
    new_row,
    new_table,
    spacer,
    text_width,
)
from sop_sync.documents.writers.word_xml import language, table_bottom_rule
from sop_sync.errors import ConfigError
from sop_sync.model.text import shorten

PAGES = {"A4": (Cm(21.0), Cm(29.7)), "F4": (Cm(21.5), Cm(33.0))}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LOGO = Cm(2.2)
PROPERTY_LIMIT = 255
"""Characters python-docx (and Word) allow in a document property."""


def _letterhead(word: Word, kop: Letterhead) -> None:
    """Logo beside the centred kop lines, a thick-over-thin rule below."""
    logo = logo_file(kop)
    widths = (Cm(2.6), Length(text_width(word) - Cm(2.6)))
    table = new_table(word, widths)
    table_bottom_rule(table._tbl.tblPr)
    image_cell, text_cell = new_row(table, widths)
    for cell in (image_cell, text_cell):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if logo is not None:
        try:
            image_cell.paragraphs[0].add_run().add_picture(str(logo), width=LOGO)
        except UnrecognizedImageError:
            raise ConfigError(f"documents.kop.logo: {logo} is not a PNG or JPEG image") from None
    for n, line in enumerate(kop.lines):
        cell_paragraph(text_cell, plain(line, bold=True), "center", first=n == 0)
        text_cell.paragraphs[-1].runs[0].font.size = Pt(16 if n == 1 else 14)
    for line in kop.contact:
        cell_paragraph(text_cell, plain(line), "center", first=False)
        text_cell.paragraphs[-1].runs[0].font.size = Pt(10)
    spacer(word, 12)


def _title(word: Word, document: Document) -> None:
    for line in document.title:
        add_paragraph(word, plain(line, bold=True), "center").paragraph_format.space_after = 0
    add_paragraph(word, document.number, "center").paragraph_format.space_after = Pt(12)


def _heading(word: Word, block: Heading) -> None:
    paragraph = add_paragraph(word, plain(block.text, bold=True), "left")
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(8)


def _paragraph(word: Word, block: Paragraph) -> None:
    add_paragraph(word, block.runs, block.align, block.indent)


def _item(word: Word, block: Item) -> None:
    """Marker, tab, text: the text hangs one level right of the marker."""
    paragraph = add_paragraph(word, plain(f"{block.marker}\t"), "justify", block.indent + 1)
    paragraph.paragraph_format.first_line_indent = Length(-INDENT)
    add_runs(paragraph, block.runs)


WRITERS: dict[type, Callable[[Word, Any], None]] = {
    Heading: _heading,
    Paragraph: _paragraph,
    Item: _item,
    Fields: word_tables.fields,
    Table: word_tables.data_table,
    Signatures: word_tables.signatures,
}
"""Every block type and how it is written (a test checks they cover every block)."""


def _setup(word: Word, paper: str) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = PAGES[paper]
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2.5)
    normal: Any = word.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
    r_pr = normal.element.get_or_add_rPr()
    for attribute in ("w:eastAsia", "w:cs"):
        r_pr.get_or_add_rFonts().set(qn(attribute), "Arial")
    language(r_pr, "id-ID")
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15


def _properties(word: Word, document: Document) -> None:
    moment = dt.datetime.combine(document.date, dt.time())
    props = word.core_properties
    props.title = shorten(document.meta.get("title", ""), PROPERTY_LIMIT)
    props.subject = shorten(document.meta.get("subject", ""), PROPERTY_LIMIT)
    props.author = props.last_modified_by = "sop-sync"
    props.created = props.modified = props.last_printed = moment
    props.revision = 1
    props.language = "id-ID"
    props.comments = props.keywords = props.category = ""


def _stable_zip(content: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01 (equal documents, equal bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _blocks(word: Word, blocks: tuple[Block, ...]) -> None:
    for block in blocks:
        WRITERS[type(block)](word, block)


def write(document: Document, templates: Path | None = None) -> bytes:
    """The document as DOCX."""
    base = template_file("dasar.docx", templates)
    word = docx.Document(str(base)) if base is not None else docx.Document()
    if base is None:
        _setup(word, document.paper)
    _letterhead(word, document.letterhead)
    _title(word, document)
    _blocks(word, document.blocks)
    _properties(word, document)
    buffer = io.BytesIO()
    word.save(buffer)
    return _stable_zip(buffer.getvalue())
