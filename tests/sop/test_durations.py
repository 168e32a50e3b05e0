"""Mutu Baku times: every form the seed SOPs use parses, anything else is an error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_sync.sop.durations import LONGEST_YEARS, Duration, Unit, parse_duration


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


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("100000000000000000000 hari", "10400 hari kerja"),
        ("1" + "0" * 400 + " jam", "78000 jam"),
        ("1-1" + "0" * 5000 + " menit", "4680000 menit"),
        ("10401 hari kerja", "10400 hari kerja"),
        ("14611 hari kalender", "14610 hari kalender"),
        ("78001 jam", "78000 jam"),
        ("78000,5 jam", "4680000 menit"),
        ("4680001 menit", "4680000 menit"),
        ("2081 minggu", "10400 hari kerja"),
    ],
)
def test_times_longer_than_a_working_life_are_refused(text: str, limit: str) -> None:
    """A time of more than 40 years is a typo or an attack: one line, the text shortened."""
    with pytest.raises(ValueError, match="is longer than 40 years") as caught:
        parse_duration(text)
    message = str(caught.value)
    assert message.endswith(f"is longer than {LONGEST_YEARS} years (at most {limit})")
    assert len(message) < 200


def test_a_long_number_is_refused_without_floating_point() -> None:
    """A number too big for a float is still refused as too long (not an OverflowError)."""
    with pytest.raises(ValueError, match="longer than 40 years"):
        parse_duration("9" * 400 + " hari", plain_hari=Unit.HARI_KALENDER)


@pytest.mark.parametrize(
    "text",
    ["10400 hari kerja", "14610 hari kalender", "78000 jam", "4680000 menit", "2080 minggu"],
)
def test_forty_years_stay_allowed(text: str) -> None:
    """Up to 40 years (10,400 working days of 7.5 hours, 14,610 calendar days) is accepted."""
    assert parse_duration(text).fixed


def test_an_unreadable_long_time_is_quoted_short() -> None:
    """The message quotes the start and the end of a long text, on one short line."""
    with pytest.raises(ValueError, match="cannot read the time") as caught:
        parse_duration("x" * 100_000)
    assert len(str(caught.value)) < 300
