"""The three Berita Acara: kesepakatan, hasil UAT, serah terima. One form, three bodies.

The form (see reference/domain.md "Berita Acara"): the title and number, "Pada hari ini,
<hari> tanggal <terbilang> ... (<dd-mm-yyyy>), bertempat di ..., kami yang bertanda tangan
di bawah ini:", the two parties with Nama / NIP / Pangkat/Golongan / Jabatan, the body, the
closing sentence, two signature columns and "Mengetahui" below.
"""

from __future__ import annotations

from sop_sync.documents.blocks import (
    Block,
    Item,
    Paragraph,
    Runs,
    Signatures,
    Table,
    plain,
)
from sop_sync.documents.context import Context
from sop_sync.documents.handover import read_handover
from sop_sync.documents.kak import SECTIONS
from sop_sync.documents.people import Party
from sop_sync.documents.schedule_table import timeline
from sop_sync.documents.uat import Conclusion, Scenario, read_uat
from sop_sync.documents.words import in_words, long_date, opening_date, terbilang

COPIES = 2
VERDICTS = {True: "Sesuai", False: "Tidak Sesuai"}
FIRST = plain("PIHAK PERTAMA", bold=True)
SECOND = plain("PIHAK KEDUA", bold=True)
Body = tuple[tuple[str, ...], tuple[Block, ...]]


def _opening(ctx: Context) -> Paragraph:
    place = ctx.gaps.value(ctx.settings.tempat, "tempat (documents.tempat)")
    return Paragraph(
        (
            *plain(f"{opening_date(ctx.date)}, bertempat di "),
            *place,
            *plain(", kami yang bertanda tangan di bawah ini:"),
        )
    )


def _party_blocks(number: str, who: Party, called: Runs) -> tuple[Block, ...]:
    fields = who.fields()
    named = (*plain("selanjutnya disebut "), *called, *plain("."))
    return (
        type(fields)(fields.rows, indent=0, marker=number),
        Paragraph(named, indent=1),
    )


def _form(ctx: Context, title: tuple[str, ...], body: tuple[Block, ...]) -> Body:
    first, second = ctx.parties()
    witness = ctx.witness()
    closing = (
        "Demikian Berita Acara ini dibuat dengan sebenarnya dalam rangkap "
        f"{COPIES} ({terbilang(COPIES)}) untuk dipergunakan sebagaimana mestinya."
    )
    blocks = (
        _opening(ctx),
        *_party_blocks("1.", first, FIRST),
        *_party_blocks("2.", second, SECOND),
        *body,
        Paragraph(plain(closing)),
        Signatures(
            ctx.place_date(),
            (first.signer("PIHAK PERTAMA,"), second.signer("PIHAK KEDUA,")),
            witness.signer("Mengetahui,") if witness is not None else None,
        ),
    )
    return title, blocks


def agreement(ctx: Context) -> Body:
    """Berita Acara Kesepakatan: the scope and the timeline both parties agree on."""
    requester = ctx.gaps.value(ctx.request.requester, "pemohon")
    schedule = ctx.schedule
    body: tuple[Block, ...] = (
        Paragraph(
            (
                *FIRST,
                *plain(" dan "),
                *SECOND,
                *plain(f" sepakat atas pembangunan aplikasi {ctx.title} yang dimohon oleh "),
                *requester,
                *plain(", dengan lingkup dan jadwal sebagai berikut:"),
            )
        ),
        Item("1.", plain("Ruang lingkup pekerjaan:", bold=True)),
        *ctx.section(SECTIONS["Ruang Lingkup"], "Ruang Lingkup"),
        Item("2.", plain("Produk yang dihasilkan:", bold=True)),
        *ctx.section(SECTIONS["Produk yang Dihasilkan"], "Produk yang Dihasilkan"),
        Item("3.", plain("Jadwal pelaksanaan:", bold=True)),
        timeline(schedule),
        Paragraph(
            plain(
                "Pekerjaan dilaksanakan selama "
                f"{in_words(schedule.working_days, 'hari kerja')}, mulai "
                f"{long_date(schedule.start.date())} sampai dengan "
                f"{long_date(schedule.end.date())}."
            ),
            indent=1,
        ),
    )
    title = ("BERITA ACARA KESEPAKATAN", "PEMBANGUNAN APLIKASI", ctx.title.upper())
    return _form(ctx, title, body)


