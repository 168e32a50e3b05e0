"""The data step: which step produces a document, who signs, what is missing, which date."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sop_sync.documents.assemble import BUILDERS, assemble
from sop_sync.documents.blocks import Document, Fields, Paragraph, Signatures, text_of
from sop_sync.documents.people import default_roles
from sop_sync.documents.settings import DocumentSettings, Pihak
from sop_sync.documents.writers import write
from sop_sync.errors import NotFoundError
from sop_sync.model.tracker import ObservedRequest, State
from sop_sync.sop.model import DocumentKind
from tests.builders import closed_event, seed
from tests.documents.seed import NUMBERS, TODAY, seed_observed, seed_schedule, settings


def make(
    kind: DocumentKind,
    found: ObservedRequest | None = None,
    documents: DocumentSettings | None = None,
) -> tuple[list[str], Document]:
    """The document of the seed request (or ``found``): its missing list and the document."""
    seed_found, sop = seed_observed(kind)
    document = assemble(
        kind, found or seed_found, sop, seed_schedule(sop), documents or settings(), TODAY
    )
    return list(document.missing), document


def test_every_document_has_a_builder() -> None:
    """The table covers every kind an SOP can name."""
    assert set(BUILDERS) == set(DocumentKind)


@pytest.mark.parametrize(
    ("sop_id", "kind", "roles"),
    [
        ("bkd-jateng", DocumentKind.KAK, ("jfu", "kabid")),
        ("bali", DocumentKind.BA_AGREEMENT, ("ka-dinas", "pd")),
        ("karanganyar", DocumentKind.BA_UAT, ("analis-sistem", "pd-pengampu")),
        ("karanganyar", DocumentKind.BA_HANDOVER, ("tim-pengembang", "seksi-egov")),
        ("egov", DocumentKind.BA_UAT, ("system-analyst", "instansi-pemilik")),
    ],
)
def test_parties_chosen_from_the_producing_steps(
    sop_id: str, kind: DocumentKind, roles: tuple[str, str]
) -> None:
    """PIHAK PERTAMA does the work; PIHAK KEDUA approves it (persetujuan) or is the other role."""
    assert default_roles(seed(sop_id), kind) == roles


def test_seed_uat_names_both_parties_and_who_ratified_the_sop() -> None:
    """Sari and Dewi sign; "Mengetahui" is the Kepala Dinas of the SOP's disahkan_oleh."""
    missing, document = make(DocumentKind.BA_UAT)
    assert missing == []
    signatures = document.blocks[-1]
    assert isinstance(signatures, Signatures)
    assert [text_of(c.name) for c in signatures.columns] == [
        "Sari Wulandari, S.Kom.",
        "Dewi Lestari, S.E.",
    ]
    assert signatures.witness is not None
    assert text_of(signatures.witness.identity) == "NIP 19630107 199003 1 004"


def test_configured_parties_replace_the_chosen_ones() -> None:
    """``pihak: {karanganyar: {berita-acara-uat: ...}}`` swaps the signers."""
    chosen = settings().model_copy(
        update={
            "pihak": {
                "karanganyar": {
                    DocumentKind.BA_UAT: Pihak(
                        pertama="seksi-psi", kedua="pd-pengampu", mengetahui="analis-sistem"
                    )
                }
            }
        }
    )
    _, document = make(DocumentKind.BA_UAT, documents=chosen)
    signatures = document.blocks[-1]
    assert isinstance(signatures, Signatures)
    assert signatures.witness is not None
    assert text_of(signatures.columns[0].name) == "Andi Prasetyo, S.T."
    assert text_of(signatures.witness.name) == "Sari Wulandari, S.Kom."


def test_a_vendor_shows_its_company_instead_of_nip() -> None:
    """CV Andalan's director: Nama, Perusahaan, Jabatan."""
    _, document = make(DocumentKind.BA_HANDOVER)
    first = document.blocks[1]
    assert isinstance(first, Fields)
    assert [label for label, _ in first.rows] == ["Nama", "Perusahaan", "Jabatan"]


def test_missing_people_and_sections_are_visible_and_listed() -> None:
    """An empty directory and description: every gap named, in the order met."""
    found, _ = seed_observed(DocumentKind.KAK)
    assert found.epic is not None
    bare = dataclasses.replace(found, epic=dataclasses.replace(found.epic, description=""))
    missing, document = make(DocumentKind.KAK, bare, DocumentSettings())
    assert missing[:4] == [
        "kop surat (documents.kop)",
        "Latar Belakang",
        "Maksud dan Tujuan",
        "Sasaran",
    ]
    assert "Sumber Dana" in missing
    assert "data pegawai sari (documents.pegawai)" in missing
    assert "kota (documents.kop.kota)" in missing
    texts = [text_of(b.runs) for b in document.blocks if isinstance(b, Paragraph)]
    assert "[belum diisi: Latar Belakang]" in texts


