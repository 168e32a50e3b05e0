"""Mutu Baku times: parse what the SOP says ("1- 2 Jam", "900 menit", "Tentatif") into a value.

The original text is always kept; the structure is what the schedule computes with.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from fractions import Fraction


class Unit(enum.Enum):
    """Units the seed SOPs use. ``HARI_KERJA`` and ``HARI_KALENDER`` differ on weekends."""

    MENIT = "menit"
    JAM = "jam"
    HARI_KERJA = "hari kerja"
    HARI_KALENDER = "hari kalender"


@dataclass(frozen=True)
class Duration:
    """A step's standard time as written, and what it means.

    ``minimum``/``maximum`` are in ``unit``; both ``None`` for tentative and ongoing times.
    ``tentative`` covers "Tentatif" and a blank cell (the SOP sets no time);
    ``ongoing`` covers "Selama sistem informasi digunakan" (the step never ends).
    """

    text: str
    minimum: int | None = None
    maximum: int | None = None
    unit: Unit | None = None
    tentative: bool = False
    ongoing: bool = False

    @property
    def fixed(self) -> bool:
        """True when the time is a number of units (not tentative, not ongoing)."""
        return self.unit is not None

    @property
    def working_days(self) -> bool:
        """True when the unit is counted on the working-day calendar."""
        return self.unit is not None and self.unit is not Unit.HARI_KALENDER

    def display(self) -> str:
        """The text as the SOP wrote it, or a dash for a blank cell."""
        return self.text or "—"


_DECIMAL = r"\d+(?:[.,]\d{1,6})?"
_NUMBER = rf"(?P<min>{_DECIMAL})(?:\s*[-–]\s*(?P<max>{_DECIMAL}))?"
_ABOUT = re.compile(
    r"^(?:±|\+/-|\+-|kurang\s+lebih|kl\.?|sekitar|maks(?:imal)?\.?)\s*", re.IGNORECASE
)
"""Words agencies put before a time that do not change it: "± 25 menit", "maksimal 3 hari"."""
_UNITS: dict[str, Unit] = {
    "menit": Unit.MENIT,
    "mnt": Unit.MENIT,
    "jam": Unit.JAM,
    "hari kerja": Unit.HARI_KERJA,
    "hari kalender": Unit.HARI_KALENDER,
}
_FIXED = re.compile(
    _NUMBER + r"\s*(?P<unit>menit|mnt|jam|minggu|hari(?:\s+(?:kerja|kalender))?)\.?",
    re.IGNORECASE,
)
_TENTATIVE = {"", "tentatif", "-", "—"}
LONGEST_YEARS = 40
_LONGEST: dict[Unit, int] = {
    Unit.MENIT: 4_680_000,
    Unit.JAM: 78_000,
    Unit.HARI_KERJA: 10_400,
    Unit.HARI_KALENDER: 14_610,
}
"""A working life (40 years) in each unit: 260 working days a year of 7.5 hours (Perpres
21/2023), or 14,610 calendar days. A longer time is a typo, or an attack that would overflow
the calendar; no step and no ``batas_waktu`` outlasts the career of the civil servant."""
_ONGOING = re.compile(r"selama\s+.*\s+(digunakan|berjalan|beroperasi)", re.IGNORECASE)


def parse_duration(text: str | None, *, plain_hari: Unit = Unit.HARI_KERJA) -> Duration:
    """Parse a Mutu Baku time; raise ``ValueError`` with a message for anything unknown.

    ``plain_hari`` says what "hari" alone means (working days unless configured).
    """
    original = "" if text is None else str(text)
    shown = _shown(original.strip())
    cleaned = " ".join(original.split())
    if cleaned.lower() in _TENTATIVE:
        return Duration(text=original.strip(), tentative=True)
    if _ONGOING.fullmatch(cleaned):
        return Duration(text=original.strip(), ongoing=True)
    match = _FIXED.fullmatch(_ABOUT.sub("", cleaned))
    if match is None:
        raise ValueError(
            f"cannot read the time {shown!r}; write it like '2 jam', '1-2 jam', "
            "'1,5 jam', '30 menit', '3 hari kerja', '7 hari kalender', '1 minggu', 'Tentatif' "
            "or 'Selama sistem informasi digunakan'"
        )
    word = " ".join(match["unit"].lower().split())
    unit = plain_hari if word in ("hari", "minggu") else _UNITS[word]
    if any(len(re.split("[.,]", n)[0]) > 9 for n in (match["min"], match["max"] or "")):
        raise _too_long(shown, unit)  # no need to read all the digits of a number that large
    low, high = _amount(match["min"]), _amount(match["max"] or match["min"])
    if word == "minggu":  # a week: 5 working days, or 7 calendar days where hari means that
        per_week = 7 if unit is Unit.HARI_KALENDER else 5
        low, high = low * per_week, high * per_week
    elif word == "jam" and (low % 1 or high % 1):  # "1,5 jam" is 90 minutes
        unit, low, high = Unit.MENIT, low * 60, high * 60
    if low % 1 or high % 1:
        raise ValueError(
            f"cannot read the time {shown!r}: a fraction only works with 'jam' "
            "(write '1,5 jam', or '90 menit')"
        )
    if high > _LONGEST[unit]:
        raise _too_long(shown, unit)
    if high < low:
        raise ValueError(f"the range in {shown!r} runs backwards")
    if high == 0:
        raise ValueError(f"the time {shown!r} is zero")
    return Duration(text=original.strip(), minimum=int(low), maximum=int(high), unit=unit)


def _too_long(shown: str, unit: Unit) -> ValueError:
    return ValueError(
        f"the time {shown!r} is longer than {LONGEST_YEARS} years "
        f"(at most {_LONGEST[unit]} {unit.value})"
    )


def _amount(text: str) -> int | Fraction:
    """``1,5`` or ``1.5`` -> 3/2, exactly (Indonesian writes the decimal comma); ``2`` -> 2."""
    return Fraction(text.replace(",", ".")) if "," in text or "." in text else int(text)


def _shown(text: str) -> str:
    """``text`` cut to a length a one-line message can quote."""
    return text if len(text) <= 40 else f"{text[:30]}…{text[-8:]}"
