"""python-docx helpers the DOCX writer shares: runs, paragraphs, tables, widths."""

from __future__ import annotations

from typing import Any

from docx.document import Document as Word
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

from sop_sync.documents.blocks import Runs
from sop_sync.documents.writers.word_xml import table_indent

INDENT = Cm(1)
"""One list or indent level."""
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
GAP_RED = RGBColor(0xB0, 0x00, 0x20)


def add_runs(paragraph: WordParagraph, runs: Runs) -> None:
    """Append ``runs``; a gap is highlighted (yellow, red text) so a reader cannot miss it."""
    for run in runs:
        added = paragraph.add_run(run.text)
        added.bold = run.bold or None
        added.underline = run.underline or None
        if run.missing:
            added.font.highlight_color = WD_COLOR_INDEX.YELLOW
            added.font.color.rgb = GAP_RED


def add_paragraph(
    container: Any, runs: Runs = (), align: str = "justify", indent: int = 0
) -> WordParagraph:
    """A new paragraph in ``container`` (the document or a cell)."""
    paragraph: WordParagraph = container.add_paragraph()
    paragraph.alignment = ALIGN[align]
    if indent:
        paragraph.paragraph_format.left_indent = Length(INDENT * indent)
    add_runs(paragraph, runs)
    return paragraph


def cell_paragraph(cell: _Cell, runs: Runs, align: str = "left", *, first: bool) -> None:
    """Write ``runs`` into the cell's first (empty) paragraph, or a new one after it."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    add_runs(paragraph, runs)


def spacer(word: Word, points: float) -> None:
    """A small empty paragraph: it keeps two tables apart (Word would join them)."""
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(points)


def text_width(word: Word) -> Length:
    """The width between the margins of the first section."""
    section = word.sections[0]
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return Length(width)


def new_table(word: Word, widths: tuple[Length, ...], indent: int = 0) -> WordTable:
    """An empty table with fixed column widths, moved right by ``indent`` levels."""
    table: WordTable = word.add_table(rows=0, cols=len(widths))
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    if indent:
        table_indent(table._tbl.tblPr, Length(INDENT * indent))
    return table


def new_row(table: WordTable, widths: tuple[Length, ...]) -> list[_Cell]:
    """A new row whose cells carry the column widths (Word reads them from the cells)."""
    untyped: Any = table  # python-docx leaves add_row untyped
    cells = untyped.add_row().cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = width
    return list(cells)
