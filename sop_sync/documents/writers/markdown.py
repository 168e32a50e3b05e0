"""Markdown for the tracker, from ``templates/documents/dokumen.md.j2``.

Every piece of text goes through :func:`md_runs` or :func:`md_text`: Markdown and HTML
characters escaped, @mentions and quick actions broken (as for every text sop-sync writes to
a tracker), and a line cannot start a heading, a list or a rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from sop_sync.documents.blocks import Document, Runs
from sop_sync.documents.writers.templates import document_environment
from sop_sync.model.text import neutralise

_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|[-+](?=\s|$)|[-=]+\s*$|\d{1,9}(?=[.)](?:\s|$)))")
"""What would make a line a heading, a list item, a rule or a setext underline."""


def _escape_start(match: re.Match[str]) -> str:
    found = match[0]
    if found[0].isdigit():  # "1. x" -> "1\. x": the number stays, no list begins
        return found + "\\"
    return "\\" + found


def md_text(text: object) -> str:
    """Plain text safe anywhere in a Markdown line (a table cell included)."""
    value = neutralise(text) if str(text).strip() else ""
    value = _LINE_START.sub(_escape_start, value, count=1)
    leading = " " if str(text)[:1].isspace() and value else ""
    trailing = " " if str(text)[-1:].isspace() and value else ""
    return f"{leading}{value}{trailing}"


def md_runs(runs: Runs) -> str:
    """Runs as Markdown: bold as ``**...**``, gaps in italics (spaces kept outside)."""
    parts = []
    for run in runs:
        body = run.text.strip()
        lead, trail = run.text[:1].isspace(), run.text[-1:].isspace()
        text = md_text(body)
        if run.missing:
            text = f"_{text}_"
        elif run.bold and text:
            text = f"**{text}**"
        parts.append(f"{' ' if lead else ''}{text}{' ' if trail else ''}")
    return "".join(parts)


def write(document: Document, templates: Path | None = None) -> bytes:
    """The document as Markdown (UTF-8)."""
    env = document_environment(templates, html=False)
    env.filters["runs"] = md_runs
    env.filters["teks"] = md_text
    text = env.get_template("dokumen.md.j2").render(doc=document)
    return (re.sub(r"\n{3,}", "\n\n", text).strip() + "\n").encode("utf-8")
