"""The Kerangka Acuan Kerja (KAK): the classic eleven items (LKPP practice).

1 Latar Belakang, 2 Maksud dan Tujuan, 3 Sasaran, 4 Nama Organisasi Pengadaan, 5 Sumber Dana
dan Perkiraan Biaya, 6 Ruang Lingkup, Lokasi, Data dan Fasilitas Penunjang, Alih Pengetahuan,
7 Produk yang Dihasilkan, 8 Waktu Pelaksanaan, 9 Tenaga Ahli, 10 Jadwal Tahapan, 11 Laporan.
Items 4, 8 and 10 come from the settings and the schedule; the others from the sections of
the request (headings of the same name in the epic's description or comments).
"""

from __future__ import annotations

import re

from sop_sync.documents.blocks import (
    Block,
    Fields,
    Heading,
    Item,
    Paragraph,
    Signatures,
    clean,
    plain,
)
from sop_sync.documents.context import Context, blocks_of
from sop_sync.documents.schedule_table import calendar_days, timeline
from sop_sync.documents.sections import find
from sop_sync.documents.words import in_words, long_date, parse_rupiah, rupiah

SECTIONS: dict[str, tuple[str, ...]] = {
    "Latar Belakang": ("Latar Belakang",),
    "Maksud dan Tujuan": ("Maksud dan Tujuan", "Maksud", "Tujuan"),
    "Sasaran": ("Sasaran",),
    "Nama Organisasi Pengadaan": ("Nama Organisasi Pengadaan", "Organisasi Pengadaan"),
    "Sumber Dana": ("Sumber Dana", "Sumber Anggaran"),
    "Perkiraan Biaya": ("Perkiraan Biaya", "Biaya", "Anggaran", "Pagu Anggaran"),
    "Ruang Lingkup": ("Ruang Lingkup", "Lingkup Pekerjaan", "Lingkup"),
    "Lokasi Kegiatan": ("Lokasi Kegiatan", "Lokasi", "Lokasi Pekerjaan"),
    "Data dan Fasilitas Penunjang": (
        "Data dan Fasilitas Penunjang",
        "Fasilitas Penunjang",
        "Data Penunjang",
    ),
    "Alih Pengetahuan": ("Alih Pengetahuan", "Transfer Pengetahuan"),
    "Produk yang Dihasilkan": ("Produk yang Dihasilkan", "Produk", "Keluaran", "Output"),
    "Waktu Pelaksanaan": ("Waktu Pelaksanaan",),
    "Tenaga Ahli": ("Tenaga Ahli", "Kebutuhan Tenaga Ahli"),
    "Laporan": ("Laporan", "Pelaporan"),
}
"""Each request section the KAK reads, with the headings it is recognised by."""
_DAYS = re.compile(r"\b(\d+)\s+(hari kalender|hari kerja|bulan|minggu)\b", re.IGNORECASE)


def _section(ctx: Context, name: str, indent: int = 1) -> tuple[Block, ...]:
    return ctx.section(SECTIONS[name], name, indent)


def _organisation(ctx: Context) -> tuple[Block, ...]:
    kop = ctx.settings.kop
    rows = [
        ("Pemerintah", ctx.gaps.value(kop.pemerintah, "pemerintah (documents.kop.pemerintah)")),
        ("Satuan Kerja", ctx.gaps.value(kop.dinas, "dinas (documents.kop.dinas)")),
    ]
    if ctx.sop.unit:
        rows.append(("Unit Kerja", plain(clean(ctx.sop.unit))))
    rows.append(("Pemohon", ctx.gaps.value(ctx.request.requester, "pemohon")))
    written = find(ctx.sections, SECTIONS["Nama Organisasi Pengadaan"])
    return (Fields(tuple(rows)), *blocks_of(written, "", ctx.gaps, 1))


def _funding(ctx: Context) -> tuple[Block, ...]:
    source = find(ctx.sections, SECTIONS["Sumber Dana"])
    cost = find(ctx.sections, SECTIONS["Perkiraan Biaya"])
    written = cost.text() if cost is not None else ""
    amount = parse_rupiah(written) if written else None
    cost_text = rupiah(amount) if amount is not None else written
    rows = (
        ("Sumber Dana", ctx.gaps.value(source.text() if source else None, "Sumber Dana")),
        ("Perkiraan Biaya", ctx.gaps.value(cost_text, "Perkiraan Biaya")),
    )
    return (Fields(rows),)


def _scope(ctx: Context) -> tuple[Block, ...]:
    found: list[Block] = []
    for letter, name in zip(
        "abcd",
        ("Ruang Lingkup", "Lokasi Kegiatan", "Data dan Fasilitas Penunjang", "Alih Pengetahuan"),
        strict=True,
    ):
        found.append(Item(f"{letter}.", plain(name, bold=True), indent=1))
        found.extend(_section(ctx, name, indent=2))
    return tuple(found)


def _duration(ctx: Context) -> tuple[Block, ...]:
    schedule = ctx.schedule
    planned = (
        f"{long_date(schedule.start.date())} sampai dengan {long_date(schedule.end.date())}, "
        f"yaitu {in_words(calendar_days(schedule), 'hari kalender')} atau "
        f"{in_words(schedule.working_days, 'hari kerja')}"
    )
    written = find(ctx.sections, SECTIONS["Waktu Pelaksanaan"])
    if written is None or not written.text():
        text = f"Waktu pelaksanaan pekerjaan menurut jadwal SOP adalah {planned}."
        return (Paragraph(plain(text), indent=1),)
    stated = _DAYS.sub(lambda m: in_words(int(m[1]), m[2].lower()), written.text(), count=1)
    return (
        Paragraph(
            plain(f"Waktu pelaksanaan pekerjaan adalah {clean(stated).rstrip('.')}."), indent=1
        ),
        Paragraph(plain(f"Tahapan menurut jadwal SOP berlangsung {planned}."), indent=1),
    )


def build(ctx: Context) -> tuple[tuple[str, ...], tuple[Block, ...]]:
    """The KAK's title lines and body."""
    items: list[tuple[str, tuple[Block, ...]]] = [
        ("Latar Belakang", _section(ctx, "Latar Belakang")),
        ("Maksud dan Tujuan", _section(ctx, "Maksud dan Tujuan")),
        ("Sasaran", _section(ctx, "Sasaran")),
        ("Nama Organisasi Pengadaan", _organisation(ctx)),
        ("Sumber Dana dan Perkiraan Biaya", _funding(ctx)),
        ("Ruang Lingkup, Lokasi, Data dan Fasilitas Penunjang, Alih Pengetahuan", _scope(ctx)),
        ("Produk yang Dihasilkan", _section(ctx, "Produk yang Dihasilkan")),
        ("Waktu Pelaksanaan", _duration(ctx)),
        ("Tenaga Ahli", _section(ctx, "Tenaga Ahli")),
        ("Jadwal Tahapan", (timeline(ctx.schedule),)),
        ("Laporan", _section(ctx, "Laporan")),
    ]
    blocks: list[Block] = []
    for n, (heading, body) in enumerate(items, start=1):
        blocks.append(Heading(f"{n}. {heading}"))
        blocks.extend(body)
    first, second = ctx.parties()
    columns = (first.signer("Disusun oleh,"), second.signer("Ditetapkan oleh,"))
    blocks.append(Signatures(ctx.place_date(), columns))
    return ("KERANGKA ACUAN KERJA", ctx.title.upper()), tuple(blocks)
