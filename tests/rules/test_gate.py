"""The merge-request gate as a pure decision over an evaluation, and what it reads."""

from __future__ import annotations

import pytest

from sop_sync.model.labels import SKIPPED
from sop_sync.model.tracker import State
from sop_sync.rules.evaluate import evaluate
from sop_sync.rules.evidence import uat_step
from sop_sync.rules.gate import GateResult, gate, key_from_description
from sop_sync.sop.model import Sop
from tests.builders import ObservedBuilder, attachment, note, observed, request_for, seed

KARANGANYAR = seed("karanganyar")
UAT = "10 · Ujicoba operasional sistem informasi (pelaksanaan UAT)"
DIAGRAMS = [attachment("dfd.png"), attachment("erd.png")]


def judged(sop: Sop, state: ObservedBuilder) -> GateResult:
    """The gate's answer for the test request in ``state``."""
    request = request_for(sop)
    return gate(sop, evaluate(sop, request, state.build()))


def signed_off(state: ObservedBuilder) -> ObservedBuilder:
    """Karanganyar's UAT step closed with its report and the system owner's sign-off."""
    return state.step(
        10,
        state=State.CLOSED,
        attachments=[attachment("laporan-uat.pdf")],
        notes=[note("pd-pengampu", "/sop setuju")],
    )


def test_passes_when_every_step_up_to_the_signed_off_uat_is_done() -> None:
    """Steps 1 to 9 done with their evidence, UAT closed and signed off: may merge."""
    state = signed_off(observed(KARANGANYAR).closed(*range(1, 10)).step(7, attachments=DIAGRAMS))
    assert judged(KARANGANYAR, state) == GateResult(True)


def test_steps_after_the_uat_do_not_matter() -> None:
    """Training, roll-out and monitoring (11-14) come after the merge."""
    state = signed_off(observed(KARANGANYAR).closed(*range(1, 10)).step(7, attachments=DIAGRAMS))
    assert judged(KARANGANYAR, state.missing(11, 12)).passed


def test_fails_naming_each_step_before_the_uat_not_done() -> None:
    """Step 5 still open: the gate names it in both languages."""
    state = signed_off(
        observed(KARANGANYAR).closed(1, 2, 3, 4, 6, 7, 8, 9).step(7, attachments=DIAGRAMS)
    )
    result = judged(KARANGANYAR, state)
    assert not result.passed
    step = "05 · Pembuatan rencana implementasi dan jadwal pengembangan"
    assert result.reasons_id[0] == f"langkah {step} belum selesai"
    assert result.reasons_en[0] == f"step {step} is not done"


def test_fails_while_the_uat_step_is_open() -> None:
    """Everything before done, the UAT step signed off but not closed: not yet."""
    state = signed_off(observed(KARANGANYAR).closed(*range(1, 10)).step(7, attachments=DIAGRAMS))
    result = judged(KARANGANYAR, state.step(10, state=State.OPEN))
    assert result == GateResult(
        False, (f"langkah UAT {UAT} belum ditutup",), (f"UAT step {UAT} is not closed",)
    )


def test_fails_without_the_sign_off_naming_it() -> None:
    """UAT open with its report but no sign-off: the missing sign-off is named."""
    state = (
        observed(KARANGANYAR)
        .closed(*range(1, 10))
        .step(7, attachments=DIAGRAMS)
        .step(10, attachments=[attachment("laporan-uat.pdf")])
    )
    result = judged(KARANGANYAR, state)
    assert result.reasons_id[0] == (
        f"langkah UAT {UAT}: Hasil UAT diterima PD Pengampu Sistem — belum ada /sop setuju "
        "dari pemegang peran yang berwenang"
    )
    assert result.reasons_en[0] == f"UAT step {UAT}: missing Hasil UAT diterima PD Pengampu Sistem"


def test_sign_off_by_the_developer_does_not_open_the_gate() -> None:
    """A `/sop setuju` from the analyst who ran the UAT is not the owner's sign-off."""
    state = (
        observed(KARANGANYAR)
        .closed(*range(1, 10))
        .step(7, attachments=DIAGRAMS)
        .step(
            10,
            state=State.CLOSED,
            attachments=[attachment("laporan-uat.pdf")],
            notes=[note("analis-sistem", "/sop setuju")],
        )
    )
    result = judged(KARANGANYAR, state)
    assert not result.passed
    assert result.reasons_en[-1] == f"UAT step {UAT} was closed against the SOP"


