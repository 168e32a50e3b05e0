"""What is handed over: the facts people write on the hand-over step, with defaults.

Written in the hand-over step issue (or the epic), a ``Label: value`` list under a
``Serah Terima`` heading::

    ## Serah Terima

    - Aplikasi: Sistem Informasi Absensi Pegawai
    - Versi: 1.2.0
    - Repositori: https://git.karanganyarkab.go.id/diskominfo/absensi
    - Commit/Tag: v1.2.0 (3f2a9c1)
    - Basis Data: PostgreSQL 15, skema absensi (dump absensi-2026-11-20.sql)
    - Manual: Manual Pengguna v1.2, Manual Administrator v1.2
    - Akun: admin-absensi (administrator), operator-bkd (operator)

The application defaults to the request's title and the repository to the request's
``repo``; what is neither written nor known is a visible gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_sync.documents.sections import Section, find, key

HEADINGS = ("Serah Terima", "Serah Terima Aplikasi", "Berita Acara Serah Terima")

ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Aplikasi", ("Aplikasi", "Nama Aplikasi")),
    ("Versi", ("Versi", "Version")),
    ("Repositori Kode Sumber", ("Repositori", "Repository", "Kode Sumber", "Repo")),
    ("Commit/Tag", ("Commit/Tag", "Commit", "Tag", "Rilis")),
    ("Basis Data", ("Basis Data", "Database", "Basisdata")),
    ("Manual", ("Manual", "Dokumentasi", "Panduan", "Manual Pengguna")),
    ("Akun", ("Akun", "Akun yang Diserahkan", "Hak Akses")),
)
"""Each fact of the hand-over table, with the labels it is written under."""


@dataclass(frozen=True)
class Handover:
    """The facts found: (item, value or "") in :data:`ITEMS` order."""

    facts: tuple[tuple[str, str], ...]


def read_handover(sections: dict[str, Section], title: str, repo: str) -> Handover:
    """The hand-over facts in ``sections``; the title and repository fill what is not written."""
    section = find(sections, HEADINGS)
    written = section.labelled() if section is not None else {}
    defaults = {"Aplikasi": title, "Repositori Kode Sumber": repo}
    facts = []
    for item, labels in ITEMS:
        value = next((written[key(label)] for label in labels if written.get(key(label))), "")
        facts.append((item, value or defaults.get(item, "")))
    return Handover(tuple(facts))
