"""Jira wiki markup read back as Markdown: commands stay safe, sections and tables come through."""

from __future__ import annotations

import datetime as dt

import pytest

from sop_sync.documents.sections import Grid, index
from sop_sync.documents.uat import read_uat
from sop_sync.model.tracker import Note
from sop_sync.rules.commands import parse_note
from sop_sync.trackers.jira.markup import to_wiki
from sop_sync.trackers.jira.wiki import to_markdown
from tests.documents.seed import UAT_NOTE

AT = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def commands(wiki: str) -> list[str]:
    """The commands the rules find in a Jira comment with this wiki text."""
    note = Note("1", "sari", to_markdown(wiki), AT)
    return [command.verb.value for command in parse_note(note)]


@pytest.mark.parametrize(
    ("wiki", "markdown"),
    [
        ("{code}\n/sop setuju\n{code}", "```\n/sop setuju\n```"),
        ("{noformat}\n/sop setuju\n{noformat}", "```\n/sop setuju\n```"),
        ("{code:java}\nx\n{code}", "```\nx\n```"),
        ("{quote}\n/sop setuju\n{quote}", "\n> /sop setuju\n"),
        ("bq. /sop setuju", "> /sop setuju"),
        ("* /sop setuju", "- /sop setuju"),
        ("{{/sop setuju}} lalu\n/sop keputusan ya", "`/sop setuju` lalu\n/sop keputusan ya"),
        ("h1. Satu\nh3. Tiga\nh6. Enam", "# Satu\n### Tiga\n###### Enam"),
        ("h2. Skenario UAT", "## Skenario UAT"),
        ("h2\\. bukan judul", "h2\\. bukan judul"),
        (
            "* satu\n** dua\n*# tiga\n# empat\n#* lima",
            "- satu\n  - dua\n  1. tiga\n1. empat\n   - lima",
        ),
        ("- satu", "- satu"),
        (
            "||Fitur||Skenario||Hasil||Catatan||\n|Login|Masuk|Sesuai| |",
            "| Fitur | Skenario | Hasil | Catatan |\n|---|---|---|---|\n"
            "| Login | Masuk | Sesuai |   |",
        ),
        ("||Kunci|x|\n||Mulai|1 Des|", "|   |   |\n|---|---|\n| Kunci | x |\n| Mulai | 1 Des |"),
        ("|a|b", "|   |   |\n|---|---|\n| a | b |"),
        ("||A||\n|1|\nteks", "| A |\n|---|\n| 1 |\n\nteks"),
        (
            "lihat [Panduan|https://a.go.id/x] dan [https://b.go.id]",
            "lihat [Panduan](https://a.go.id/x) dan <https://b.go.id>",
        ),
        ("satu\n----\ndua", "satu\n***\ndua"),
        ("satu\n===", "satu\n\\==="),
        ("a\r\nb\rc", "a\nb\nc"),
    ],
)
def test_wiki_to_markdown(wiki: str, markdown: str) -> None:
    """Each construct people write in Jira, as Markdown (golden pairs)."""
    assert to_markdown(wiki) == markdown


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        ("|a \\| b|c|", ("a | b", "c")),
        ("|{{x|y}}|c|", ("x|y", "c")),
        ("|[teks|https://a.go.id]|c|", ("teks (https://a.go.id)", "c")),
        ("|[teks|#jangkar]|c|", ("[teks|#jangkar]", "c")),
        ("|baris\\\\dua|c|", ("baris dua", "c")),
        ("|{{tak tertutup|c|", ("{{tak tertutup|c|",)),
    ],
)
def test_pipes_inside_cells_stay_in_their_cell(row: str, cells: tuple[str, ...]) -> None:
    """Escaped pipes, pipes in monospace and in links never split a cell."""
    [section] = index([to_markdown(f"h2. T\n||H1||H2||\n{row}")]).values()
    [grid] = section.content
    assert isinstance(grid, Grid)
    assert grid.rows[0][: len(cells)] == cells


@pytest.mark.parametrize(
    "wiki",
    [
        "{code}\n```\n/sop setuju\n```\n{code}",
        "{code}\n````\n/sop setuju\n{code}",
        "{noformat}\n{code}\n/sop setuju\n{noformat}",
        "{code}\n/sop setuju",
        "{quote}\n/sop setuju",
        "{quote}\n{code}\n{quote}\n/sop setuju\n{quote}",
        "{quote}\n/sop setuju{quote}",
        "bq. /sop setuju",
        "{code}\nh2. Judul\n/sop setuju\n{code}",
        "{code:title=x}\n/sop setuju\n{code}",
    ],
)
def test_a_command_in_code_or_a_quote_never_counts(wiki: str) -> None:
    """Hostile nesting and unbalanced blocks: nothing inside code or a quote is obeyed."""
    assert "setuju" not in commands(wiki)


def test_a_command_after_a_closed_block_counts() -> None:
    """A block closes where Jira closes it: what follows is an ordinary line."""
    assert commands("{code}\nx\n{code}\n/sop setuju") == ["setuju"]
    assert commands("{quote}\nx\n{quote}\n/sop setuju") == ["setuju"]


def test_a_heading_inside_code_is_not_a_section() -> None:
    """`h2.` inside `{code}` stays code: no section is found there."""
    sections = index([to_markdown("h2. Latar Belakang\n{code}\nh2. Sasaran\n{code}")])
    assert list(sections) == ["latar belakang"]


def test_the_uat_note_round_trips_through_jira() -> None:
    """The UAT note as sop-sync sends it to Jira, read back: the same scenarios and conclusion."""
    from_jira = read_uat(index([to_markdown(to_wiki(UAT_NOTE))]))
    as_written = read_uat(index([UAT_NOTE]))
    assert from_jira == as_written
    assert len(from_jira.scenarios) == 3
    assert from_jira.conclusion is not None


def test_a_uat_table_written_in_jira_is_read() -> None:
    """`h2.` heading, `||` header, `|` rows and `*` notes, as a person types them in Jira."""
    wiki = (
        "Hasil UAT:\n\nh2. Skenario UAT\n"
        "||Fitur||Skenario||Hasil||Catatan||\n"
        "|Login|Masuk dengan {{NIP}}|Sesuai| |\n"
        "|Rekap|Unduh rekap (PDF)|Tidak sesuai|Format tanggal MM\\|DD|\n"
        "Kesimpulan: diterima dengan catatan\n\nh3. Catatan\n* satu\n** dua"
    )
    result = read_uat(index([to_markdown(wiki)]))
    assert [(s.feature, s.scenario, s.passed, s.note) for s in result.scenarios] == [
        ("Login", "Masuk dengan NIP", True, ""),
        ("Rekap", "Unduh rekap (PDF)", False, "Format tanggal MM|DD"),
    ]
    assert result.conclusion_text == "diterima dengan catatan"


def test_mentions_only_when_asked() -> None:
    """`[~sari]` becomes `@sari` for the template reader; the rules get the text as written."""
    assert to_markdown("oleh [~sari]", mentions=True) == "oleh @sari"
    assert to_markdown("oleh [~sari]") == "oleh [~sari]"
    assert to_markdown("{code}\n[~sari]\n{code}", mentions=True) == "```\n[~sari]\n```"


def test_a_huge_or_odd_text_is_converted_in_bounded_time() -> None:
    """Many unclosed brackets and monospace markers in a row: no catastrophic backtracking."""
    row = "|" + "[" * 20_000 + "{{" * 20_000 + "|"
    assert to_markdown(row).startswith("| ")
