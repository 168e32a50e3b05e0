"""The rules' verdicts and corrective changes over observed values (no tracker)."""

from __future__ import annotations

import datetime as dt

from sop_sync.model.changes import AddLabels, Close, Comment, Ref, RemoveLabels, Reopen
from sop_sync.model.labels import (
    ANSWER_NO,
    ANSWER_YES,
    CORRECTED,
    SIGNED_OFF,
    SKIPPED,
    WAITING,
)
from sop_sync.model.tracker import State
from sop_sync.rules.closing import ClosingPolicy
from sop_sync.rules.evaluate import evaluate, step_label
from tests.builders import AT, KEY, attachment, changes_on, note, observed, request_for, seed

KARANGANYAR = seed("karanganyar")
BKD = seed("bkd-jateng")
REOPENED = "Langkah ini dibuka kembali oleh sop-sync karena belum memenuhi SOP:\n\n"
OPEN_1_2 = (
    "langkah sebelumnya belum selesai: 01 · Identifikasi kebutuhan aplikasi, "
    "02 · Pembuatan rencana spesifikasi kebutuhan"
)
NO_DIAGRAMS = (
    "- bukti belum lengkap: Diagram Alir Data (DFD) — berkas belum dilampirkan\n"
    "- bukti belum lengkap: Diagram Hubungan Entitas (ERD) — berkas belum dilampirkan"
)
UNANSWERED = "keputusan belum dijawab: tulis `/sop keputusan ya` atau `/sop keputusan tidak`"


def ref(step: int) -> Ref:
    """A step of the test request."""
    return Ref(KEY, step)


def test_step_closed_before_its_predecessors_is_violated() -> None:
    """Closing step 3 while steps 1 and 2 are open: violated, with the open steps named."""
    evaluation = evaluate(
        KARANGANYAR, request_for(KARANGANYAR), observed(KARANGANYAR).closed(3).build()
    )
    assert evaluation.verdict(3).violated
    assert evaluation.violated
    assert evaluation.verdict(3).reasons == (OPEN_1_2,)


def test_step_closed_out_of_order_is_reopened_with_a_comment() -> None:
    """The corrective changes are exactly: say which steps are still open, reopen the step.

    The comment comes first: a run cut short after it and re-run reopens without saying it
    again (see the next test).
    """
    evaluation = evaluate(
        KARANGANYAR, request_for(KARANGANYAR), observed(KARANGANYAR).closed(3).build()
    )
    assert evaluation.changes == (Comment(ref(3), REOPENED + "- " + OPEN_1_2), Reopen(ref(3)))


def test_reopen_comment_answers_the_close_once() -> None:
    """The comment is tagged with the close it answers; once sop-sync said it, only reopen.

    A close by someone else later is a new close: it is answered again.
    """
    request = request_for(KARANGANYAR)
    first = observed(KARANGANYAR).step(3, closed_by="sari", at=AT).build()
    changes = evaluate(KARANGANYAR, request, first).changes
    comment = changes[0]
    assert isinstance(comment, Comment)
    assert comment.in_reply_to == f"tutup-{int(AT.timestamp() * 1000)}"
    said = note("sop-sync", comment.body, in_reply_to=comment.in_reply_to)
    answered = observed(KARANGANYAR).step(3, closed_by="sari", at=AT, notes=[said]).build()
    assert evaluate(KARANGANYAR, request, answered).changes == (Reopen(ref(3)),)
    later = AT + dt.timedelta(hours=1)
    again = (
        observed(KARANGANYAR)
        .step(3, closed_by="sari", at=AT, notes=[said])
        .step(3, closed_by="sari", at=later)
        .build()
    )
    assert [type(c) for c in evaluate(KARANGANYAR, request, again).changes] == [Comment, Reopen]


def test_steps_closed_in_order_change_nothing() -> None:
    """Steps 1 to 3 closed in order: no violation and no change."""
    evaluation = evaluate(
        KARANGANYAR, request_for(KARANGANYAR), observed(KARANGANYAR).closed(1, 2, 3).build()
    )
    assert evaluation.changes == ()
    assert not evaluation.violated
    assert evaluation.verdict(3).reasons == ()


def test_open_step_with_open_predecessors_is_not_violated() -> None:
    """An open step keeps its reasons but is not a violation and is left alone."""
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), observed(KARANGANYAR).build())
    verdict = evaluation.verdict(3)
    assert verdict.state is State.OPEN
    assert verdict.reasons == (OPEN_1_2,)
    assert not verdict.violated
    assert evaluation.changes == ()


def test_missing_step_issue_has_no_state() -> None:
    """A step whose issue does not exist yet gets a verdict without a state and no change."""
    evaluation = evaluate(
        KARANGANYAR, request_for(KARANGANYAR), observed(KARANGANYAR).missing(5).build()
    )
    assert evaluation.verdict(5).state is None
    assert changes_on(evaluation.changes, 5) == []