def test_nobody_holding_a_role_is_a_gap_too() -> None:
    """A request without a Kepala Bidang: the KAK's second signer is missing, by role."""
    found, _ = seed_observed(DocumentKind.KAK)
    assert found.epic is not None
    data = dict(found.epic.data)
    data["peran"] = '{"jfu": ["sari"]}'
    bare = dataclasses.replace(found, epic=dataclasses.replace(found.epic, data=data))
    missing, _ = make(DocumentKind.KAK, bare)
    assert "nama PIHAK KEDUA (Kepala Bidang)" in missing


def test_the_producing_step_is_the_first_open_one_on_the_path() -> None:
    """The KAK belongs to step 11 while it is open, to step 13 once 11 is closed."""
    found, _ = seed_observed(DocumentKind.KAK)
    assert make(DocumentKind.KAK, found)[1].step == 11
    steps = dict(found.steps)
    steps[11] = dataclasses.replace(steps[11], state=State.CLOSED)
    assert make(DocumentKind.KAK, dataclasses.replace(found, steps=steps))[1].step == 13
    steps[13] = dataclasses.replace(steps[13], state=State.CLOSED)
    assert make(DocumentKind.KAK, dataclasses.replace(found, steps=steps))[1].step == 13


def test_a_closed_step_dates_the_document_on_its_closing_day() -> None:
    """The UAT held and closed on 20 November: the Berita Acara says Jumat, 20-11-2026."""
    found, _ = seed_observed(DocumentKind.BA_UAT)
    steps = dict(found.steps)
    closed_at = dt.datetime(2026, 11, 20, 14, 0)
    steps[10] = dataclasses.replace(
        steps[10], state=State.CLOSED, events=(closed_event("sari", at=closed_at),)
    )
    _, document = make(DocumentKind.BA_UAT, dataclasses.replace(found, steps=steps))
    first = document.blocks[0]
    assert isinstance(first, Paragraph)
    opening = text_of(first.runs)
    assert opening.startswith("Pada hari ini, Jumat tanggal dua puluh bulan November")
    assert "(20-11-2026)" in opening


def test_the_number_shows_and_a_missing_one_is_a_gap() -> None:
    """The number kept in the epic's data; without one (nothing given yet) a gap."""
    _, document = make(DocumentKind.BA_UAT)
    assert text_of(document.number) == f"NOMOR: {NUMBERS[DocumentKind.BA_UAT]}"
    found, sop = seed_observed(DocumentKind.BA_UAT, numbered=False)
    document = assemble(DocumentKind.BA_UAT, found, sop, seed_schedule(sop), settings(), TODAY)
    assert text_of(document.number) == "NOMOR: [belum diisi: nomor]"


def test_an_sop_without_the_document_says_which_it_produces() -> None:
    """Karanganyar has no KAK step: an error naming what it does produce."""
    found, sop = seed_observed(DocumentKind.BA_UAT)
    with pytest.raises(NotFoundError, match=r"produces no kak .*berita-acara-serah-terima"):
        assemble(DocumentKind.KAK, found, sop, seed_schedule(sop), settings(), TODAY)


def test_the_source_issues_sections_fill_what_the_epic_lacks() -> None:
    """The template's text (``/sop buka``) counts under the epic's own sections."""
    found, sop = seed_observed(DocumentKind.KAK)
    assert found.epic is not None
    lean = dataclasses.replace(found, epic=dataclasses.replace(found.epic, description=""))
    source = "## Sasaran\n\nDari templat.\n\n## Sumber Dana\n\nAPBD dari templat\n"
    alone = assemble(DocumentKind.KAK, lean, sop, seed_schedule(sop), settings(), TODAY, (source,))
    assert "Sumber Dana" not in alone.missing
    assert "Latar Belakang" in alone.missing
    both = assemble(DocumentKind.KAK, found, sop, seed_schedule(sop), settings(), TODAY, (source,))
    text = " ".join(write(both, "md", settings().templates).decode("utf-8").split())
    assert "APBD Kabupaten Karanganyar Tahun Anggaran 2027" in text  # the epic's
    assert "dari templat" not in text
