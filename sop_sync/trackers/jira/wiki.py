r"""Jira wiki markup read back as Markdown: comments for the rules, sections for the documents.

REST v2 gives descriptions and comments as wiki markup on both flavours. :func:`to_markdown`
turns what people write into the Markdown the rest of sop-sync reads (the command rules, the
request template reader, the documents' section parser), line by line:

- ``{code}``, ``{noformat}`` and ``{quote}`` blocks stay code and quotes, and so do ``bq.``
  lines: a command quoted or shown in Jira is never obeyed (``rules/commands.py``). A code
  fence is longer than any backtick run its content starts a line with, so nothing inside
  can close it; an unclosed block runs to the end of the text, and a quote does not close
  inside a code block it holds.
- headings ``h1.`` to ``h6.`` become ``#`` to ``######``;
- list items ``*``, ``#``, ``-`` (nested by repetition: ``**``, ``*#``) become ``-`` and
  ``1.`` items, indented under their parent;
- tables (``||head||head||`` then ``|cell|cell|``) become pipe tables, with the separator
  row after the header; a table without an all-``||`` first row (``||Kunci|nilai|`` rows)
  gets an empty header. Pipes inside links, ``{{monospace}}`` or escaped (``\|``) stay in
  their cell;
- ``{{monospace}}`` becomes code, ``[text|https://...]`` and ``[https://...]`` links, a rule
  ``----`` a thematic break (never a setext underline), and with ``mentions`` ``[~sari]`` /
  ``[~accountid:…]`` ``@sari``.

Every line stays on its line (so "baris 7" of a template is line 7 of what the person wrote),
except that each table gains its separator row (an empty header too when it has none, and a
blank line when text follows it at once, which Markdown would take as a row), and an unclosed
code block its closing fence at the end.
"""

from __future__ import annotations

import re

_BLOCK = re.compile(r"^\{(code|noformat|quote)(?::[^}]*)?\}$", re.IGNORECASE)
_HEADING = re.compile(r"^h([1-6])\.[ \t]+(.*)$")
_LIST_ITEM = re.compile(r"^(?P<marks>[*#]+|-)[ \t]+(?P<rest>.*)$")
_RULE = re.compile(r"^-{4,}$")
_UNDERLINE = re.compile(r"^(?:-+|=+)$")
"""A line Markdown would read as a setext heading's underline (plain text in wiki)."""
_MONOSPACE = re.compile(r"\{\{(.*?)\}\}")
_LINK = re.compile(r"\[(?:(?P<text>[^\[\]|]*)\|)?(?P<url>(?:https?|mailto):[^\s\[\]|]+)\]")
_MENTION = re.compile(r"\[~(?:accountid:)?([A-Za-z0-9][A-Za-z0-9_.@+:-]*)\]")
"""A mention: ``[~sari]`` (Data Center) or ``[~accountid:5b10…]`` (Cloud)."""
_FENCE_START = re.compile(r"^\s*(`+)")


def _code_span(text: str) -> str:
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if "`" in text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _link(match: re.Match[str]) -> str:
    url, text = match["url"], match["text"]
    return f"[{text}]({url})" if text and text.strip() else f"<{url}>"


def _inline(text: str, mentions: bool) -> str:
    """Monospace as code, links as Markdown links, mentions as ``@name`` when asked."""
    parts = re.split(r"(\{\{.*?\}\})", text)
    out: list[str] = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(_code_span(part[2:-2]))
            continue
        part = _LINK.sub(_link, part)
        out.append(_MENTION.sub(r"@\1", part) if mentions else part)
    return "".join(out)


def _cells(row: str) -> tuple[bool, list[str]]:
    """A table row's cells as written, and whether every cell is a ``||`` header cell."""
    cells: list[str] = []
    header = True
    at = 0
    while at < len(row) and row[at] == "|":
        head = row.startswith("||", at)
        at += 2 if head else 1
        start, depth = at, 0
        while at < len(row):
            char = row[at]
            if char == "\\":
                at += 2
                continue
            if row.startswith("{{", at):
                close = row.find("}}", at + 2)
                at = close + 2 if close >= 0 else len(row)
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth = max(depth - 1, 0)
            elif char == "|" and not depth:
                break
            at += 1
        text = row[start:at]
        if at >= len(row) and not text.strip():
            break  # the row's closing pipe
        header = header and head
        cells.append(text)
    return header and bool(cells), cells


