"""The seed request of the document tests: one application request, written as people would.

``Sistem Informasi Absensi Pegawai``, requested by BKPSDM from Diskominfo Karanganyar, on
each seed SOP that produces a document: the KAK on ``bkd-jateng`` (steps 11 and 13), the
Berita Acara Kesepakatan on ``bali`` (step 7), the UAT and hand-over Berita Acara on
``karanganyar`` (steps 10 and 13). The request template's sections are in the epic's
description, the UAT table and the hand-over facts in comments on their steps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct
import zlib
from pathlib import Path

from sop_sync.config import CalendarSettings
from sop_sync.documents.assemble import assemble
from sop_sync.documents.blocks import Document
from sop_sync.documents.numbering import date_key, number_key, sequence_key
from sop_sync.documents.settings import DocumentSettings, Kop, Pegawai
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest
from sop_sync.schedule.timeline import Schedule, schedule
from sop_sync.sop.model import DocumentKind, Sop
from tests.builders import note, observed, request_for, seed

KEY = "absensi"
TITLE = "Sistem Informasi Absensi Pegawai"
START = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 23)
"""A Monday: "Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam"."""

SOPS: dict[DocumentKind, str] = {
    DocumentKind.KAK: "bkd-jateng",
    DocumentKind.BA_AGREEMENT: "bali",
    DocumentKind.BA_UAT: "karanganyar",
    DocumentKind.BA_HANDOVER: "karanganyar",
}
NUMBERS: dict[DocumentKind, str] = {
    DocumentKind.KAK: "004/KAK-APL/XI/2026",
    DocumentKind.BA_AGREEMENT: "007/BA-KSP/XI/2026",
    DocumentKind.BA_UAT: "012/BA-UAT/XI/2026",
    DocumentKind.BA_HANDOVER: "003/BA-ST/XI/2026",
}

PEOPLE: dict[str, dict[str, str]] = {
    "bkd-jateng": {"jfu": "sari", "kasubbid": "andi", "kabid": "hendra"},
    "bali": {"ka-dinas": "hendra", "pd": "dewi"},
    "karanganyar": {
        "analis-sistem": "sari",
        "tim-pengembang": "cv-andalan",
        "seksi-psi": "andi",
        "pd-pengampu": "dewi",
        "seksi-egov": "rudi",
    },
}

REQUEST_TEXT = """\
## Latar Belakang

Pencatatan kehadiran pegawai di lingkungan Pemerintah Kabupaten Karanganyar masih dilakukan
secara manual dengan buku hadir, sehingga rekapitulasi bulanan memerlukan waktu lama dan
rawan kesalahan.

## Maksud dan Tujuan

Maksud kegiatan ini adalah membangun aplikasi absensi pegawai berbasis web. Tujuannya:

1. mempercepat rekapitulasi kehadiran;
2. menyediakan data kehadiran yang akurat untuk perhitungan tunjangan.

## Sasaran

Tersedianya aplikasi absensi yang digunakan oleh seluruh perangkat daerah.

## Sumber Dana

APBD Kabupaten Karanganyar Tahun Anggaran 2027

## Perkiraan Biaya

Rp 150.000.000

## Ruang Lingkup

- Modul presensi harian dengan lokasi (geotagging)
- Modul rekap bulanan per perangkat daerah
- Integrasi dengan data kepegawaian (SIMPEG)

## Lokasi Kegiatan

Dinas Komunikasi dan Informatika Kabupaten Karanganyar.

## Data dan Fasilitas Penunjang

Data pegawai dari SIMPEG; server di pusat data Diskominfo.

## Alih Pengetahuan

Pelatihan admin dan operator selama 2 (dua) hari.

## Produk yang Dihasilkan

Aplikasi web absensi pegawai, kode sumber di repositori terbuka, manual pengguna dan manual
administrator.

## Waktu Pelaksanaan

90 hari kalender sejak kontrak ditandatangani

## Tenaga Ahli

Satu analis sistem dan dua pemrogram.

## Laporan

Laporan pendahuluan, laporan antara dan laporan akhir.
"""

UAT_NOTE = """\
Hasil UAT hari ini:

## Skenario UAT

| No | Fitur | Skenario | Hasil | Catatan |
|---|---|---|---|---|
| 1 | Login | Pegawai masuk dengan NIP dan kata sandi | Sesuai | |
| 2 | Presensi | Presensi masuk dengan lokasi kantor | Sesuai | |
| 3 | Rekap | Unduh rekap bulanan (PDF) | Tidak sesuai | Format tanggal masih MM/DD |

