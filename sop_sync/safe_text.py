"""Neutralising people's text before sop-sync writes it back into a tracker (pure)."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
ECHO_LIMIT = 200


def neutralise(text: object) -> str:
    """Markdown-escape user text, break @mentions and quick actions, keep it on one line."""
    value = " ".join(str(text).split())
    value = _MARKDOWN.sub(r"\\\1", value)
    value = value.replace("&", "&amp;").replace("@", "@\u200b")
    return value.replace("/", "/\u200b") if value.startswith("/") else value


def echo(text: object, limit: int = ECHO_LIMIT) -> str:
    """User text quoted inside sop-sync's own comment: neutralised and cut short."""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return neutralise(value)
