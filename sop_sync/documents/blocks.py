"""The document as data: kop, title, number and a list of blocks. One content source.

Every writer (DOCX, HTML for the PDF, Markdown) walks the same :class:`Document`; nothing a
reader sees is decided in a writer but layout. Text here is plain (never markup): each
writer escapes it for its own format. A missing value is a :class:`Run` with ``missing``
set, shown as ``[belum diisi: ...]`` and listed in :attr:`Document.missing`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from sop_sync.sop.model import DocumentKind

Align = Literal["left", "center", "justify", "right"]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def tidy(text: object) -> str:
    """Text as documents keep it: NFC, no control or bidi-override characters, one line.

    Control characters cannot be written in DOCX's XML; bidi overrides (U+202E ...) would let a
    field reorder the text around it. Right-to-left letters themselves are kept. Whitespace
    runs become one space; a space at either end stays (runs are joined as they are).
    """
    value = unicodedata.normalize("NFC", str(text))
    value = _BIDI_CONTROLS.sub("", _NOT_XML.sub(" ", value))
    return re.sub(r"\s+", " ", value)


def clean(text: object) -> str:
    """:func:`tidy` text without spaces at the ends."""
    return tidy(text).strip()


@dataclass(frozen=True)
class Run:
    """A piece of text with its emphasis; ``missing`` marks a ``[belum diisi: ...]`` gap."""

    text: str
    bold: bool = False
    underline: bool = False
    missing: bool = False


Runs = tuple[Run, ...]


def plain(text: object, *, bold: bool = False, underline: bool = False) -> Runs:
    """One :func:`tidy` run (nothing when the text is blank)."""
    value = tidy(text)
    return (Run(value, bold=bold, underline=underline),) if value.strip() else ()


def text_of(runs: Runs) -> str:
    """The runs' text as one string."""
    return "".join(run.text for run in runs)


@dataclass(frozen=True)
class Heading:
    """A numbered heading of the body (``1. Latar Belakang``)."""

    text: str
    level: int = 2
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``indent`` in steps of one list level."""

    runs: Runs
    align: Align = "justify"
    indent: int = 0
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Item:
    """A list item with its marker written out (``1.``, ``a.``, ``•``): formats never renumber."""

    marker: str
    runs: Runs
    indent: int = 0
    kind: ClassVar[str] = "item"


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``widths`` are relative column widths."""

    header: tuple[str, ...]
    rows: tuple[tuple[Runs, ...], ...]
    widths: tuple[int, ...]
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Fields:
    """Label : value lines without borders (a party's Nama, NIP, Pangkat/Golongan, Jabatan)."""

    rows: tuple[tuple[str, Runs], ...]
    indent: int = 1
    marker: str = ""
    """A list marker before the first row (``1.`` for the first party)."""
    kind: ClassVar[str] = "fields"


@dataclass(frozen=True)
class Signer:
    """One signature column: who signs as what, with room to sign above the name."""

    heading: str
    """``PIHAK PERTAMA,`` / ``Mengetahui,`` / ``Disusun oleh,``."""
    office: Runs
    name: Runs
    identity: Runs
    """``NIP 19680520 199203 2 005`` or the company of a vendor."""


@dataclass(frozen=True)
class Signatures:
    """Signature columns side by side, optionally a "Mengetahui" column centred below."""

    place_date: Runs
    """``Karanganyar, 23 November 2026``."""
    columns: tuple[Signer, ...]
    witness: Signer | None = None
    kind: ClassVar[str] = "signatures"


Block = Heading | Paragraph | Item | Table | Fields | Signatures


@dataclass(frozen=True)
class Letterhead:
    """The kop surat: issuing government and office, contact line, logo file."""

    lines: tuple[str, ...]
    """``PEMERINTAH KABUPATEN KARANGANYAR``, ``DINAS KOMUNIKASI DAN INFORMATIKA``."""
    contact: tuple[str, ...]
    """The address, then ``Telepon ..., Laman ..., Surel ...`` (those given)."""
    logo: Path | None = None


@dataclass(frozen=True)
class Document:
    """One generated document: everything every format shows, and what is missing."""

    kind: DocumentKind
    key: str
    letterhead: Letterhead
    title: tuple[str, ...]
    """Centred title lines in capitals."""
    number: Runs
    date: dt.date
    blocks: tuple[Block, ...]
    missing: tuple[str, ...] = ()
    paper: Literal["A4", "F4"] = "A4"
    step: int | None = None
    """The SOP step that produces the document (where ``--lampirkan`` attaches it)."""
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Document properties (title, subject) for the file formats that keep them."""


class Gaps:
    """Collects what is missing while a document is assembled (each label once, in order)."""

    PREFIX = "belum diisi"

    def __init__(self) -> None:
        self._labels: list[str] = []

    def gap(self, label: str) -> Runs:
        """A visible ``[belum diisi: label]`` run, recorded as missing."""
        value = clean(label)
        if value not in self._labels:
            self._labels.append(value)
        return (Run(f"[{self.PREFIX}: {value}]", missing=True),)

    def value(self, text: object, label: str, *, bold: bool = False) -> Runs:
        """``text`` as runs, or the gap for ``label`` when it is empty or None."""
        runs = plain(clean(text) if text is not None else "", bold=bold)
        return runs or self.gap(label)

    @property
    def labels(self) -> tuple[str, ...]:
        """What is missing, in the order first met."""
        return tuple(self._labels)
