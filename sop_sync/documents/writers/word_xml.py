"""The few OOXML properties python-docx has no API for: borders, shading, table indent.

Each element is inserted where the schema's sequence puts it (Word refuses a file whose
properties are out of order and offers to "repair" it; LibreOffice is lenient), so the
successor lists below are copied from ECMA-376 Part 1 (CT_PPr, CT_TblPr, CT_TcPr).
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length

_AFTER_TBLIND = (
    "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
    "w:tblDescription", "w:tblPrChange",
)  # fmt: skip
_AFTER_TCSHD = (
    "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
    "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
)  # fmt: skip
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")


def _border(side: str, style: str, eighths: int) -> BaseOxmlElement:
    element = OxmlElement(f"w:{side}")
    element.set(qn("w:val"), style)
    element.set(qn("w:sz"), str(eighths))
    element.set(qn("w:space"), "0" if style == "nil" else "1")
    element.set(qn("w:color"), "auto")
    return element


def table_borders(tbl_pr: BaseOxmlElement, style: str = "single", eighths: int = 4) -> None:
    """Every border of a table (``nil`` for none), ``eighths`` of a point wide."""
    borders = OxmlElement("w:tblBorders")
    for side in SIDES:
        borders.append(_border(side, style, eighths))
    _replace(tbl_pr, borders, _AFTER_TBLIND[1:])


def table_bottom_rule(tbl_pr: BaseOxmlElement) -> None:
    """No borders but a thick-over-thin rule under the table (the kop's line)."""
    borders = OxmlElement("w:tblBorders")
    for side in SIDES:
        borders.append(
            _border(side, "thickThinSmallGap", 24) if side == "bottom" else _border(side, "nil", 0)
        )
    _replace(tbl_pr, borders, _AFTER_TBLIND[1:])


def table_indent(tbl_pr: BaseOxmlElement, indent: Length) -> None:
    """Move a table right by ``indent`` from the text margin."""
    element = OxmlElement("w:tblInd")
    element.set(qn("w:w"), str(int(indent.twips)))
    element.set(qn("w:type"), "dxa")
    _replace(tbl_pr, element, _AFTER_TBLIND)


def cell_shading(tc_pr: BaseOxmlElement, fill: str) -> None:
    """A cell's background colour (``E8E8E8``)."""
    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), fill)
    _replace(tc_pr, element, _AFTER_TCSHD)


def keep_row_together(tr_pr: BaseOxmlElement) -> None:
    """A row never splits across pages (signature columns stay whole)."""
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.append(OxmlElement("w:cantSplit"))


def language(r_pr: BaseOxmlElement, tag: str) -> None:
    """The text's language (``id-ID``: Indonesian spelling and hyphenation in Word)."""
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), tag)
    _replace(r_pr, element, _AFTER_LANG)


def _replace(
    parent: BaseOxmlElement, element: BaseOxmlElement, successors: tuple[str, ...]
) -> None:
    old = parent.find(element.tag)
    if old is not None:
        parent.remove(old)
    parent.insert_element_before(element, *successors)
