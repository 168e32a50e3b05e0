"""Decisions, corrections, skips and misplaced commands as the rules read them (no tracker)."""

from __future__ import annotations

from sop_sync.model.changes import AddLabels, Close, Comment, Ref, Reopen
from sop_sync.model.labels import CORRECTED, SKIPPED
from sop_sync.rules.decisions import (
    corrections,
    decisions,
    holders,
    misplaced,
    role_names,
    skip_requests,
)
from sop_sync.sop.model import Sop
from tests.builders import KEY, note, observed, reply, request_for, seed

BKD = seed("bkd-jateng")
KEMENKES = seed("kemenkes-kepegawaian")
KARANGANYAR = seed("karanganyar")


def ref(step: int) -> Ref:
    """A step of the test request."""
    return Ref(KEY, step)


def skippable(sop: Sop, number: int) -> Sop:
    """``sop`` with step ``number`` marked ``dapat_dilewati`` (no seed SOP has one)."""
    steps = tuple(
        s.model_copy(update={"skippable": True}) if s.number == number else s for s in sop.steps
    )
    return sop.model_copy(update={"steps": steps})


# --- who may act -------------------------------------------------------------------------


def test_holders_are_the_people_of_every_role_of_the_step() -> None:
    """Step 1 of Karanganyar has two roles: both holders may act on it."""
    request = request_for(KARANGANYAR, people={"pd-pengampu": ("rina", "tono")})
    assert holders(KARANGANYAR.step(1), request) == {"seksi-psi", "rina", "tono"}


def test_role_names_join_with_atau() -> None:
    """Replies name who may act: the step's role names joined with "atau"."""
    assert role_names(KARANGANYAR, KARANGANYAR.step(1)) == (
        "Seksi Pengembangan Sistem Informasi atau PD Pengampu Sistem"
    )


# --- decisions ---------------------------------------------------------------------------


def test_decision_from_a_role_holder_is_the_answer() -> None:
    """`/sop keputusan ya` from JFU on step 2 answers it Ya, with nothing to reply."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop keputusan ya")]).build()
    assert decisions(BKD, request_for(BKD), state) == ({2: True}, [])


def test_latest_valid_answer_wins() -> None:
    """Ya, then Tidak: the answer is Tidak."""
    notes = [note("jfu", "/sop keputusan ya"), note("jfu", "/sop keputusan tidak")]
    state = observed(BKD).step(2, notes=notes).build()
    assert decisions(BKD, request_for(BKD), state)[0] == {2: False}


def test_decision_from_someone_without_the_role_is_refused_in_reply_to_the_note() -> None:
    """The head of division may not decide step 2: refused, replying to that very note."""
    state = observed(BKD).step(2, notes=[note("kabid", "/sop keputusan ya", id="n7")]).build()
    assert decisions(BKD, request_for(BKD), state) == (
        {},
        [Comment(ref(2), "Keputusan dari @kabid ditolak: hanya JFU yang boleh memutuskan.", "n7")],
    )


def test_refused_answer_does_not_override_a_valid_one() -> None:
    """JFU answered Ya; a later Tidak from someone else changes nothing."""
    notes = [note("jfu", "/sop keputusan ya"), note("kabid", "/sop keputusan tidak", id="n2")]
    answers, replies = decisions(BKD, request_for(BKD), observed(BKD).step(2, notes=notes).build())
    assert answers == {2: True}
    assert [c.in_reply_to for c in replies if isinstance(c, Comment)] == ["n2"]


def test_answer_other_than_ya_or_tidak_is_refused() -> None:
    """`/sop keputusan mungkin` is not an answer, even from the role holder."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop keputusan mungkin", id="n3")]).build()
    assert decisions(BKD, request_for(BKD), state) == (
        {},
        [Comment(ref(2), "Keputusan dari @jfu ditolak: jawaban harus `ya` atau `tidak`.", "n3")],
    )


def test_note_already_answered_is_not_answered_again() -> None:
    """A refusal already posted (a note replying to n7) is not posted a second time."""
    notes = [note("kabid", "/sop keputusan ya", id="n7"), reply("n7")]
    state = observed(BKD).step(2, notes=notes).build()
    assert decisions(BKD, request_for(BKD), state) == ({}, [])


def test_reply_to_another_note_does_not_count_as_an_answer() -> None:
    """Only a reply naming the note marks it answered."""
    notes = [note("kabid", "/sop keputusan ya", id="n7"), reply("n6")]
    _, replies = decisions(BKD, request_for(BKD), observed(BKD).step(2, notes=notes).build())
    assert len(replies) == 1


