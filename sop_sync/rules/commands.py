r"""Commands people type in comments: ``/sop keputusan ya``, ``/sop setuju``, ...

Pure parsing. A command counts only at the start of a line of an ordinary paragraph, as a
CommonMark parser (markdown-it-py) reads the note: never inside code (fenced with any fence
length, indented, or inline), HTML (comments, ``<pre>``, ``<details>``), block quotes or
lists, so quoting or showing someone's command never repeats it. Lines break where
CommonMark says (``\n``, ``\r\n``, ``\r``), not at the other characters ``str.splitlines``
knows. Case and spacing are free. The author and time are the tracker's record of the note,
never anything written in the text.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sop_sync.model.tracker import Note

MAX_SCAN = 20_000
"""Characters of a note that are read for commands (a 1 MB comment is not parsed whole)."""


class Verb(enum.Enum):
    """What a command asks for."""

    DECIDE = "keputusan"
    APPROVE = "setuju"
    CORRECT = "koreksi"
    SKIP = "lewati"
    OPEN = "buka"
    DOCUMENT = "dokumen"
    """``/sop dokumen <jenis>``: make and attach a document (answered by the app's reconcile)."""
    UNKNOWN = "?"
    """A ``/sop`` line whose verb sop-sync does not know (a typo): answered, never obeyed."""


KNOWN_COMMANDS = (
    "`/sop keputusan ya` atau `/sop keputusan tidak`, `/sop setuju`, "
    "`/sop koreksi <alasan>`, `/sop lewati <alasan>`"
)
"""The commands people may write on a step issue, as sop-sync names them in its replies."""


@dataclass(frozen=True)
class Command:
    """One command, with who wrote it and when (from the tracker)."""

    verb: Verb
    argument: str
    author: str
    at: dt.datetime
    note_id: str
    word: str = ""
    """The verb as written (``keputusn`` for a mistyped one), lower case."""


_LINE = re.compile(r"/sop[ \t]+(?P<verb>[a-z]+)\b[ \t]*(?P<arg>[^\n]*)", re.IGNORECASE)
_PARSER = MarkdownIt("commonmark")
_BREAKS = {"softbreak", "hardbreak"}
_HIDDEN = "\x00"
"""Stands for inline code in a line: text after it is not at the start of the line."""
_VERBS = {verb.value: verb for verb in Verb if verb is not Verb.UNKNOWN}


def command_lines(body: str) -> list[str]:
    """The lines of ``body``'s top-level paragraphs, as a reader sees them."""
    lines: list[str] = []
    depth = 0  # inside a block quote or a list
    for token in _PARSER.parse(body[:MAX_SCAN]):
        if token.type in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "inline" and depth == 0 and token.children is not None:
            lines += _paragraph_lines(token.children)
    return lines


def _paragraph_lines(children: list[Token]) -> list[str]:
    line: list[str] = []
    lines: list[str] = []
    for child in children:
        if child.type in _BREAKS:
            lines.append("".join(line))
            line = []
        elif child.type == "code_inline":
            line.append(_HIDDEN)
        elif child.type in ("text", "html_inline"):
            line.append(child.content)
    lines.append("".join(line))
    return lines


def parse_note(note: Note) -> list[Command]:
    """Every command in one note, in order."""
    found: list[Command] = []
    for line in command_lines(note.body):
        match = _LINE.fullmatch(line)
        if match is None:
            continue
        word = match["verb"].lower()
        verb = _VERBS.get(word, Verb.UNKNOWN)
        argument = " ".join(match["arg"].split())
        found.append(Command(verb, argument, note.author, note.created_at, note.id, word))
    return found


def parse_notes(notes: tuple[Note, ...] | list[Note]) -> list[Command]:
    """Commands of many notes, oldest first; sop-sync's own system notes are skipped."""
    return [command for note in notes if not note.system for command in parse_note(note)]


def answer_of(command: Command) -> bool | None:
    """``ya`` -> True, ``tidak`` -> False, anything else -> None."""
    word = command.argument.split(" ", 1)[0].lower() if command.argument else ""
    return {"ya": True, "tidak": False}.get(word)
