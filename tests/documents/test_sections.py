"""Sections people write: Markdown headings, what follows each, the later text winning."""

from __future__ import annotations

from sop_sync.documents.sections import Grid, Line, find, index, key, parse, texts_of
from tests.builders import note, observed, seed


def test_headings_of_any_level_and_their_paragraphs() -> None:
    """A section runs to the next heading of the same or a higher level."""
    found = parse("# Permohonan\n\n## Latar Belakang\n\nSatu.\n\nDua.\n\n## Sasaran\n\nTiga.\n")
    assert [s.title for s in found] == ["Permohonan", "Latar Belakang", "Sasaran"]
    assert found[1].content == (Line("Satu."), Line("Dua."))
    assert found[1].text() == "Satu. Dua."


def test_sub_headings_stay_inside_their_section() -> None:
    """``### Modul A`` under ``## Ruang Lingkup`` is a bold line of it (and a section too)."""
    found = index(["## Ruang Lingkup\n\n### Modul A\n\nPresensi.\n\n## Sasaran\n\nX\n"])
    scope = found["ruang lingkup"]
    assert scope.content == (Line("Modul A", heading=True), Line("Presensi."))
    assert found["modul a"].text() == "Presensi."


def test_lists_keep_their_markers_and_depth() -> None:
    """Bullets become ``•``; numbered items keep their numbers, from where the list starts."""
    found = parse("## Tujuan\n\n3. tiga\n4. empat\n   - dalam\n\n- lain\n")[0]
    assert found.content == (
        Line("tiga", "3."),
        Line("empat", "4."),
        Line("dalam", "•", 1),
        Line("lain", "•"),
    )


def test_headings_in_code_are_not_headings() -> None:
    """A fenced block quoting a template is text of the section, not a section."""
    found = parse("## Catatan\n\n```\n## Sumber Dana\nAPBN\n```\n")
    assert [s.title for s in found] == ["Catatan"]
    assert found[0].content == (Line("## Sumber Dana\nAPBN"),)


def test_tables_as_grids() -> None:
    """Header cells and rows, inline code and emphasis reduced to their text."""
    found = parse("## T\n\n| A | *B* |\n|---|---|\n| `1` | 2 |\n| 3 |\n")[0]
    assert found.content == (Grid(("A", "B"), (("1", "2"), ("3", ""))),)


def test_links_keep_their_target() -> None:
    """A link's text and, when different, its address (a repository URL must survive)."""
    found = parse("## R\n\n[kode](https://git.example.go.id/a) dan <https://x.id/b>\n")[0]
    assert found.text() == "kode (https://git.example.go.id/a) dan https://x.id/b"


def test_labelled_lines() -> None:
    """``Label: value`` per line, by the label's key; the first of a label wins."""
    found = parse("## S\n\n- Versi: 1.2\n- Basis Data: PostgreSQL\nVersi: 9\n")[0]
    assert found.labelled() == {"versi": "1.2", "basis data": "PostgreSQL"}


def test_heading_keys_ignore_numbering_case_and_punctuation() -> None:
    """``2. Maksud & Tujuan:`` is the section ``maksud dan tujuan``."""
    assert key("2. Maksud & Tujuan:") == "maksud dan tujuan"
    assert key("III) LATAR  BELAKANG") == "latar belakang"
    assert key("a. Sumber Dana") == "sumber dana"


def test_a_later_text_wins() -> None:
    """A comment correcting Sumber Dana replaces the description's."""
    found = index(["## Sumber Dana\n\nAPBD\n", "Ralat:\n\n## Sumber Dana\n\nAPBN\n"])
    assert found["sumber dana"].text() == "APBN"
    assert find(found, ("Anggaran", "Sumber Dana")) == found["sumber dana"]


def test_texts_of_an_issue_leave_out_sop_syncs_own_notes() -> None:
    """The description, then people's comments; sop-sync's replies are not read."""
    issue = (
        observed(seed("karanganyar"))
        .step(10, description="D", notes=[note("sari", "A"), note("sop-sync", "B", system=True)])
        .build()
        .steps[10]
    )
    assert texts_of(issue) == ("D", "A")
    assert texts_of(None) == ()


def test_a_huge_text_is_read_only_so_far() -> None:
    """A megabyte of comment is cut before parsing (and still gives its first sections)."""
    found = parse("## Sasaran\n\nX\n\n" + "y " * 600_000)
    assert found[0].title == "Sasaran"
