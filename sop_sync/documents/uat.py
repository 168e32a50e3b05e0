"""The UAT result people write on the UAT step: a scenario table and a conclusion.

Written in the UAT step issue (its description or a comment; the latest wins)::

    ## Skenario UAT

    | Fitur | Skenario | Hasil | Catatan |
    |---|---|---|---|
    | Login | Pegawai masuk dengan NIP dan kata sandi | Sesuai | |
    | Rekap | Unduh rekap bulanan (PDF) | Tidak sesuai | Format tanggal salah |

    Kesimpulan: diterima dengan catatan

Columns are found by their header (``Fitur``/``Fungsi``/``Modul``, ``Skenario``,
``Hasil``/``Status``, ``Catatan``/``Keterangan``; a ``No`` column is ignored). Hasil reads
``sesuai``/``ya``/``ok``/``berhasil`` and ``tidak sesuai``/``tidak``/``gagal``. The
conclusion is ``diterima``, ``diterima dengan catatan`` or ``ditolak``, on a ``Kesimpulan:``
line or under a ``Kesimpulan`` heading.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sop_sync.documents.sections import Grid, Section, find, key

HEADINGS = ("Skenario UAT", "Skenario Pengujian", "Hasil UAT", "User Acceptance Test")
CONCLUSION_HEADINGS = ("Kesimpulan", "Kesimpulan UAT")
_COLUMNS = {
    "feature": ("fitur", "fungsi", "modul", "menu", "fitur/modul"),
    "scenario": ("skenario", "skenario uji", "langkah uji", "kasus uji", "uji"),
    "result": ("hasil", "status", "hasil uji", "sesuai/tidak", "sesuai"),
    "note": ("catatan", "keterangan", "komentar"),
}
_PASS = {"sesuai", "ya", "ok", "oke", "berhasil", "lulus", "diterima", "pass", "✓", "✔", "v"}
_FAIL = {"tidak sesuai", "tidak", "belum sesuai", "gagal", "ditolak", "fail", "x", "✗", "✘"}


class Conclusion(enum.Enum):
    """What the requesting party concludes from the test."""

    ACCEPTED = "diterima"
    ACCEPTED_WITH_NOTES = "diterima dengan catatan"
    REJECTED = "ditolak"


@dataclass(frozen=True)
class Scenario:
    """One row of the scenario table; ``passed`` None when Hasil cannot be read."""

    feature: str
    scenario: str
    result: str
    passed: bool | None
    note: str


@dataclass(frozen=True)
class UatResult:
    """The scenarios and the conclusion found (either may be missing)."""

    scenarios: tuple[Scenario, ...]
    conclusion: Conclusion | None
    conclusion_text: str = ""


def passed(result: str) -> bool | None:
    """``Sesuai`` -> True, ``Tidak sesuai`` -> False, anything else None."""
    value = " ".join(result.casefold().split()).strip(" .!")
    if value in _PASS:
        return True
    if value in _FAIL:
        return False
    return None


def conclusion(text: str) -> Conclusion | None:
    """The conclusion a text states (``Diterima dengan catatan.`` ...), or None."""
    value = key(text)
    if value.startswith(("ditolak", "tidak diterima", "tolak")):
        return Conclusion.REJECTED
    if value.startswith(("diterima dengan catatan", "terima dengan catatan")):
        return Conclusion.ACCEPTED_WITH_NOTES
    if value.startswith(("diterima", "terima")):
        return Conclusion.ACCEPTED
    return None


def _column(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    keys = [key(cell) for cell in header]
    return next((keys.index(name) for name in names if name in keys), None)


def scenarios(grid: Grid) -> tuple[Scenario, ...]:
    """The rows of a scenario table, by the columns its header names."""
    where = {field: _column(grid.header, names) for field, names in _COLUMNS.items()}

    def cell(row: tuple[str, ...], field: str) -> str:
        at = where[field]
        return row[at].strip() if at is not None and at < len(row) else ""

    rows = []
    for row in grid.rows:
        result = cell(row, "result")
        rows.append(
            Scenario(
                cell(row, "feature"),
                cell(row, "scenario"),
                result,
                passed(result),
                cell(row, "note"),
            )
        )
    return tuple(r for r in rows if r.feature or r.scenario or r.result or r.note)


def read_uat(sections: dict[str, Section]) -> UatResult:
    """The UAT result in ``sections`` (those of the UAT step's texts)."""
    table_section = find(sections, HEADINGS)
    grids = [c for c in table_section.content if isinstance(c, Grid)] if table_section else []
    found = scenarios(grids[0]) if grids else ()
    stated = table_section.labelled().get("kesimpulan", "") if table_section else ""
    if not stated:
        heading = find(sections, CONCLUSION_HEADINGS)
        stated = heading.text() if heading is not None else ""
    return UatResult(found, conclusion(stated) if stated else None, stated)