def test_step_label_pads_the_number_and_cuts_the_activity() -> None:
    """Steps are named ``NN · kegiatan``, the activity cut at 60 characters with an ellipsis."""
    assert step_label(KARANGANYAR.step(1)) == "01 · Identifikasi kebutuhan aplikasi"
    long = step_label(BKD.step(2))
    assert long == "02 · Mengidentifikasi maksud dan tujuan pengadaan sistem informa…"
    assert len(long.removeprefix("02 · ")) == 60


def test_unanswered_decision_closed_is_reopened() -> None:
    """A decision step closed without an answer is reopened, asking for the answer."""
    evaluation = evaluate(BKD, request_for(BKD), observed(BKD).closed(1, 2).build())
    assert evaluation.answers == {}
    assert evaluation.verdict(2).reasons == (UNANSWERED,)
    assert evaluation.changes == (Comment(ref(2), REOPENED + "- " + UNANSWERED), Reopen(ref(2)))


def test_unanswered_decision_keeps_both_branches_live() -> None:
    """Without an answer nothing is skipped."""
    evaluation = evaluate(BKD, request_for(BKD), observed(BKD).build())
    assert evaluation.skipped == frozenset()


def test_answer_yes_skips_the_no_branch() -> None:
    """`/sop keputusan ya` on step 2 from its role holder: step 4 is skipped and closed."""
    state = (
        observed(BKD)
        .closed(1)
        .step(2, state=State.CLOSED, notes=[note("jfu", "/sop keputusan ya")])
    )
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert evaluation.answers == {2: True}
    assert evaluation.skipped == frozenset({4})
    assert evaluation.verdict(4).skipped
    assert changes_on(evaluation.changes, 4) == [
        AddLabels(ref(4), (SKIPPED,)),
        Comment(ref(4), "Langkah ini dilewati (keputusan pada langkah 2: Ya)."),
        Close(ref(4)),
    ]


