"""Which documents are due: a producing step closed, or ``/sop dokumen`` asked (pure)."""

from __future__ import annotations

from sop_sync.documents.due import KNOWN_KINDS, documents_asked, due_on_close, kinds_on, made_reply
from sop_sync.rules.commands import Verb, parse_note
from sop_sync.sop.model import DocumentKind
from tests.builders import attachment, note, observed, reply, request_for, seed

BKD = seed("bkd-jateng")  # the KAK on steps 11 (konsep) and 13 (ditetapkan)
KARANGANYAR = seed("karanganyar")  # UAT on 10, serah terima on 13
DRAFT = "draf-kak_004-KAK-APL-XI-2026_3f2a9c1e.pdf"


def test_a_closed_producing_step_makes_its_document_due() -> None:
    """Step 11 closed within the rules, no KAK anywhere: the KAK is due (once, not per step)."""
    state = observed(BKD).closed(11, 13).build()
    assert due_on_close(BKD, state, {11, 13}) == (DocumentKind.KAK,)


def test_nothing_is_due_while_the_step_is_open_or_against_the_sop() -> None:
    """Open, or closed against the rules (it is reopened by the fix): nothing to make."""
    state = observed(BKD).closed(11).build()
    assert due_on_close(BKD, state, set()) == ()
    assert due_on_close(BKD, observed(BKD).build(), {1, 2}) == ()


def test_a_document_attached_on_any_producing_step_is_not_due_again() -> None:
    """The KAK draft is on step 13 already: closing step 11 makes nothing new."""
    state = observed(BKD).closed(11).step(13, attachments=[attachment(DRAFT)]).build()
    assert kinds_on(state.steps[13]) == {DocumentKind.KAK}
    assert due_on_close(BKD, state, {11}) == ()


def test_a_signed_scan_is_not_a_generated_document() -> None:
    """A person's ``KAK final.pdf`` does not stop the draft from being made."""
    state = observed(BKD).closed(11).step(11, attachments=[attachment("kak-final.pdf")]).build()
    assert kinds_on(state.steps[11]) == frozenset()
    assert due_on_close(BKD, state, {11}) == (DocumentKind.KAK,)


def test_each_document_of_an_sop_is_judged_on_its_own() -> None:
    """Karanganyar: UAT closed makes the UAT Berita Acara due, not the hand-over."""
    state = observed(KARANGANYAR).closed(10).build()
    assert due_on_close(KARANGANYAR, state, {10}) == (DocumentKind.BA_UAT,)


def test_the_verb_is_parsed() -> None:
    """``/sop dokumen kak`` is a command of its own (not a mistyped one)."""
    [command] = parse_note(note("jfu", "/sop Dokumen KAK"))
    assert (command.verb, command.argument) == (Verb.DOCUMENT, "KAK")


def test_a_role_holder_asks_for_a_document() -> None:
    """Anyone holding a role of the request may ask; case does not matter."""
    state = observed(BKD).step(12, notes=[note("kasubbid", "/sop dokumen KAK", id="n1")]).build()
    [wish] = documents_asked(BKD, request_for(BKD), state)
    assert (wish.kind, wish.refusal, wish.asked.ref.step) == (DocumentKind.KAK, None, 12)


def test_an_answered_command_is_not_asked_again() -> None:
    """sop-sync's reply names the note: the command is done."""
    state = (
        observed(BKD)
        .step(12, notes=[note("kasubbid", "/sop dokumen kak", id="n1"), reply("n1")])
        .build()
    )
    assert list(documents_asked(BKD, request_for(BKD), state)) == []


def test_an_unknown_kind_is_answered_with_the_known_ones() -> None:
    """``/sop dokumen surat-tugas``: the reply lists every kind and this SOP's own."""
    state = observed(BKD).step(3, notes=[note("jfu", "/sop dokumen surat-tugas", id="n1")]).build()
    [wish] = documents_asked(BKD, request_for(BKD), state)
    assert wish.kind is None
    assert wish.refusal == (
        "Perintah dari @jfu diabaikan: jenis dokumen `surat-tugas` tidak dikenal. Tulis "
        f"`/sop dokumen <jenis>`; jenis yang dikenal: {KNOWN_KINDS} (SOP ini menghasilkan: "
        "`kak`)."
    )
    assert "`berita-acara-serah-terima`" in KNOWN_KINDS


def test_a_kind_this_sop_does_not_produce_is_refused() -> None:
    """A UAT Berita Acara on the BKD SOP (which makes only the KAK)."""
    state = observed(BKD).step(3, notes=[note("jfu", "/sop dokumen berita-acara-uat")]).build()
    [wish] = documents_asked(BKD, request_for(BKD), state)
    assert wish.refusal is not None
    assert "SOP ini tidak menghasilkan `berita-acara-uat`" in wish.refusal


def test_someone_without_a_role_is_refused() -> None:
    """A passer-by must not use up the agency's next number."""
    state = observed(BKD).step(3, notes=[note("tamu", "/sop dokumen kak")]).build()
    [wish] = documents_asked(BKD, request_for(BKD), state)
    assert wish.refusal == (
        "Permintaan dokumen dari @tamu ditolak: hanya pemegang peran pada permohonan ini yang "
        "boleh meminta dokumen."
    )


def test_the_reply_names_the_files_the_replacement_and_the_gaps() -> None:
    """Attached files, the earlier version let go, what is still missing."""
    text = made_reply(
        DocumentKind.KAK, "004/KAK-APL/XI/2026", 13, ["a.md", "a.pdf"], [], 2, ["Sumber Dana"]
    )
    assert text.startswith("Dokumen `kak` 004/KAK-APL/XI/2026 dilampirkan pada langkah 13: ")
    assert "Versi sebelumnya (2 berkas) dilepas." in text
    assert "- Sumber Dana" in text
    unchanged = made_reply(DocumentKind.KAK, "004", 13, [], ["a.md"], 0, [])
    assert "tidak berubah" in unchanged