Kesimpulan: diterima dengan catatan
"""

HANDOVER_NOTE = """\
## Serah Terima

- Aplikasi: Sistem Informasi Absensi Pegawai
- Versi: 1.2.0
- Commit/Tag: v1.2.0 (3f2a9c1)
- Basis Data: PostgreSQL 15, skema absensi
- Manual: Manual Pengguna v1.2, Manual Administrator v1.2
- Akun: admin-absensi (administrator), operator-bkd (operator)
"""


def png(width: int = 64, height: int = 72) -> bytes:
    """A small emblem (a blue shield-ish block with a gold band) as a PNG, made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b""
    for y in range(height):
        row = b"\x00"
        for x in range(width):
            inside = abs(x - width / 2) < width / 2 - y * 0.25
            gold = height // 3 < y < height // 3 + 8
            pixel = (212, 175, 55) if inside and gold else (25, 60, 140) if inside else (255,) * 3
            row += bytes(pixel)
        rows += row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def settings(logo: Path | None = None) -> DocumentSettings:
    """The agency's document settings: pegawai, kop, tempat."""
    return DocumentSettings(
        pegawai={
            "sari": Pegawai(
                nama="Sari Wulandari, S.Kom.",
                nip="198705122010012003",
                pangkat="Penata (III/c)",
                jabatan="Analis Sistem Informasi",
            ),
            "andi": Pegawai(
                nama="Andi Prasetyo, S.T.",
                nip="198203152006041002",
                pangkat="Penata Tingkat I (III/d)",
                jabatan="Kepala Seksi Pengembangan Sistem Informasi",
            ),
            "hendra": Pegawai(
                nama="Ir. Hendra Gunawan, M.T.",
                nip="196805201992032005",
                pangkat="Pembina Utama Muda (IV/c)",
                jabatan="Kepala Bidang Aplikasi Informatika",
            ),
            "dewi": Pegawai(
                nama="Dewi Lestari, S.E.",
                nip="197511302000032001",
                pangkat="Pembina (IV/a)",
                jabatan="Sekretaris BKPSDM",
            ),
            "cv-andalan": Pegawai(
                nama="Budi Santoso", perusahaan="CV Andalan Teknologi", jabatan="Direktur"
            ),
        },
        kop=Kop(
            pemerintah="Pemerintah Kabupaten Karanganyar",
            dinas="Dinas Komunikasi dan Informatika",
            alamat="Jl. Lawu No. 385, Karanganyar 57712",
            telepon="(0271) 495039",
            laman="diskominfo.karanganyarkab.go.id",
            surel="diskominfo@karanganyarkab.go.id",
            logo=logo,
            kota="Karanganyar",
        ),
        tempat="Ruang Rapat Dinas Komunikasi dan Informatika Kabupaten Karanganyar",
    )


def request(sop: Sop) -> RequestInput:
    """The seed request on ``sop``."""
    made = request_for(sop, key=KEY, people=PEOPLE[sop.id], start=START)
    return dataclasses.replace(
        made,
        title=TITLE,
        requester="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        repo="https://git.karanganyarkab.go.id/diskominfo/absensi",
    )


def seed_observed(kind: DocumentKind, *, numbered: bool = True) -> tuple[ObservedRequest, Sop]:
    """The seed request as the tracker shows it, with the number of ``kind`` given."""
    sop = seed(SOPS[kind])
    wanted = request(sop)
    builder = observed(sop, KEY)
    if sop.id == "karanganyar":
        builder.step(10, notes=[note("sari", UAT_NOTE)])
        builder.step(13, notes=[note("sari", HANDOVER_NOTE)])
    built = builder.build()
    data = dict(wanted.as_data())
    if numbered:
        data |= {
            number_key(kind): NUMBERS[kind],
            date_key(kind): TODAY.isoformat(),
            sequence_key(kind): NUMBERS[kind].split("/")[0].lstrip("0"),
        }
    assert built.epic is not None
    epic = dataclasses.replace(built.epic, description=REQUEST_TEXT, data=data)
    return dataclasses.replace(built, epic=epic), sop


def seed_schedule(sop: Sop) -> Schedule:
    """The seed request's schedule on the national calendar."""
    return schedule(sop, START, CalendarSettings().calendar())


def seed_document(kind: DocumentKind, logo: Path | None = None) -> Document:
    """Document ``kind`` of the seed request."""
    found, sop = seed_observed(kind)
    return assemble(kind, found, sop, seed_schedule(sop), settings(logo), TODAY)