def test_answer_no_skips_the_yes_branch() -> None:
    """`/sop keputusan tidak` on step 2: step 3 (the Ya branch) is skipped, naming the answer."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop keputusan tidak")])
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert evaluation.skipped == frozenset({3})
    assert changes_on(evaluation.changes, 3) == [
        AddLabels(ref(3), (SKIPPED,)),
        Comment(ref(3), "Langkah ini dilewati (keputusan pada langkah 2: Tidak)."),
        Close(ref(3)),
    ]


def test_answered_decision_step_is_labelled_with_the_answer() -> None:
    """The decision step gets `keputusan::ya` once answered Ya."""
    state = observed(BKD).step(2, notes=[note("jfu", "/sop keputusan ya")])
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert changes_on(evaluation.changes, 2) == [AddLabels(ref(2), (ANSWER_YES,))]


def test_skipped_step_already_closed_and_labelled_is_left_alone() -> None:
    """A step skipped before (closed, labelled) needs nothing more."""
    state = (
        observed(BKD)
        .step(2, notes=[note("jfu", "/sop keputusan ya")], labels=[ANSWER_YES])
        .step(4, state=State.CLOSED, labels=[SKIPPED])
    )
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert evaluation.changes == ()


def test_answer_from_someone_without_the_role_skips_nothing() -> None:
    """An answer from a non-holder is refused: no answer, no branch skipped."""
    state = observed(BKD).step(2, notes=[note("kabid", "/sop keputusan ya", id="n1")])
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert evaluation.answers == {}
    assert evaluation.skipped == frozenset()
    assert changes_on(evaluation.changes, 2) == [
        Comment(ref(2), "Keputusan dari @kabid ditolak: hanya JFU yang boleh memutuskan.", "n1")
    ]


def test_changed_answer_reopens_the_step_skipped_before() -> None:
    """Ya, then Tidak: step 4 (skipped under Ya) is reopened and its skip label removed."""
    state = (
        observed(BKD)
        .closed(1, 3)
        .step(
            2,
            state=State.CLOSED,
            labels=[ANSWER_YES],
            notes=[note("jfu", "/sop keputusan ya"), note("jfu", "/sop keputusan tidak")],
        )
        .step(4, state=State.CLOSED, labels=[SKIPPED])
    )
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert evaluation.answers == {2: False}
    assert changes_on(evaluation.changes, 4) == [
        Reopen(ref(4)),
        RemoveLabels(ref(4), (SKIPPED,)),
        Comment(ref(4), "Keputusan berubah: langkah ini dibuka kembali."),
    ]


def test_changed_answer_skips_the_branch_done_before_without_closing_it_again() -> None:
    """Step 3, closed under Ya, is only labelled skipped once the answer becomes Tidak."""
    state = (
        observed(BKD)
        .closed(1, 3)
        .step(2, state=State.CLOSED, notes=[note("jfu", "/sop keputusan ya")])
        .step(2, notes=[note("jfu", "/sop keputusan tidak")])
    )
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert changes_on(evaluation.changes, 3) == [AddLabels(ref(3), (SKIPPED,))]


def test_changed_answer_swaps_the_answer_label() -> None:
    """`keputusan::ya` gives way to `keputusan::tidak` when the answer changes."""
    state = observed(BKD).step(
        2,
        labels=[ANSWER_YES],
        notes=[note("jfu", "/sop keputusan ya"), note("jfu", "/sop keputusan tidak")],
    )
    evaluation = evaluate(BKD, request_for(BKD), state.build())
    assert changes_on(evaluation.changes, 2) == [
        AddLabels(ref(2), (ANSWER_NO,)),
        RemoveLabels(ref(2), (ANSWER_YES,)),
    ]


def test_missing_evidence_reopens_and_waits() -> None:
    """Step 7 closed without its DFD and ERD: reopened, `status::menunggu-bukti`, both named."""
    state = observed(KARANGANYAR).closed(1, 2, 3, 4, 5, 6, 7)
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == (
        Comment(ref(7), REOPENED + NO_DIAGRAMS),
        Reopen(ref(7)),
        AddLabels(ref(7), (WAITING,)),
    )


def test_missing_evidence_names_only_what_is_missing() -> None:
    """With the DFD attached, only the ERD is asked for."""
    state = (
        observed(KARANGANYAR)
        .closed(1, 2, 3, 4, 5, 6)
        .step(7, state=State.CLOSED, attachments=[attachment("DFD-v2.png", by="analis-sistem")])
    )
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.verdict(7).reasons == (
        "bukti belum lengkap: Diagram Hubungan Entitas (ERD) — berkas belum dilampirkan",
    )


def test_waiting_label_is_not_added_twice() -> None:
    """A step already waiting for evidence is reopened and told again, not relabelled."""
    state = (
        observed(KARANGANYAR).closed(1, 2, 3, 4, 5, 6).step(7, state=State.CLOSED, labels=[WAITING])
    )
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == (Comment(ref(7), REOPENED + NO_DIAGRAMS), Reopen(ref(7)))


def test_open_step_without_its_evidence_is_left_alone() -> None:
    """Evidence is needed to close, not to work: an open step missing it gets no change."""
    state = observed(KARANGANYAR).closed(1, 2, 3, 4, 5, 6)
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == ()
    assert [e.present for e in evaluation.verdict(7).evidence] == [False, False]


def test_status_labels_are_removed_once_the_step_is_satisfied() -> None:
    """Closed with its evidence: `status::menunggu-bukti` and `status::dikoreksi` come off."""
    files = [attachment("dfd.png", by="analis-sistem"), attachment("ERD.pdf", by="analis-sistem")]
    state = (
        observed(KARANGANYAR)
        .closed(1, 2, 3, 4, 5, 6)
        .step(7, state=State.CLOSED, attachments=files, labels=[WAITING, CORRECTED])
    )
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == (RemoveLabels(ref(7), (CORRECTED, WAITING)),)


def test_uat_step_signed_off_is_labelled() -> None:
    """The UAT step with its report and the owner's `/sop setuju` gets `uat::disetujui`."""
    state = observed(KARANGANYAR).step(
        10,
        attachments=[attachment("laporan-uat.pdf", by="analis-sistem")],
        notes=[note("pd-pengampu", "/sop setuju")],
    )
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == (AddLabels(ref(10), (SIGNED_OFF,)),)


def test_sign_off_label_comes_off_when_the_sign_off_is_missing() -> None:
    """`uat::disetujui` on a UAT step without its sign-off is removed."""
    state = observed(KARANGANYAR).step(10, labels=[SIGNED_OFF])
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == (RemoveLabels(ref(10), (SIGNED_OFF,)),)


def test_step_closed_by_someone_without_its_role_is_violated() -> None:
    """Step 1 closed by the head of the e-Gov section, who holds none of its roles."""
    state = observed(KARANGANYAR).step(1, closed_by="seksi-egov")
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.verdict(1).violated
    assert Reopen(ref(1)) in changes_on(evaluation.changes, 1)


def test_step_closed_by_a_supervisor_counts() -> None:
    """A supervisor named in the closing policy may close any step."""
    state = observed(KARANGANYAR).step(1, closed_by="seksi-egov")
    policy = ClosingPolicy(supervisors=frozenset({"seksi-egov"}))
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build(), closing=policy)
    assert not evaluation.verdict(1).violated
    assert evaluation.changes == ()


def test_step_closed_by_its_role_holder_counts() -> None:
    """Step 1 closed by a holder of one of its roles is fine."""
    state = observed(KARANGANYAR).step(1, closed_by="pd-pengampu")
    evaluation = evaluate(KARANGANYAR, request_for(KARANGANYAR), state.build())
    assert evaluation.changes == ()
