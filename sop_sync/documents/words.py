"""Indonesian conventions of official writing: numbers and dates in words, money, NIP.

Numbers in words come from ``num2words`` (``lang="id"``); day and month names and the Roman
month numerals are fixed lists. Pure functions of their arguments.
"""

from __future__ import annotations

import datetime as dt
import re

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "milyar": 10**9, "triliun": 10**12}
_AMOUNT = re.compile(
    r"(?:rp\.?\s*)?(?P<number>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<fraction>\d+))?"
    r"(?:\s*(?P<scale>ribu|juta|miliar|milyar|triliun))?",
    re.IGNORECASE,
)


def terbilang(number: int) -> str:
    """``2026`` -> ``dua ribu dua puluh enam`` (whole numbers, never negative)."""
    if number < 0:
        raise ValueError(f"no words for a negative number ({number})")
    from num2words import num2words  # loads every language: only when words are wanted

    return str(num2words(number, lang="id"))


def roman_month(month: int) -> str:
    """``11`` -> ``XI`` (the month in a letter's number, ``004/KAK-APL/XI/2026``)."""
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return ROMAN_MONTHS[month - 1]


def day_name(date: dt.date) -> str:
    """``Senin`` ... ``Minggu``."""
    return DAYS[date.weekday()]


def long_date(date: dt.date) -> str:
    """``23 November 2026``."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def numeric_date(date: dt.date) -> str:
    """``23-11-2026`` (day, month, year)."""
    return f"{date:%d-%m-%Y}"


def spoken_date(date: dt.date) -> str:
    """``Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam``."""
    return (
        f"{day_name(date)} tanggal {terbilang(date.day)} bulan {MONTHS[date.month - 1]} "
        f"tahun {terbilang(date.year)}"
    )


def opening_date(date: dt.date) -> str:
    """``Pada hari ini, Senin tanggal ... dua puluh enam (23-11-2026)`` (a Berita Acara)."""
    return f"Pada hari ini, {spoken_date(date)} ({numeric_date(date)})"


def thousands(number: int) -> str:
    """``100000000`` -> ``100.000.000`` (dots group thousands)."""
    return f"{number:,}".replace(",", ".")


def rupiah(amount: int) -> str:
    """``Rp100.000.000 (seratus juta rupiah)``."""
    return f"Rp{thousands(amount)} ({terbilang(amount)} rupiah)"


def parse_rupiah(text: str) -> int | None:
    """The whole rupiah an amount written by a person names, or None.

    Reads ``Rp 150.000.000``, ``Rp150.000.000,00``, ``150000000``, ``150 juta``,
    ``1,5 miliar``; a text naming no amount, or several, gives None.
    """
    found = list(_AMOUNT.finditer(text))
    if len(found) != 1:
        return None
    match = found[0]
    whole = int(match["number"].replace(".", ""))
    fraction = match["fraction"] or ""
    scale = _SCALES.get((match["scale"] or "").lower(), 1)
    if scale == 1:
        return whole  # ",00" sen are dropped: amounts in a KAK are whole rupiah
    return int(whole * scale + int(fraction or 0) * scale // 10 ** len(fraction))


def in_words(number: int, unit: str) -> str:
    """``90 (sembilan puluh) hari kalender``."""
    return f"{number} ({terbilang(number)}) {unit}"


def format_nip(nip: str) -> str:
    """``196805201992032005`` -> ``19680520 199203 2 005``; anything else as written.

    The 18 digits are the birth date (8), the year and month of appointment (6), the gender
    (1) and a sequence number (3).
    """
    digits = re.sub(r"\s+", "", nip)
    if not re.fullmatch(r"\d{18}", digits):
        return nip.strip()
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