def _cell(text: str, mentions: bool) -> str:
    """One cell's text for a pipe table: on one line, its own pipes escaped."""
    text = " ".join(text.replace("\\\\", " ").split())
    converted = _inline(text, mentions)
    return re.sub(r"(?<!\\)\|", r"\\|", converted) or " "


def _table(rows: list[str], mentions: bool) -> list[str]:
    parsed = [_cells(row) for row in rows]
    width = max((len(cells) for _, cells in parsed), default=1) or 1
    first_is_header, first = parsed[0]
    if first_is_header:
        head, body = first, parsed[1:]
    else:
        head, body = [], parsed

    def line(cells: list[str]) -> str:
        padded = [_cell(c, mentions) for c in cells] + [" "] * (width - len(cells))
        return "| " + " | ".join(padded) + " |"

    return [line(head), "|" + "---|" * width, *(line(cells) for _, cells in body)]


def _fenced(body: list[str]) -> str:
    longest = max((len(m[1]) for b in body if (m := _FENCE_START.match(b))), default=0)
    return "`" * max(3, longest + 1)


def _closing(lines: list[str], start: int, name: str) -> int | None:
    """The line closing block ``name`` opened before ``start``; None when it stays open.

    A code block inside a quote must close before the quote can: when in doubt, a line stays
    quoted (never obeyed) rather than turning into an ordinary line.
    """
    at = start
    while at < len(lines):
        macro = _BLOCK.match(lines[at].strip())
        inner = macro[1].lower() if macro else ""
        if inner == name:
            return at
        if name == "quote" and inner in ("code", "noformat"):
            end = _closing(lines, at + 1, inner)
            if end is None:
                return None
            at = end
        at += 1
    return None


def _line(line: str, mentions: bool) -> str:
    """One line outside blocks and tables."""
    stripped = line.strip()
    heading = _HEADING.match(stripped)
    if heading:
        return f"{'#' * int(heading[1])} {_inline(heading[2].strip(), mentions)}"
    if line.startswith("bq. "):
        return "> " + _inline(line[4:], mentions)
    item = _LIST_ITEM.match(line)
    if item:
        marks = "*" if item["marks"] == "-" else item["marks"]
        indent = "".join("   " if mark == "#" else "  " for mark in marks[:-1])
        bullet = "1." if marks[-1] == "#" else "-"
        return f"{indent}{bullet} {_inline(item['rest'], mentions)}"
    if _RULE.match(stripped):
        return "***"
    if _UNDERLINE.match(stripped):
        return "\\" + stripped
    return _inline(line, mentions)


def to_markdown(wiki: str, *, mentions: bool = False) -> str:
    """Wiki text as Markdown (see the module doc); ``mentions``: ``[~sari]`` -> ``@sari``."""
    lines = wiki.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        macro = _BLOCK.match(line.strip())
        if macro:
            name = macro[1].lower()
            end = _closing(lines, at + 1, name)
            body = lines[at + 1 : end if end is not None else len(lines)]
            if name == "quote":
                out += ["", *(f"> {_inline(b, mentions)}".rstrip() for b in body)]
                out += [""] if end is not None else []
            else:
                fence = _fenced(body)
                out += [fence, *body, fence]
            at = end + 1 if end is not None else len(lines)
            continue
        if line.lstrip().startswith("|"):
            rows = []
            while at < len(lines) and lines[at].lstrip().startswith("|"):
                rows.append(lines[at].strip())
                at += 1
            out += _table(rows, mentions)
            if at < len(lines) and lines[at].strip():
                out.append("")  # Markdown would take the next line as a row
            continue
        out.append(_line(line, mentions))
        at += 1
    return "\n".join(out)
