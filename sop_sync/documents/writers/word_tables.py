"""The DOCX writer's tables: party fields, data tables and signature columns."""

from __future__ import annotations

from docx.document import Document as Word
from docx.shared import Cm, Length, Pt
from docx.table import _Cell

from sop_sync.documents.blocks import Fields, Runs, Signatures, Signer, Table, plain
from sop_sync.documents.writers.word_text import (
    INDENT,
    add_paragraph,
    cell_paragraph,
    new_row,
    new_table,
    spacer,
    text_width,
)
from sop_sync.documents.writers.word_xml import cell_shading, keep_row_together, table_borders

LABEL = Cm(4.2)
COLON = Cm(0.4)
SIGNING_SPACE = 3
"""Empty lines left to sign in."""


def fields(word: Word, block: Fields) -> None:
    """Label : value rows without borders, with the list marker in a column of its own."""
    rest = Length(text_width(word) - INDENT * block.indent)
    marker = (INDENT,) if block.marker else ()
    widths = (*marker, LABEL, COLON, Length(rest - sum(marker) - LABEL - COLON))
    table = new_table(word, widths, block.indent)
    table_borders(table._tbl.tblPr, "nil", 0)
    for n, (label, value) in enumerate(block.rows):
        texts: list[Runs] = [plain(block.marker if n == 0 else "")] if block.marker else []
        texts += [plain(label), plain(":"), value]
        for cell, runs in zip(new_row(table, widths), texts, strict=True):
            cell_paragraph(cell, runs, first=True)
    spacer(word, 6)


def data_table(word: Word, block: Table) -> None:
    """A bordered table with a shaded header row, at 11 points."""
    total = text_width(word)
    widths = tuple(Length(total * w // sum(block.widths)) for w in block.widths)
    table = new_table(word, widths)
    table_borders(table._tbl.tblPr)
    for cell, text in zip(new_row(table, widths), block.header, strict=True):
        cell_shading(cell._tc.get_or_add_tcPr(), "E8E8E8")
        cell_paragraph(cell, plain(text, bold=True), "center", first=True)
    for row in block.rows:
        for cell, runs in zip(new_row(table, widths), row, strict=True):
            cell_paragraph(cell, runs, first=True)
    for word_row in table.rows:
        for cell in word_row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)
    spacer(word, 8)


def _signer(cell: _Cell, signer: Signer, *, first: bool) -> None:
    lines: list[Runs] = [
        plain(signer.heading),
        signer.office,
        *([()] * SIGNING_SPACE),
        signer.name,
        signer.identity,
    ]
    for n, runs in enumerate(lines):
        cell_paragraph(cell, runs, "center", first=first and n == 0)


def signatures(word: Word, block: Signatures) -> None:
    """Place and date, the signature columns side by side, "Mengetahui" centred below."""
    add_paragraph(word, block.place_date, "right").paragraph_format.keep_with_next = True
    count = len(block.columns)
    widths = tuple(Length(text_width(word) // count) for _ in range(count))
    table = new_table(word, widths)
    table_borders(table._tbl.tblPr, "nil", 0)
    for cell, signer in zip(new_row(table, widths), block.columns, strict=True):
        _signer(cell, signer, first=True)
    if block.witness is not None:
        cells = new_row(table, widths)
        merged = cells[0].merge(cells[-1]) if count > 1 else cells[0]
        for extra in merged.paragraphs[1:]:  # merging keeps each cell's empty paragraph
            extra._p.getparent().remove(extra._p)
        cell_paragraph(merged, (), first=True)  # a line between the rows
        _signer(merged, block.witness, first=False)
    for row in table.rows:
        keep_row_together(row._tr.get_or_add_trPr())
