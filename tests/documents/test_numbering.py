"""Numbers: made once from the pattern, the sequence per document and year, kept in the data."""

from __future__ import annotations

import datetime as dt

from sop_sync.documents.numbering import (
    Numbered,
    give_number,
    keep_number,
    next_sequence,
    numbered,
)
from sop_sync.model.changes import Ref, SetData, UpdateFields
from sop_sync.sop.model import DocumentKind

KAK = DocumentKind.KAK
PATTERN = "{urut:03d}/KAK-APL/{bulan_romawi}/{tahun}"
DAY = dt.date(2026, 11, 23)


def kept(number: str, date: str, sequence: int) -> dict[str, str]:
    """Epic data holding a KAK number."""
    return {"nomor-kak": number, "tanggal-kak": date, "urut-kak": str(sequence)}


def test_first_number_of_the_year() -> None:
    """No KAK yet: ``001/KAK-APL/XI/2026``."""
    assert give_number(KAK, "absensi", PATTERN, DAY, []) == Numbered("001/KAK-APL/XI/2026", DAY, 1)


def test_next_number_after_those_given_this_year() -> None:
    """Three KAKs this year (one of them numbered 3): the next is 4."""
    taken = [
        kept("001/KAK-APL/II/2026", "2026-02-03", 1),
        kept("003/KAK-APL/IX/2026", "2026-09-01", 3),
        {"sop": "karanganyar"},
        kept("009/KAK-APL/XII/2025", "2025-12-30", 9),  # last year's do not count
    ]
    assert give_number(KAK, "absensi", PATTERN, DAY, taken).number == "004/KAK-APL/XI/2026"


def test_each_document_has_its_own_sequence() -> None:
    """A Berita Acara numbered 7 does not move the KAK's sequence."""
    taken = [
        {
            "nomor-berita-acara-uat": "007/BA-UAT/XI/2026",
            "tanggal-berita-acara-uat": "2026-11-02",
            "urut-berita-acara-uat": "7",
        }
    ]
    assert next_sequence(taken, KAK, 2026) == 1
    assert next_sequence(taken, DocumentKind.BA_UAT, 2026) == 8


def test_pattern_with_key_and_month() -> None:
    """``{kunci}`` and ``{bulan:02d}`` are there for agencies that want them."""
    found = give_number(KAK, "absensi", "{kunci}/{bulan:02d}/{urut}", dt.date(2027, 1, 4), [])
    assert found.number == "absensi/01/1"


def test_keeping_a_number_keeps_the_other_data() -> None:
    """One SetData with every entry of the epic's data and the three number entries."""
    change = keep_number(
        "absensi",
        {"sop": "karanganyar", "judul": "X"},
        KAK,
        Numbered("004/KAK-APL/XI/2026", DAY, 4),
    )
    assert change == UpdateFields(
        Ref("absensi"),
        (
            SetData(
                (
                    ("sop", "karanganyar"),
                    ("judul", "X"),
                    ("nomor-kak", "004/KAK-APL/XI/2026"),
                    ("tanggal-kak", "2026-11-23"),
                    ("urut-kak", "4"),
                )
            ),
        ),
    )


def test_number_read_back() -> None:
    """What :func:`keep_number` writes, :func:`numbered` reads."""
    assert numbered(kept("004/KAK-APL/XI/2026", "2026-11-23", 4), KAK) == Numbered(
        "004/KAK-APL/XI/2026", DAY, 4
    )


def test_a_damaged_number_counts_as_none() -> None:
    """A hand-edited marker with a bad date or sequence: a new number is given."""
    assert numbered(kept("004/KAK-APL/XI/2026", "23-11-2026", 4), KAK) is None
    assert numbered({"nomor-kak": "x", "tanggal-kak": "2026-11-23", "urut-kak": "x"}, KAK) is None
    assert numbered({}, KAK) is None
