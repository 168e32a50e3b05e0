"""The one Jinja environment: Indonesian dates, neutralised user text, strict undefined."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest

from sop_sync.render.environment import TEMPLATES, code, environment, tanggal


def render(source: str, **values: object) -> str:
    """``source`` rendered in the shared environment."""
    return environment().from_string(source).render(**values)


# --- tanggal -----------------------------------------------------------------------------


def test_tanggal_of_a_date() -> None:
    """2026-12-01 is "Selasa, 1 Desember 2026" (day without a leading zero)."""
    assert tanggal(dt.date(2026, 12, 1)) == "Selasa, 1 Desember 2026"


def test_tanggal_of_a_moment_adds_the_time() -> None:
    """A datetime adds " pukul HH.MM" (a dot, as Indonesian writes times)."""
    assert tanggal(dt.datetime(2026, 12, 1, 15, 0)) == "Selasa, 1 Desember 2026 pukul 15.00"


def test_tanggal_pads_hours_and_minutes() -> None:
    """07:05 is written "07.05"."""
    assert tanggal(dt.datetime(2026, 12, 1, 7, 5)).endswith(" pukul 07.05")


def test_tanggal_of_nothing_is_a_dash() -> None:
    """No date at all shows an em dash."""
    assert tanggal(None) == "—"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 12, 7), "Senin, 7 Desember 2026"),
        (dt.date(2026, 12, 2), "Rabu, 2 Desember 2026"),
        (dt.date(2026, 12, 3), "Kamis, 3 Desember 2026"),
        (dt.date(2026, 12, 4), "Jumat, 4 Desember 2026"),
        (dt.date(2026, 12, 5), "Sabtu, 5 Desember 2026"),
        (dt.date(2026, 12, 6), "Minggu, 6 Desember 2026"),
        (dt.date(2026, 1, 31), "Sabtu, 31 Januari 2026"),
        (dt.date(2026, 8, 17), "Senin, 17 Agustus 2026"),
        (dt.date(2027, 2, 3), "Rabu, 3 Februari 2027"),
    ],
)
def test_tanggal_names_days_and_months_in_indonesian(day: dt.date, text: str) -> None:
    """Every weekday and a few months, in Bahasa Indonesia."""
    assert tanggal(day) == text


def test_tanggal_is_a_filter() -> None:
    """Templates write `{{ d | tanggal }}`."""
    assert render("{{ d | tanggal }}", d=dt.date(2026, 12, 1)) == "Selasa, 1 Desember 2026"


# --- md ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("@all tolong", "@\u200ball tolong"),
        ("*tebal* _miring_", "\\*tebal\\* \\_miring\\_"),
        ("[klik](https://jahat.example)", "\\[klik\\](https://jahat.example)"),
        ("<script>", "\\<script\\>"),
        ("a & b", "a &amp; b"),
        ("baris satu\n/sop setuju", "baris satu /sop setuju"),
        ("/sop setuju", "/\u200bsop setuju"),
    ],
)
def test_md_neutralises_user_text(text: str, shown: str) -> None:
    """User text cannot format, link, mention, inject HTML, break lines or give a command."""
    assert render("{{ x | md }}", x=text) == shown


def test_text_without_md_is_not_escaped() -> None:
    """The output is Markdown, not HTML: no autoescaping (user text goes through `md`)."""
    assert render("{{ x }}", x="<b>") == "<b>"


# --- code --------------------------------------------------------------------------------


def test_code_wraps_in_backticks() -> None:
    """`{{ x | code }}` is an inline code span."""
    assert render("{{ x | code }}", x="sop::karanganyar") == "`sop::karanganyar`"


def test_code_strips_backticks_so_the_span_cannot_be_closed() -> None:
    """Backticks inside are removed."""
    assert code("a`b``c") == "`abc`"


def test_code_takes_any_value() -> None:
    """Numbers and other values are shown as text."""
    assert code(7) == "`7`"


# --- strictness and layout ---------------------------------------------------------------


def test_undefined_value_raises() -> None:
    """A name the template was not given is an error, never an empty string."""
    with pytest.raises(jinja2.UndefinedError):
        render("{{ missing }}")


def test_undefined_value_raises_in_a_condition() -> None:
    """... also where it is only tested."""
    with pytest.raises(jinja2.UndefinedError):
        render("{% if missing %}x{% endif %}")


def test_block_tags_leave_no_blank_lines_and_the_last_newline_stays() -> None:
    """Block tags take their line with them; the template's final newline is kept."""
    assert render("{% if a %}\n  x\n{% endif %}\n", a=True) == "  x\n"


# --- one environment ---------------------------------------------------------------------


def test_environment_is_shared() -> None:
    """Every call for the same folder gives the same environment."""
    assert environment() is environment()
    assert environment(TEMPLATES) is environment(TEMPLATES)


def test_environment_loads_the_bundled_templates() -> None:
    """The default folder holds the tracker templates."""
    assert "tracker/step.md.j2" in environment().list_templates()


def test_another_folder_gets_its_own_environment_with_the_same_filters(tmp_path: Path) -> None:
    """A template folder of one's own: its templates, the same filters."""
    (tmp_path / "t.md.j2").write_text("{{ d | tanggal }}\n", encoding="utf-8")
    env = environment(tmp_path)
    assert env is not environment()
    assert env.get_template("t.md.j2").render(d=dt.date(2026, 12, 1)) == (
        "Selasa, 1 Desember 2026\n"
    )