def test_answer_stays_valid_after_it_was_replied_to() -> None:
    """A valid answer counts on every run, whether or not something replied to it."""
    notes = [note("jfu", "/sop keputusan tidak", id="n1"), reply("n1")]
    state = observed(BKD).step(2, notes=notes).build()
    assert decisions(BKD, request_for(BKD), state) == ({2: False}, [])


def test_system_notes_are_not_commands() -> None:
    """sop-sync's own note quoting a command at the start of a line decides nothing."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop keputusan ya", system=True)]).build()
    assert decisions(BKD, request_for(BKD), state) == ({}, [])


def test_decision_on_a_step_without_a_question_is_not_an_answer() -> None:
    """`/sop keputusan ya` on step 1 (no question there) answers nothing."""
    state = observed(BKD).step(1, notes=[note("jfu", "/sop keputusan ya")]).build()
    assert decisions(BKD, request_for(BKD), state) == ({}, [])


def test_decision_on_a_step_without_a_question_is_answered_as_misplaced() -> None:
    """... and sop-sync says why it ignored it, once."""
    state = observed(BKD).step(1, notes=[note("jfu", "/sop keputusan ya", id="n1")]).build()
    assert misplaced(BKD, request_for(BKD), state) == [
        Comment(
            ref(1),
            "Perintah dari @jfu diabaikan: langkah ini bukan langkah keputusan.",
            in_reply_to="n1",
        )
    ]


# --- corrections -------------------------------------------------------------------------


def test_correction_reopens_the_step_it_sends_back_to() -> None:
    """Kasubbag PKDIK corrects step 4: step 3 is reopened, labelled, told why; the note answered."""
    state = (
        observed(KEMENKES)
        .step(4, notes=[note("kasubbag-pkdik", "/sop koreksi tabel belum lengkap", id="k1")])
        .build()
    )
    assert corrections(KEMENKES, request_for(KEMENKES), state) == (
        {4: 1},
        [
            Reopen(ref(3)),
            AddLabels(ref(3), (CORRECTED,)),
            Comment(
                ref(3),
                "Dikoreksi pada langkah 4 oleh @kasubbag-pkdik: tabel belum lengkap\n\n"
                "Koreksi ke-1.",
            ),
            Comment(ref(4), "Koreksi diteruskan ke langkah 3 (koreksi ke-1).", in_reply_to="k1"),
        ],
    )


def test_corrections_are_counted_and_only_new_ones_acted_on() -> None:
    """Two corrections, the first answered already: count 2, one reopening "ke-2"."""
    notes = [
        note("kasubbag-pkdik", "/sop koreksi pertama", id="k1"),
        reply("k1"),
        note("kasubbag-pkdik", "/sop koreksi kedua", id="k2"),
    ]
    counts, changes = corrections(
        KEMENKES, request_for(KEMENKES), observed(KEMENKES).step(4, notes=notes).build()
    )
    assert counts == {4: 2}
    assert changes[2:] == [
        Comment(ref(3), "Dikoreksi pada langkah 4 oleh @kasubbag-pkdik: kedua\n\nKoreksi ke-2."),
        Comment(ref(4), "Koreksi diteruskan ke langkah 3 (koreksi ke-2).", in_reply_to="k2"),
    ]


def test_correction_without_a_reason_says_so() -> None:
    """`/sop koreksi` alone reaches the corrected step as "(tanpa alasan)"."""
    state = observed(KEMENKES).step(4, notes=[note("kasubbag-pkdik", "/sop koreksi")]).build()
    _, changes = corrections(KEMENKES, request_for(KEMENKES), state)
    assert changes[2] == Comment(
        ref(3), "Dikoreksi pada langkah 4 oleh @kasubbag-pkdik: (tanpa alasan)\n\nKoreksi ke-1."
    )


def test_correction_from_someone_without_the_role_is_refused_and_not_counted() -> None:
    """The programmer may not correct the review step: refused in reply, count unchanged."""
    state = (
        observed(KEMENKES)
        .step(4, notes=[note("pranata-komputer", "/sop koreksi ulangi", id="k9")])
        .build()
    )
    assert corrections(KEMENKES, request_for(KEMENKES), state) == (
        {},
        [
            Comment(
                ref(4),
                "Koreksi dari @pranata-komputer ditolak: hanya Kasubbag PKDIK yang memeriksa "
                "langkah ini.",
                in_reply_to="k9",
            )
        ],
    )


def test_refused_correction_already_answered_is_not_answered_again() -> None:
    """A refusal is written once."""
    notes = [note("pranata-komputer", "/sop koreksi ulangi", id="k9"), reply("k9")]
    state = observed(KEMENKES).step(4, notes=notes).build()
    assert corrections(KEMENKES, request_for(KEMENKES), state) == ({}, [])


def test_correction_back_to_the_same_step_reopens_it() -> None:
    """Bali's step 4 corrects itself: the reopening lands on step 4."""
    bali = seed("bali")
    state = observed(bali).step(4, notes=[note("kasi-ai", "/sop koreksi belum lengkap")]).build()
    _, changes = corrections(bali, request_for(bali), state)
    assert changes[:2] == [Reopen(ref(4)), AddLabels(ref(4), (CORRECTED,))]


