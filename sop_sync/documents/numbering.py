"""Document numbers: made once from the agency's pattern, then kept in the epic's marker data.

``{urut:03d}/KAK-APL/{bulan_romawi}/{tahun}`` with the next sequence number of that document
in that year gives ``004/KAK-APL/XI/2026``. The number, its date and its sequence number are
kept in the epic's data (``nomor-kak``, ``tanggal-kak``, ``urut-kak``), so the next run finds
them and a regenerated document keeps its number. Pure: the caller reads the other requests'
data and writes the new data (one ``UpdateFields`` with ``SetData``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sop_sync.documents.settings import check_pattern
from sop_sync.documents.words import roman_month
from sop_sync.model.changes import Ref, SetData, UpdateFields
from sop_sync.sop.model import DocumentKind


@dataclass(frozen=True)
class Numbered:
    """A document's number, the date it was given and its sequence number in that year."""

    number: str
    date: dt.date
    sequence: int


def number_key(kind: DocumentKind) -> str:
    """The epic data key of the number: ``nomor-kak``."""
    return f"nomor-{kind.value}"


def date_key(kind: DocumentKind) -> str:
    """The epic data key of the date the number was given: ``tanggal-kak``."""
    return f"tanggal-{kind.value}"


def sequence_key(kind: DocumentKind) -> str:
    """The epic data key of the sequence number: ``urut-kak``."""
    return f"urut-{kind.value}"


def numbered(data: Mapping[str, str], kind: DocumentKind) -> Numbered | None:
    """The number kept in the epic's data, if one was given (a damaged entry counts as none)."""
    number = data.get(number_key(kind), "")
    try:
        date = dt.date.fromisoformat(data.get(date_key(kind), ""))
        sequence = int(data.get(sequence_key(kind), ""))
    except ValueError:
        return None
    return Numbered(number, date, sequence) if number else None


def next_sequence(taken: Iterable[Mapping[str, str]], kind: DocumentKind, year: int) -> int:
    """One more than the highest sequence number of ``kind`` given in ``year`` (from 1)."""
    used = [
        found.sequence
        for data in taken
        if (found := numbered(data, kind)) is not None and found.date.year == year
    ]
    return max(used, default=0) + 1


def give_number(
    kind: DocumentKind,
    key: str,
    pattern: str,
    date: dt.date,
    taken: Iterable[Mapping[str, str]],
) -> Numbered:
    """A new number for ``kind`` on request ``key``, after those in ``taken`` (epic data)."""
    sequence = next_sequence(taken, kind, date.year)
    number = check_pattern(pattern).format(
        urut=sequence,
        bulan=date.month,
        bulan_romawi=roman_month(date.month),
        tahun=date.year,
        kunci=key,
    )
    return Numbered(number, date, sequence)


def keep_number(
    key: str, data: Mapping[str, str], kind: DocumentKind, given: Numbered
) -> UpdateFields:
    """The change that keeps ``given`` in the epic's data (every other entry unchanged)."""
    kept = {
        **data,
        number_key(kind): given.number,
        date_key(kind): given.date.isoformat(),
        sequence_key(kind): str(given.sequence),
    }
    return UpdateFields(Ref(key), (SetData(tuple(kept.items())),))
