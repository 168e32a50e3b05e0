"""Hostile titles and names stay text in HTML, Markdown and Mermaid.

The title carries ``"``, ``:``, ``#``, a ``<script>`` element, a newline, ``%%`` and ``;``
(Mermaid's comment and separator), backticks, ``@all``, ``|`` and a link; the pemohon an
``<img onerror>``. None may add an element, a table column, a mention, or a line to a
Mermaid block (the browser test also runs the hostile page: nothing executes).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from sop_sync.reports.report import Report
from sop_sync.reports.writers.html import render_html
from sop_sync.reports.writers.markdown import render_markdown
from sop_sync.reports.writers.mermaid import mermaid_text
from tests.reports.scenario import hostile_report


@pytest.fixture(scope="module")
def hostile() -> Report:
    """The scenario with hostile titles and names."""
    return hostile_report()


class Elements(HTMLParser):
    """Counts start tags and collects event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Count the tag; note any ``on...`` attribute."""
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def test_html_has_only_its_own_elements(hostile: Report) -> None:
    """Three scripts (Chart.js, the data, the page's own), no img, no event handler."""
    page = render_html(hostile)
    found = Elements()
    found.feed(page)
    assert found.tags["script"] == 3
    assert "img" not in found.tags
    assert found.handlers == []
    assert "window.diserang" in page  # shown as text ...
    assert "<script>window.diserang" not in page  # ... never as markup
    assert "&lt;script&gt;window.diserang=1&lt;/script&gt;" in page


def test_chart_data_cannot_close_its_script_element(hostile: Report) -> None:
    """The JSON for the charts has no ``<``, ``>`` or ``&``: it cannot end the element."""
    page = render_html(hostile)
    data = page.split('id="data-laporan">', 1)[1].split("</script>", 1)[0]
    assert "diserang" in data
    assert not set("<>&") & set(data)


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table outside code fences: its rows, each a list of cells."""
    tables: list[list[list[str]]] = []
    fenced, previous = False, ""
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(re.split(r"(?<!\\)\|", line)[1:-1])
        previous = line
    return tables


def test_markdown_keeps_table_columns_and_breaks_mentions(hostile: Report) -> None:
    """Every row of a table has as many cells as its header; ``@all`` mentions nobody."""
    text = render_markdown(hostile)
    tables = markdown_tables(text)
    assert len(tables) > 5
    for rows in tables:
        assert {len(cells) for cells in rows} == {len(rows[0])}, rows[0]
    assert "@all" not in text
    outside = re.sub(r"```mermaid.*?```", "", text, flags=re.DOTALL)
    assert re.findall(r"(?<!\\)<", outside) == []  # every < escaped: no element
    assert "\\<script\\>" in text


def mermaid_blocks(text: str) -> list[list[str]]:
    """The lines of every ``mermaid`` block."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line == "```mermaid":
            current = []
        elif line == "```" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "a mermaid block is not closed"
    return blocks


SAFE = r"[\w .,()/'…-]+"  # shorten() ends a cut text with …
DATE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
GRAMMAR = [
    re.compile(r"gantt"),
    re.compile(rf"    title {SAFE}"),
    re.compile(r"    dateFormat YYYY-MM-DD HH:mm"),
    re.compile(r"    axisFormat %d-%m"),
    re.compile(r"    section [a-z0-9-]+|    section (Rencana|Realisasi)"),
    re.compile(rf"    {SAFE} : (?:(?:done|active|crit), )?[a-z]_?[a-z0-9_]+, {DATE}, {DATE}"),
]


def test_mermaid_blocks_hold_only_gantt_statements(hostile: Report) -> None:
    """Each line of each block is a gantt statement of ours; user text has no ``:#;%"<``."""
    blocks = mermaid_blocks(render_markdown(hostile))
    assert len(blocks) == 1 + len(hostile.requests)  # the portfolio, then one per request
    for block in blocks:
        for line in block:
            assert any(rule.fullmatch(line) for rule in GRAMMAR), line
    assert any(
        "Aplikasi A 1 script window.diserang 1 /script" in line for b in blocks for line in b
    )


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('a "b": c # d', "a b c d"),
        ("x\ny;z %% w", "x y z w"),
        ("<script>", "script"),
        ("::", "(tanpa judul)"),
        ("Pengembangan (tahap 2) / revisi-1", "Pengembangan (tahap 2) / revisi-1"),
    ],
)
def test_mermaid_text(raw: str, safe: str) -> None:
    """Only letters, digits, spaces and ``.,()/'-`` are kept; nothing left gives a placeholder."""
    assert mermaid_text(raw) == safe
