"""Plain-text helpers: one line, shortening with an ellipsis, neutralising user text."""

from __future__ import annotations

import pytest

from sop_sync.model.text import echo, neutralise, one_line, shorten


def test_user_text_is_neutralised() -> None:
    """HTML, Markdown links and @mentions from people cannot escape into tracker text."""
    text = neutralise("Halo @all <script>x</script> [klik](http://evil) & `kode`")
    assert "@all" not in text
    assert "<script>" not in text
    assert "[klik](" not in text
    assert "&amp;" in text


def test_quick_actions_and_mentions_are_broken() -> None:
    """A leading slash and an @ cannot start a GitLab quick action or a mention."""
    text = neutralise("/close @dewi")
    assert not text.startswith("/close")
    assert "@dewi" not in text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("pendek", 10, "pendek"),
        ("tepat sepuluh"[:10], 10, "tepat sepu"),
        ("Pembuatan Data Flow Diagram", 12, "Pembuatan D…"),
        ("a   b\n\nc", 10, "a b c"),
        ("panjang", 1, "…"),
    ],
)
def test_shorten_marks_every_cut_with_an_ellipsis(text: str, limit: int, expected: str) -> None:
    """Text longer than the limit is cut to exactly the limit, ending in an ellipsis."""
    result = shorten(text, limit)
    assert result == expected
    assert len(result) <= limit


def test_one_line_joins_every_kind_of_whitespace() -> None:
    """Newlines, tabs and runs of spaces become single spaces."""
    assert one_line(" a\t b\r\n c ") == "a b c"


def test_echo_cuts_then_neutralises() -> None:
    """Quoted user text is at most the limit (before escaping) and ends in an ellipsis."""
    quoted = echo("x" * 500, limit=50)
    assert quoted == "x" * 49 + "…"
