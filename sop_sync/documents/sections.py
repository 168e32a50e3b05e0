"""Sections people write in the tracker: Markdown headings and what follows each.

The request's texts (the epic's description, then its comments) carry the sections of the
request template (``## Latar Belakang``, ``## Sumber Dana``, ...); the UAT step carries
``## Skenario UAT``, the hand-over step ``## Serah Terima``. Parsed with a CommonMark
parser (markdown-it-py): headings inside code are not headings. A section runs to the next
heading of the same or a higher level. Where several texts have the same section, the later
one wins, so a comment can correct what the description says. HTML comments (the template's
help text, ``<!-- Boleh dikosongkan. -->``) are not content: a section holding only its help
text is empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sop_sync.model.tracker import Issue

MAX_TEXT = 200_000
"""Characters of one text that are read (a 1 MB comment is not parsed whole)."""

_PARSER = MarkdownIt("commonmark").enable("table")
_NUMBERING = re.compile(r"^(?:\d+|[ivxlc]+|[a-z])[.)]\s+", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Line:
    """A paragraph or a list item (``marker`` ``•`` or ``1.``) at a list depth."""

    text: str
    marker: str = ""
    depth: int = 0
    heading: bool = False
    """A sub-heading inside the section (shown in bold)."""


@dataclass(frozen=True)
class Grid:
    """A table as written: header cells and rows of cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Content = Line | Grid


@dataclass(frozen=True)
class Section:
    """One heading and what follows it."""

    title: str
    content: tuple[Content, ...]

    def lines(self) -> tuple[Line, ...]:
        """The paragraphs and items (tables left out)."""
        return tuple(c for c in self.content if isinstance(c, Line))

    def text(self) -> str:
        """Every paragraph and item joined by spaces."""
        return " ".join(" ".join(line.text.split()) for line in self.lines()).strip()

    def labelled(self) -> dict[str, str]:
        """``Label: value`` lines (one per physical line), by :func:`key` of the label."""
        found: dict[str, str] = {}
        for line in self.lines():
            for part in line.text.splitlines():
                label, colon, value = part.partition(":")
                if colon and label.strip() and key(label) not in found:
                    found[key(label)] = value.strip()
        return found


def key(title: str) -> str:
    """How headings are compared: ``1. Maksud & Tujuan:`` -> ``maksud dan tujuan``."""
    value = _NUMBERING.sub("", title.strip()).casefold().replace("&", " dan ")
    return " ".join(re.sub(r"[^\w/ ]+", " ", value).split())


def texts_of(issue: Issue | None) -> tuple[str, ...]:
    """An issue's description, then its comments (system notes left out; sop-sync's count)."""
    if issue is None:
        return ()
    return (issue.description, *(note.body for note in issue.notes if not note.system))


def index(texts: Iterable[str]) -> dict[str, Section]:
    """Every section of ``texts`` by :func:`key` of its heading; later texts win."""
    found: dict[str, Section] = {}
    for text in texts:
        own: dict[str, Section] = {}
        for section in parse(text):
            own.setdefault(key(section.title), section)  # the first of one text
        found.update(own)
    return found


def find(sections: dict[str, Section], names: Sequence[str]) -> Section | None:
    """The first of ``names`` (heading spellings) that ``sections`` has."""
    return next((sections[key(n)] for n in names if key(n) in sections), None)


def parse(text: str) -> list[Section]:
    """The sections of one Markdown text, in order."""
    tokens = _PARSER.parse(text[:MAX_TEXT])
    headings = [(i, int(tok.tag[1:])) for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    sections = []
    for n, (start, level) in enumerate(headings):
        end = next((i for i, lv in headings[n + 1 :] if lv <= level), len(tokens))
        title = _inline(tokens[start + 1])
        sections.append(Section(" ".join(title.split()), _content(tokens[start + 3 : end])))
    return sections


def _content(tokens: list[Token]) -> tuple[Content, ...]:
    found: list[Content] = []
    lists: list[list[int]] = []  # per open list: [next number, or -1 for bullets]
    pending = ""  # the marker of a list item whose first paragraph comes next
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            start = int(str(tok.attrs.get("start", 1))) if tok.type == "ordered_list_open" else -1
            lists.append([start])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif tok.type == "list_item_open" and lists:
            number = lists[-1][0]
            pending = "•" if number < 0 else f"{number}."
            lists[-1][0] = number + 1 if number >= 0 else -1
        elif tok.type == "inline" and tokens[i - 1].type in ("paragraph_open", "heading_open"):
            depth = max(len(lists) - 1, 0) + (0 if pending or not lists else 1)
            heading = tokens[i - 1].type == "heading_open"
            found.append(Line(_inline(tok), pending, depth, heading))
            pending = ""
        elif tok.type in ("fence", "code_block", "html_block"):
            text = tok.content if tok.type != "html_block" else _COMMENT.sub("", tok.content)
            if text.strip():
                found.append(Line(text.rstrip("\n"), pending, max(len(lists) - 1, 0)))
                pending = ""
        elif tok.type == "table_open":
            close = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            found.append(_grid(tokens[i:close]))
            i = close
        i += 1
    return tuple(found)


def _grid(tokens: list[Token]) -> Grid:
    rows: list[list[str]] = []
    header: list[str] = []
    for tok in tokens:
        if tok.type == "tr_open":
            rows.append([])
        elif tok.type == "inline" and rows:
            rows[-1].append(" ".join(_inline(tok).split()))
        elif tok.type == "thead_close" and rows:
            header = rows.pop()
    return Grid(tuple(header), tuple(tuple(row) for row in rows))


def _inline(token: Token) -> str:
    """The text of an inline token: emphasis dropped, line breaks kept, link targets shown."""
    parts: list[str] = []
    link: tuple[str, int] | None = None
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "html_inline":
            parts.append(_COMMENT.sub("", child.content))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline(child))
        elif child.type == "link_open":
            link = (str(child.attrs.get("href", "")), len(parts))
        elif child.type == "link_close" and link is not None:
            href, at = link
            if href and "".join(parts[at:]).strip() != href:
                parts.append(f" ({href})")
            link = None
    return "".join(parts)
