"""Commands people type in comments: ``/sop keputusan ya``, ``/sop setuju``, ...

Pure parsing. A command counts only at the start of a line of ordinary text: lines inside
fenced or indented code, block quotes and inline code spans are ignored, so quoting someone's
command never repeats it. Case and spacing are free. The author and time are the tracker's
record of the note, never anything written in the text.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

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


_LINE = re.compile(r"^[ \t]{0,3}/sop[ \t]+(?P<verb>[a-z]+)\b[ \t]*(?P<arg>.*)$", re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_VERBS = {verb.value: verb for verb in Verb if verb is not Verb.UNKNOWN}


def command_lines(body: str) -> list[str]:
    """The lines of ``body`` that are ordinary text (not code, not quotes)."""
    lines: list[str] = []
    fenced = False
    for raw in body[:MAX_SCAN].splitlines():
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        if fenced or raw.startswith(("    ", "\t")) or raw.lstrip().startswith(">"):
            continue
        lines.append(_INLINE_CODE.sub("", raw))
    return lines


def parse_note(note: Note) -> list[Command]:
    """Every command in one note, in order."""
    found: list[Command] = []
    for line in command_lines(note.body):
        match = _LINE.match(line)
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
