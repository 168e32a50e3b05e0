"""Commands in comments, and hostile text echoed into sop-sync's own comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sop_sync.model.changes import Comment, Ref
from sop_sync.model.text import echo
from sop_sync.model.tracker import Note
from sop_sync.rules.commands import Verb, parse_note
from sop_sync.rules.evaluate import evaluate
from tests.app.test_enforce import world

AT = dt.datetime(2026, 12, 1, 9, 0)


def note(body: str, author: str = "sari") -> Note:
    """A note as a tracker records it."""
    return Note("1", author, body, AT)


@pytest.mark.parametrize(
    ("body", "verbs"),
    [
        ("/sop keputusan ya", [("keputusan", "ya")]),
        ("  /SOP   Keputusan   TIDAK  ", [("keputusan", "TIDAK")]),
        ("Oke.\n/sop setuju\nterima kasih", [("setuju", "")]),
        ("/sop koreksi tabel   belum\tlengkap", [("koreksi", "tabel belum lengkap")]),
        ("> /sop setuju", []),
        ("```\n/sop setuju\n```", []),
        ("~~~\n/sop setuju\n~~~\n/sop lewati tidak perlu", [("lewati", "tidak perlu")]),
        ("    /sop setuju", []),
        ("tulis `/sop setuju` bila setuju", []),
        ("saya /sop setuju", []),
        ("/sop terbang", [("?", "")]),  # unknown: answered as such, never obeyed
        ("/sopsetuju", []),
    ],
)
def test_parsing(body: str, verbs: list[tuple[str, str]]) -> None:
    """Commands count at the start of ordinary lines only; code and quotes are ignored."""
    assert [(c.verb.value, c.argument) for c in parse_note(note(body))] == verbs


@pytest.mark.parametrize(
    ("body", "verbs"),
    [
        pytest.param("````\n```\n/sop setuju\n````", [], id="four-backtick-fence"),
        pytest.param("~~~~~\n/sop setuju\n~~~~~", [], id="five-tilde-fence"),
        pytest.param("<!--\n/sop setuju\n-->", [], id="html-comment"),
        pytest.param("<pre>\n/sop setuju\n</pre>", [], id="pre"),
        pytest.param("<details>\n/sop setuju\n</details>", [], id="details"),
        pytest.param("> kutipan\n> /sop setuju", [], id="quote-continued"),
        pytest.param("- /sop setuju", [], id="list-item"),
        pytest.param("`x` /sop setuju", [], id="after-inline-code"),
        pytest.param("``/sop `setuju` ``", [], id="double-backtick-code"),
        pytest.param("a\x0b/sop setuju", [], id="vertical-tab-is-no-line-break"),
        pytest.param("a\u2028/sop setuju", [], id="unicode-line-separator-is-no-line-break"),
        pytest.param("a\x85/sop setuju", [], id="next-line-char-is-no-line-break"),
        pytest.param("a\r/sop setuju", [("setuju", "")], id="carriage-return-is-a-line-break"),
        pytest.param("a  \n/sop setuju", [("setuju", "")], id="hard-break"),
    ],
)
def test_commands_are_read_where_markdown_shows_a_paragraph(
    body: str, verbs: list[tuple[str, str]]
) -> None:
    """Only lines of ordinary paragraphs, as CommonMark breaks them, can hold a command."""
    assert [(c.verb.value, c.argument) for c in parse_note(note(body))] == verbs


def test_author_comes_from_the_record_not_the_text() -> None:
    """`/sop setuju sebagai dewi` typed by sari is sari's command."""
    [command] = parse_note(note("/sop setuju sebagai @dewi", author="sari"))
    assert command.author == "sari"
    assert command.verb is Verb.APPROVE


def test_huge_comment_is_read_only_in_part() -> None:
    """A 1 MB comment is scanned only at its start; a command buried deep is not seen."""
    body = "x" * 1_000_000 + "\n/sop setuju"
    assert parse_note(note(body)) == []
    assert parse_note(note("/sop setuju\n" + "x" * 1_000_000))[0].verb is Verb.APPROVE


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("@all tolong cek", "@all"),
        ("<script>alert(1)</script>", "<script>"),
        ("[klik](https://jahat.example)", "[klik]("),
        ("/sop setuju", "\n/sop setuju"),
        ("\u202eevil\u202c ŝ ẓ 😀", None),
    ],
)
def test_echo_neutralises(text: str, absent: str | None) -> None:
    """User text in sop-sync's comments cannot mention, inject HTML, link, or give commands."""
    out = echo(text)
    if absent:
        assert absent not in out
    assert "\n" not in out
    assert len(echo("x" * 1_000_000)) <= 200


def test_correction_reason_is_neutralised_in_the_comment(tmp_path: Path) -> None:
    """A hostile correction reason is echoed escaped, cut short, with mentions broken."""
    with world("local", "kemenkes-kepegawaian", tmp_path) as w:
        reason = "@all <img src=x onerror=alert(1)> [klik](https://jahat.example) " + "z" * 5000
        w.act(Comment(Ref("uji", 4), f"/sop koreksi {reason}"), w.person("kasubbag-pkdik"))
        w.enforce()
        [comment] = [n for n in w.notes(3) if n.startswith("Dikoreksi")]
        assert comment.startswith("Dikoreksi pada langkah 4 oleh @u-kasubbag-pkdik: @\u200ball ")
        assert "\\<img src=x onerror=alert(1)\\>" in comment
        assert "[klik](" not in comment
        assert len(comment) < 400


def test_commands_in_code_blocks_do_not_decide(tmp_path: Path) -> None:
    """A decision quoted in a code block or a quote is not a decision."""
    with world("local", "bkd-jateng", tmp_path) as w:
        person = w.person("jfu")
        w.act(Comment(Ref("uji", 2), "Contoh:\n```\n/sop keputusan tidak\n```"), person)
        w.act(Comment(Ref("uji", 2), "> /sop keputusan tidak"), person)
        observed = w.tracker.observe("uji")
        assert evaluate(w.sop, w.request, observed).answers == {}


def test_decision_by_someone_without_the_role_is_refused_once(tmp_path: Path) -> None:
    """A decision by a non-holder is refused with one reply, however often checked."""
    with world("local", "bkd-jateng", tmp_path) as w:
        w.act(Comment(Ref("uji", 2), "/sop keputusan tidak"), "orang-lain")
        first = w.enforce()
        assert first.answers == {}
        assert not w.enforce().changes
        replies = [n for n in w.notes(2) if "ditolak" in n]
        assert len(replies) == 1
        assert "hanya JFU yang boleh memutuskan" in replies[0]


def test_skip_only_where_the_sop_allows(tmp_path: Path) -> None:
    """`/sop lewati` closes a step the SOP marks skippable; elsewhere it is refused once."""
    with world("local", "bali", tmp_path) as w:
        steps = tuple(
            s.model_copy(update={"skippable": True}) if s.number == 5 else s for s in w.sop.steps
        )
        w.sop = w.sop.model_copy(update={"steps": steps})
        w.act(Comment(Ref("uji", 5), "/sop lewati sudah dibahas di langkah 4"), w.person("kasi-ai"))
        w.act(Comment(Ref("uji", 6), "/sop lewati tidak perlu"), w.person("kasi-ai"))
        w.enforce()
        observed = w.tracker.observe("uji")
        assert observed.steps[5].state.value == "closed"
        assert "status::dilewati" in observed.steps[5].labels
        assert observed.steps[6].state.value == "opened"
        assert any("SOP tidak mengizinkan" in n for n in w.notes(6))
        assert not w.enforce().changes
        assert w.check().verdict(5).skipped