def test_correction_on_a_step_that_reviews_nothing_is_not_counted() -> None:
    """`/sop koreksi` on step 3 (no `koreksi` there) corrects nothing."""
    state = observed(KEMENKES).step(3, notes=[note("pranata-komputer", "/sop koreksi x")]).build()
    assert corrections(KEMENKES, request_for(KEMENKES), state) == ({}, [])


# --- skips -------------------------------------------------------------------------------


def test_skip_refused_where_the_sop_does_not_allow_it() -> None:
    """No seed step is `dapat_dilewati`: `/sop lewati` is refused with that reason."""
    state = observed(BKD).step(9, notes=[note("jfu", "/sop lewati tidak perlu", id="s1")]).build()
    assert skip_requests(BKD, request_for(BKD), state) == (
        set(),
        [
            Comment(
                ref(9),
                "Permintaan lewati ditolak: SOP tidak mengizinkan langkah ini dilewati.",
                in_reply_to="s1",
            )
        ],
    )


def test_skip_from_the_role_holder_where_allowed_closes_the_step() -> None:
    """On a skippable step, the role holder's `/sop lewati` labels, closes and replies."""
    sop = skippable(BKD, 9)
    state = observed(sop).step(9, notes=[note("jfu", "/sop lewati sudah ada", id="s1")]).build()
    assert skip_requests(sop, request_for(sop), state) == (
        {9},
        [
            AddLabels(ref(9), (SKIPPED,)),
            Close(ref(9)),
            Comment(ref(9), "Dilewati atas permintaan @jfu: sudah ada", in_reply_to="s1"),
        ],
    )


def test_skip_from_someone_without_the_role_is_refused() -> None:
    """On a skippable step, only its role may skip it."""
    sop = skippable(BKD, 9)
    state = observed(sop).step(9, notes=[note("kabid", "/sop lewati", id="s2")]).build()
    assert skip_requests(sop, request_for(sop), state) == (
        set(),
        [
            Comment(
                ref(9),
                "Permintaan lewati ditolak: hanya JFU yang boleh melewatinya.",
                in_reply_to="s2",
            )
        ],
    )


def test_skip_answered_before_still_counts_without_new_changes() -> None:
    """A skip honoured on an earlier run keeps the step skipped and writes nothing more."""
    sop = skippable(BKD, 9)
    notes = [note("jfu", "/sop lewati", id="s1"), reply("s1")]
    state = observed(sop).step(9, notes=notes).build()
    assert skip_requests(sop, request_for(sop), state) == ({9}, [])


# --- misplaced commands ------------------------------------------------------------------


def test_unknown_verb_is_answered_with_the_known_commands() -> None:
    """A typo (`/sop kputusan`) is answered, naming the commands sop-sync knows."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop kputusan ya", id="t1")]).build()
    assert misplaced(BKD, request_for(BKD), state) == [
        Comment(
            ref(2),
            "Perintah dari @jfu diabaikan: perintah `/sop kputusan` tidak dikenal. Perintah yang "
            "dikenal: `/sop keputusan ya` atau `/sop keputusan tidak`, `/sop setuju`, "
            "`/sop koreksi <alasan>`, `/sop lewati <alasan>`.",
            in_reply_to="t1",
        )
    ]


def test_approval_on_a_step_that_needs_none_is_answered() -> None:
    """`/sop setuju` on step 1 (no sign-off, no review) is ignored with a reason."""
    state = observed(BKD).step(1, notes=[note("jfu", "/sop setuju", id="a1")]).build()
    assert misplaced(BKD, request_for(BKD), state) == [
        Comment(
            ref(1),
            "Perintah dari @jfu diabaikan: langkah ini tidak memerlukan persetujuan.",
            in_reply_to="a1",
        )
    ]


def test_approval_where_a_sign_off_is_needed_is_not_misplaced() -> None:
    """`/sop setuju` on step 6 (a sign-off step) needs no answer."""
    state = observed(BKD).step(6, notes=[note("kasubbid", "/sop setuju")]).build()
    assert misplaced(BKD, request_for(BKD), state) == []


def test_misplaced_command_already_answered_is_not_answered_again() -> None:
    """The answer to a misplaced command is written once."""
    notes = [note("jfu", "/sop setuju", id="a1"), reply("a1")]
    state = observed(BKD).step(1, notes=notes).build()
    assert misplaced(BKD, request_for(BKD), state) == []
