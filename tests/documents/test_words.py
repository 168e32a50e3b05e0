"""Indonesian conventions on real dates and amounts: terbilang, money, NIP, Roman months."""

from __future__ import annotations

import datetime as dt

import pytest

from sop_sync.documents.words import (
    format_nip,
    in_words,
    long_date,
    numeric_date,
    opening_date,
    parse_rupiah,
    roman_month,
    rupiah,
    spoken_date,
    terbilang,
)


def test_spoken_date_of_23_november_2026() -> None:
    """2026-11-23 is a Monday, said in full as a Berita Acara opens."""
    assert spoken_date(dt.date(2026, 11, 23)) == (
        "Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam"
    )


def test_opening_sentence_ends_with_the_date_in_figures() -> None:
    """The opening: "Pada hari ini, ... (23-11-2026)"."""
    assert opening_date(dt.date(2026, 11, 23)) == (
        "Pada hari ini, Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh "
        "enam (23-11-2026)"
    )


CALENDAR = [
    (dt.date(2027, 1, 1), "Jumat tanggal satu bulan Januari tahun dua ribu dua puluh tujuh"),
    (dt.date(2026, 8, 17), "Senin tanggal tujuh belas bulan Agustus tahun dua ribu dua puluh enam"),
    (
        dt.date(2028, 2, 29),
        "Selasa tanggal dua puluh sembilan bulan Februari tahun dua ribu dua puluh delapan",
    ),
    (dt.date(2026, 12, 11), "Jumat tanggal sebelas bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2030, 5, 31), "Jumat tanggal tiga puluh satu bulan Mei tahun dua ribu tiga puluh"),
    (dt.date(2026, 3, 1), "Minggu tanggal satu bulan Maret tahun dua ribu dua puluh enam"),
]
"""Real dates: New Year 2027, Independence Day 2026, a leap day, sebelas, the 31st, a Sunday."""


@pytest.mark.parametrize(("date", "spoken"), CALENDAR)
def test_spoken_dates(date: dt.date, spoken: str) -> None:
    """Day names from the real calendar; sebelas, tujuh belas; a leap day."""
    assert spoken_date(date) == spoken


def test_dates_in_figures() -> None:
    """``23-11-2026`` in the opening, ``23 November 2026`` under the signatures."""
    assert numeric_date(dt.date(2026, 1, 5)) == "05-01-2026"
    assert long_date(dt.date(2026, 1, 5)) == "5 Januari 2026"


@pytest.mark.parametrize(
    ("month", "roman"),
    [(1, "I"), (2, "II"), (4, "IV"), (7, "VII"), (9, "IX"), (11, "XI"), (12, "XII")],
)
def test_roman_months(month: int, roman: str) -> None:
    """Months in a letter's number are Roman numerals."""
    assert roman_month(month) == roman


def test_roman_month_of_a_real_date() -> None:
    """A number given on 2026-11-23 carries ``XI``."""
    assert roman_month(dt.date(2026, 11, 23).month) == "XI"


def test_no_thirteenth_month() -> None:
    """Month 13 is an error, not ``XIII``."""
    with pytest.raises(ValueError, match="no month 13"):
        roman_month(13)


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (100_000_000, "Rp100.000.000 (seratus juta rupiah)"),
        (150_000_000, "Rp150.000.000 (seratus lima puluh juta rupiah)"),
        (1_250_000, "Rp1.250.000 (satu juta dua ratus lima puluh ribu rupiah)"),
        (1_000, "Rp1.000 (seribu rupiah)"),
        (2_500_000_000, "Rp2.500.000.000 (dua miliar lima ratus juta rupiah)"),
    ],
)
def test_rupiah(amount: int, written: str) -> None:
    """Money as figures with dots, then in words."""
    assert rupiah(amount) == written


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp 150.000.000", 150_000_000),
        ("Rp150.000.000,00", 150_000_000),
        ("150000000", 150_000_000),
        ("Rp. 75.500.000", 75_500_000),
        ("150 juta", 150_000_000),
        ("Rp 1,5 miliar", 1_500_000_000),
        ("sekitar Rp 2 miliar", 2_000_000_000),
    ],
)
def test_amounts_people_write(text: str, amount: int) -> None:
    """The ways a Perkiraan Biaya is written all read as whole rupiah."""
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize("text", ["belum ditentukan", "Rp 100.000.000 s.d. Rp 150.000.000", ""])
def test_text_naming_no_single_amount(text: str) -> None:
    """No amount, or a range: shown as written, never guessed."""
    assert parse_rupiah(text) is None


def test_durations_in_figures_and_words() -> None:
    """``90 (sembilan puluh) hari kalender``."""
    assert in_words(90, "hari kalender") == "90 (sembilan puluh) hari kalender"
    assert in_words(15, "hari kerja") == "15 (lima belas) hari kerja"


def test_nip_in_its_four_groups() -> None:
    """Birth date, appointment year-month, gender, sequence."""
    assert format_nip("196805202005032005") == "19680520 200503 2 005"
    assert format_nip("19680520 199203 2 005") == "19680520 199203 2 005"


def test_a_malformed_nip_is_shown_as_written() -> None:
    """Not 18 digits: nothing is regrouped."""
    assert format_nip(" 1968-0520 ") == "1968-0520"


def test_terbilang_refuses_negative_numbers() -> None:
    """No words for -1 (a bug upstream, not a document)."""
    assert terbilang(0) == "nol"
    with pytest.raises(ValueError, match="negative"):
        terbilang(-1)