def test_steps_on_the_branch_not_taken_need_not_be_done() -> None:
    """BKD answered Ya at 2 and Tidak at 8: steps 4 and 9 are off the path and stay open."""
    bkd = seed("bkd-jateng")
    state = (
        observed(bkd)
        .closed(1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13)
        .step(2, notes=[note("jfu", "/sop keputusan ya")])
        .step(8, notes=[note("jfu", "/sop keputusan tidak")])
        .step(6, notes=[note("kasubbid", "/sop setuju")])
        .step(7, notes=[note("kabid", "/sop setuju")])
        .step(12, notes=[note("kasubbid", "/sop setuju")])
        .step(13, notes=[note("kabid", "/sop setuju")])
    )
    assert judged(bkd, state) == GateResult(True)


def test_sop_without_a_sign_off_step_never_passes() -> None:
    """Bali's SOP has no UAT step and no sign-off: the gate says so and fails."""
    bali = seed("bali")
    state = observed(bali).closed(*(s.number for s in bali.steps))
    assert judged(bali, state) == GateResult(
        False,
        ("SOP bali tidak memiliki langkah UAT dengan persetujuan",),
        ("SOP bali has no UAT step with a sign-off",),
    )


def test_fails_when_a_step_before_the_uat_was_closed_against_the_sop() -> None:
    """Step 7 closed without its DFD and ERD is not done: the MR may not merge yet."""
    state = signed_off(observed(KARANGANYAR).closed(*range(1, 10)))
    assert not judged(KARANGANYAR, state).passed


def test_fails_when_a_step_back_on_the_path_was_only_closed_as_skipped() -> None:
    """BKD: Ya then Tidak at step 2; step 4, closed as skipped under Ya, was never worked."""
    bkd = seed("bkd-jateng")
    state = (
        observed(bkd)
        .closed(*range(1, 14))
        .step(2, notes=[note("jfu", "/sop keputusan ya"), note("jfu", "/sop keputusan tidak")])
        .step(4, labels=[SKIPPED])
        .step(8, notes=[note("jfu", "/sop keputusan tidak")])
        .step(9, labels=[SKIPPED])
        .step(6, notes=[note("kasubbid", "/sop setuju")])
        .step(7, notes=[note("kabid", "/sop setuju")])
        .step(12, notes=[note("kasubbid", "/sop setuju")])
        .step(13, notes=[note("kabid", "/sop setuju")])
    )
    assert not judged(bkd, state).passed


@pytest.mark.parametrize(
    ("sop_id", "number"),
    [
        ("karanganyar", 10),  # the Berita Acara UAT step
        ("egov", 10),  # idem, though later steps also carry sign-offs
        ("bkd-jateng", 13),  # no UAT document: the last sign-off
        ("kemenkes-kepegawaian", 6),  # idem
    ],
)
def test_uat_step_is_the_uat_document_step_else_the_last_sign_off(sop_id: str, number: int) -> None:
    """The step whose sign-off opens the gate."""
    step = uat_step(seed(sop_id))
    assert step is not None
    assert step.number == number


def test_uat_step_is_none_without_any_sign_off() -> None:
    """Bali has neither a UAT document nor a sign-off."""
    assert uat_step(seed("bali")) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("SOP: absensi", "absensi"),
        ("Menambah fitur.\n\nSOP: absensi-pegawai\n", "absensi-pegawai"),
        ("  sop:   Absensi-2  ", "absensi-2"),
        ("SOP: a", None),  # a key has at least two characters
        ("SOP: -absensi", None),  # and starts with a letter or digit
        ("Lihat SOP: absensi", None),  # on a line of its own
        ("SOP: absensi pegawai", None),  # one key, nothing after it
        ("SOP absensi", None),
        ("", None),
        (None, None),
    ],
)
def test_key_from_description(text: str | None, key: str | None) -> None:
    """The request key comes from a `SOP: <kunci>` line of its own, case-insensitively."""
    assert key_from_description(text) == key


def test_key_from_description_takes_the_first_line() -> None:
    """Two `SOP:` lines: the first names the request."""
    assert key_from_description("SOP: satu\nSOP: dua") == "satu"


def test_a_missing_sign_off_is_named_once() -> None:
    """The UAT step closed without its sign-off: the reason is listed once, not twice."""
    state = (
        observed(KARANGANYAR)
        .closed(*range(1, 11))
        .step(7, attachments=DIAGRAMS)
        .step(10, attachments=[attachment("laporan-uat.pdf")])
    )
    result = judged(KARANGANYAR, state)
    assert not result.passed
    assert len(result.reasons_id) == len(set(result.reasons_id))
    assert sum("Hasil UAT diterima" in reason for reason in result.reasons_id) == 1