def _verdict(ctx: Context, found: Conclusion | None, stated: str) -> Runs:
    if found is not None:
        return plain(found.value.upper(), bold=True)
    if stated:
        return ctx.gaps.gap(f"Kesimpulan UAT ({stated!r} bukan diterima / ditolak)")
    return ctx.gaps.gap("Kesimpulan UAT (diterima / diterima dengan catatan / ditolak)")


def _result(ctx: Context, scenario: Scenario, n: int) -> Runs:
    if scenario.passed is not None:
        return plain(VERDICTS[scenario.passed])
    if scenario.result:
        return ctx.gaps.gap(f"hasil skenario {n} ({scenario.result!r}: Sesuai / Tidak Sesuai?)")
    return ctx.gaps.gap(f"hasil skenario {n}")


def uat(ctx: Context) -> Body:
    """Berita Acara hasil UAT: the scenario table and the conclusion."""
    result = read_uat(ctx.step_sections())
    rows = []
    for n, s in enumerate(result.scenarios, start=1):
        rows.append(
            (
                plain(f"{n}."),
                ctx.gaps.value(s.feature, f"fitur skenario {n}"),
                ctx.gaps.value(s.scenario, f"skenario {n}"),
                _result(ctx, s, n),
                plain(s.note),
            )
        )
    if not rows:
        missing = ctx.gaps.gap("Skenario UAT (tabel di langkah UAT)")
        rows.append((plain("1."), missing, (), (), ()))
    table = Table(("No", "Fitur", "Skenario", "Hasil", "Catatan"), tuple(rows), (2, 5, 8, 4, 6))
    body: tuple[Block, ...] = (
        Paragraph(
            (
                *FIRST,
                *plain(" dan "),
                *SECOND,
                *plain(
                    " telah melaksanakan User Acceptance Test (UAT) atas aplikasi "
                    f"{ctx.title} dengan hasil sebagai berikut:"
                ),
            )
        ),
        table,
        Paragraph(
            (
                *plain("Berdasarkan hasil pengujian tersebut, "),
                *SECOND,
                *plain(f" menyatakan aplikasi {ctx.title} "),
                *_verdict(ctx, result.conclusion, result.conclusion_text),
                *plain("."),
            )
        ),
    )
    title = ("BERITA ACARA", "HASIL USER ACCEPTANCE TEST", ctx.title.upper())
    return _form(ctx, title, body)


def handover(ctx: Context) -> Body:
    """Berita Acara serah terima: the application and everything handed over with it."""
    found = read_handover(ctx.step_sections(), ctx.title, ctx.request.repo)
    rows = tuple(
        (plain(f"{n}."), plain(item), ctx.gaps.value(value, f"{item} (serah terima)"))
        for n, (item, value) in enumerate(found.facts, start=1)
    )
    body: tuple[Block, ...] = (
        Paragraph(
            (
                *FIRST,
                *plain(" menyerahkan kepada "),
                *SECOND,
                *plain(", dan "),
                *SECOND,
                *plain(" menerima dari "),
                *FIRST,
                *plain(f", aplikasi {ctx.title} beserta kelengkapannya sebagai berikut:"),
            )
        ),
        Table(("No", "Uraian", "Keterangan"), rows, (2, 6, 13)),
        Paragraph(
            (
                *plain(
                    "Sejak Berita Acara ini ditandatangani, pengelolaan aplikasi tersebut "
                    "menjadi tanggung jawab "
                ),
                *SECOND,
                *plain("."),
            )
        ),
    )
    title = ("BERITA ACARA SERAH TERIMA", "APLIKASI", ctx.title.upper())
    return _form(ctx, title, body)
