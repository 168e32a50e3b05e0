"""Mutu Baku times: every form the seed SOPs use parses, anything else is an error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_sync.sop.durations import Duration, Unit, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 menit", Duration("20 menit", 20, 20, Unit.MENIT)),
        ("120 mnt", Duration("120 mnt", 120, 120, Unit.MENIT)),
        ("2 jam", Duration("2 jam", 2, 2, Unit.JAM)),
        ("1- 2 Jam", Duration("1- 2 Jam", 1, 2, Unit.JAM)),
        ("1 hari kerja", Duration("1 hari kerja", 1, 1, Unit.HARI_KERJA)),
        ("3 hari", Duration("3 hari", 3, 3, Unit.HARI_KERJA)),
        ("7 Hari", Duration("7 Hari", 7, 7, Unit.HARI_KERJA)),
        ("100 hari", Duration("100 hari", 100, 100, Unit.HARI_KERJA)),
        ("14 hari kalender", Duration("14 hari kalender", 14, 14, Unit.HARI_KALENDER)),
        ("Tentatif", Duration("Tentatif", tentative=True)),
        (None, Duration("", tentative=True)),
        (
            "Selama sistem informasi digunakan",
            Duration("Selama sistem informasi digunakan", ongoing=True),
        ),
    ],
)
def test_seed_forms_parse(text: str | None, expected: Duration) -> None:
    """Each time written in the seed SOPs parses into range, unit and flags, text kept."""
    assert parse_duration(text) == expected


def test_plain_hari_can_mean_calendar_days() -> None:
    """An SOP that counts "hari" in calendar days says so, and "hari" follows."""
    assert parse_duration("7 Hari", plain_hari=Unit.HARI_KALENDER).unit is Unit.HARI_KALENDER
    assert parse_duration("7 hari kerja", plain_hari=Unit.HARI_KALENDER).unit is Unit.HARI_KERJA


@pytest.mark.parametrize(
    "text", ["sebentar", "jam 2", "3-1 jam", "0 menit", "2,5 menit", "1,5x jam"]
)
def test_unknown_forms_are_errors(text: str) -> None:
    """Anything that is not a known form is refused with the text quoted."""
    with pytest.raises(ValueError, match=r"the time|runs backwards|is zero"):
        parse_duration(text)


def test_flags() -> None:
    """``fixed`` and ``working_days`` say how the schedule counts a time."""
    assert parse_duration("2 jam").fixed
    assert parse_duration("2 jam").working_days
    assert not parse_duration("7 hari kalender").working_days
    assert not parse_duration("Tentatif").fixed
    assert parse_duration(None).display() == "—"


@given(
    low=st.integers(1, 10_000),
    extra=st.integers(0, 100),
    unit=st.sampled_from(["menit", "mnt", "jam", "Jam", "hari", "hari kerja", "HARI KALENDER"]),
    spaces=st.sampled_from(["", " ", "  "]),
)
def test_any_written_range_round_trips(low: int, extra: int, unit: str, spaces: str) -> None:
    """Any "a-b unit" with odd spacing and case parses to (a, b) and keeps its text."""
    high = low + extra
    text = f"{low}{spaces}-{spaces}{high} {unit}" if extra else f"{low} {unit}"
    parsed = parse_duration(text)
    assert (parsed.minimum, parsed.maximum, parsed.text) == (low, high, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,5 jam", Duration("1,5 jam", 90, 90, Unit.MENIT)),
        ("0.5 jam", Duration("0.5 jam", 30, 30, Unit.MENIT)),
        ("± 25 menit", Duration("± 25 menit", 25, 25, Unit.MENIT)),
        ("kurang lebih 2 jam", Duration("kurang lebih 2 jam", 2, 2, Unit.JAM)),
        ("maksimal 3 hari", Duration("maksimal 3 hari", 3, 3, Unit.HARI_KERJA)),
        ("1 minggu", Duration("1 minggu", 5, 5, Unit.HARI_KERJA)),
        ("1-2 minggu", Duration("1-2 minggu", 5, 10, Unit.HARI_KERJA)),
    ],
)
def test_forms_agencies_write_parse(text: str, expected: Duration) -> None:
    """Decimal commas, "±", "kurang lebih", "maksimal" and weeks read as agencies mean them."""
    assert parse_duration(text) == expected


def test_a_week_is_seven_days_where_hari_means_calendar_days() -> None:
    """In an SOP counting calendar days, a week is 7 of them."""
    week = parse_duration("1 minggu", plain_hari=Unit.HARI_KALENDER)
    assert (week.maximum, week.unit) == (7, Unit.HARI_KALENDER)
