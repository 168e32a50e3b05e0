"""The ``documents`` section of ``sop-sync.yaml``: people, letterhead, numbers, templates.

```yaml
documents:
  pegawai:                        # tracker username -> the person as documents name them
    sari:
      nama: Sari Wulandari, S.Kom.
      nip: "198705122010012003"
      pangkat: Penata (III/c)
      jabatan: Analis Sistem Informasi
    cv-andalan:                   # a vendor: the company instead of NIP and pangkat
      nama: Budi Santoso
      perusahaan: CV Andalan Teknologi
      jabatan: Direktur
  kop:                            # the letterhead
    pemerintah: Pemerintah Kabupaten Karanganyar
    dinas: Dinas Komunikasi dan Informatika
    alamat: Jl. Lawu No. 385 Karanganyar 57712
    telepon: (0271) 495039
    laman: diskominfo.karanganyarkab.go.id
    surel: diskominfo@karanganyarkab.go.id
    logo: kop/logo.png             # PNG or JPEG, relative to the working folder
    kota: Karanganyar              # where documents are signed
  tempat: Ruang Rapat Dinas Komunikasi dan Informatika   # "bertempat di ..."
  nomor:                          # number patterns per document
    kak: "{urut:03d}/KAK-APL/{bulan_romawi}/{tahun}"
  pihak:                          # parties by role, per SOP id and document
    karanganyar:
      berita-acara-uat: {pertama: analis-sistem, kedua: pd-pengampu, mengetahui: seksi-psi}
  kertas: F4                      # A4 (default) or F4
  lampiran: [md, docx, pdf]       # formats attached when a step closes or /sop dokumen asks
  templates: templat-dinas        # the agency's own dokumen.html.j2, gaya.css, dasar.docx ...
```

Plain pydantic models: the pure half reads them, :mod:`sop_sync.config` embeds them.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sop_sync.sop.model import DocumentKind

NUMBER_FIELDS = frozenset({"urut", "bulan", "bulan_romawi", "tahun", "kunci"})
"""What a number pattern may use: ``{urut:03d}``, ``{bulan}``, ``{bulan_romawi}``,
``{tahun}``, ``{kunci}`` (the request key)."""

DEFAULT_PATTERNS: dict[DocumentKind, str] = {
    DocumentKind.KAK: "{urut:03d}/KAK-APL/{bulan_romawi}/{tahun}",
    DocumentKind.BA_AGREEMENT: "{urut:03d}/BA-KSP/{bulan_romawi}/{tahun}",
    DocumentKind.BA_UAT: "{urut:03d}/BA-UAT/{bulan_romawi}/{tahun}",
    DocumentKind.BA_HANDOVER: "{urut:03d}/BA-ST/{bulan_romawi}/{tahun}",
}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pegawai(_Strict):
    """One person as documents name them (a civil servant, or a vendor's representative)."""

    nama: str = Field(min_length=1)
    nip: str | None = Field(None, pattern=r"^\d{8} ?\d{6} ?\d ?\d{3}$")
    """18 digits (spaces between the groups allowed)."""
    pangkat: str | None = None
    """Pangkat/golongan, e.g. ``Penata (III/c)``."""
    jabatan: str | None = None
    perusahaan: str | None = None
    """A vendor's company: shown instead of NIP and pangkat."""


class Kop(_Strict):
    """The letterhead (kop surat): who issues the document and how to reach them."""

    pemerintah: str | None = None
    dinas: str | None = None
    alamat: str | None = None
    telepon: str | None = None
    laman: str | None = None
    surel: str | None = None
    logo: Path | None = None
    kota: str | None = None
    """Where documents are signed (``Karanganyar, 23 November 2026``)."""


class Pihak(_Strict):
    """Which role signs as PIHAK PERTAMA, PIHAK KEDUA and under "Mengetahui" (role ids)."""

    pertama: str | None = None
    kedua: str | None = None
    mengetahui: str | None = None


def check_pattern(pattern: str) -> str:
    """``pattern`` if it formats a number with the known fields only (else ``ValueError``).

    Attribute and index lookups (``{urut.real}``, ``{tahun[0]}``) are refused: a pattern
    only places values.
    """
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as error:
        raise ValueError(f"malformed number pattern {pattern!r}: {error}") from None
    for name in names:
        if name not in NUMBER_FIELDS:
            known = ", ".join(sorted(NUMBER_FIELDS))
            raise ValueError(f"unknown field {{{name}}} in {pattern!r} (known: {known})")
    sample = {"urut": 1, "bulan": 11, "bulan_romawi": "XI", "tahun": 2026, "kunci": "uji"}
    try:
        pattern.format(**sample)
    except (ValueError, IndexError) as error:
        raise ValueError(f"malformed number pattern {pattern!r}: {error}") from None
    return pattern


class DocumentSettings(_Strict):
    """Everything documents need besides the request: people, kop, numbers, templates."""

    pegawai: dict[str, Pegawai] = {}
    kop: Kop = Kop()
    tempat: str | None = None
    """Where Berita Acara meetings take place (``bertempat di ...``)."""
    nomor: dict[DocumentKind, str] = {}
    pihak: dict[str, dict[DocumentKind, Pihak]] = {}
    """SOP id -> document -> the roles of the parties (else chosen from the SOP's steps)."""
    kertas: Literal["A4", "F4"] = "A4"
    lampiran: list[Literal["md", "docx", "pdf"]] = Field(["md", "docx", "pdf"], min_length=1)
    """The formats sop-sync attaches by itself (a producing step closed, ``/sop dokumen``)."""
    templates: Path | None = None
    """A folder whose files replace the bundled ``templates/documents/`` files of that name."""

    @field_validator("nomor")
    @classmethod
    def _patterns(cls, value: dict[DocumentKind, str]) -> dict[DocumentKind, str]:
        for pattern in value.values():
            check_pattern(pattern)
        return value

    def pattern(self, kind: DocumentKind) -> str:
        """The number pattern of ``kind`` (the agency's, else the default)."""
        return self.nomor.get(kind, DEFAULT_PATTERNS[kind])

    def parties(self, sop_id: str, kind: DocumentKind) -> Pihak:
        """The roles configured for ``kind`` in SOP ``sop_id`` (unset ones are chosen)."""
        return self.pihak.get(sop_id, {}).get(kind, Pihak())
