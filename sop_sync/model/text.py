"""Plain-text helpers every layer uses: one line, shortening, neutralising user text.

People's text is neutralised before sop-sync writes it back into a tracker.

The one place text is cut, so every title, comment and table cuts the same way (always
marked with ``…``). Pure string functions: the rules need them for the comments they write,
so they live below everything else (the Jinja side is :mod:`sop_sync.render`).
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
ECHO_LIMIT = 200
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def one_line(text: object) -> str:
    """Whitespace runs (newlines included) become one space; ends trimmed."""
    return " ".join(str(text).split())


def shorten(text: object, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, ending in ``…`` when cut."""
    value = one_line(text)
    if len(value) <= limit:
        return value
    if limit <= 1:
        return ELLIPSIS[:limit]
    return value[: limit - 1].rstrip() + ELLIPSIS


def neutralise(text: object) -> str:
    """Markdown-escape user text, break @mentions and quick actions, keep it on one line."""
    value = _MARKDOWN.sub(r"\\\1", one_line(text))
    value = value.replace("&", "&amp;").replace("@", "@\u200b")
    return value.replace("/", "/\u200b") if value.startswith("/") else value


def echo(text: object, limit: int = ECHO_LIMIT) -> str:
    """User text quoted inside sop-sync's own comment: neutralised and cut short."""
    return neutralise(shorten(text, limit))
