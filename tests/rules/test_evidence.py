"""Which evidence items (`bukti`) a step issue carries: matching over observed values."""

from __future__ import annotations

from collections.abc import Iterable

from sop_sync.model.tracker import Attachment, Issue, Note, RepoState, RepoStatus
from sop_sync.rules.evidence import (
    EvidenceStatus,
    evidence_status,
    repository_url,
    urls,
    workers,
)
from sop_sync.sop.model import Evidence, Step
from tests.builders import attachment, note, observed, request_for, seed

KARANGANYAR = seed("karanganyar")
DFD, ERD = KARANGANYAR.step(7).evidence
UAT_REPORT, UAT_SIGN_OFF = KARANGANYAR.step(10).evidence
OPEN_REPO = KARANGANYAR.step(13).evidence[0]
REPO = "https://git.example.go.id/diskominfo/absensi"


def link(*patterns: str) -> Evidence:
    """A `tautan` evidence item (no seed SOP asks for one)."""
    return Evidence.model_validate({"jenis": "tautan", "nama": "Dokumen daring", "pola": patterns})


def issue_of(
    step: int,
    *,
    notes: Iterable[Note] = (),
    attachments: Iterable[Attachment] = (),
    description: str = "",
) -> Issue:
    """Karanganyar step ``step``'s issue carrying these notes, files and description."""
    state = observed(KARANGANYAR).step(
        step, notes=notes, attachments=attachments, description=description
    )
    return state.build().steps[step]


def status(
    step: int,
    item: Evidence,
    *,
    notes: Iterable[Note] = (),
    attachments: Iterable[Attachment] = (),
    description: str = "",
) -> EvidenceStatus:
    """The status of ``item`` on step ``step`` of a Karanganyar request with default people."""
    issue = issue_of(step, notes=notes, attachments=attachments, description=description)
    return evidence_status(issue, KARANGANYAR.step(step), item, request_for(KARANGANYAR))


# --- attachments -------------------------------------------------------------------------


def test_attachment_matching_the_pattern_is_present() -> None:
    """`dfd.png` matches `*dfd*`; the file found is named."""
    assert status(7, DFD, attachments=[attachment("dfd.png")]) == EvidenceStatus(
        DFD, True, "dfd.png"
    )


def test_attachment_pattern_ignores_case() -> None:
    """`Diagram-DFD-Final.PNG` matches `*dfd*`."""
    assert status(7, DFD, attachments=[attachment("Diagram-DFD-Final.PNG")]).present


def test_attachment_not_matching_is_missing_with_a_reason() -> None:
    """An ERD file is not the DFD: missing, "berkas belum dilampirkan"."""
    assert status(7, DFD, attachments=[attachment("erd.png")]) == EvidenceStatus(
        DFD, False, "", "berkas belum dilampirkan"
    )


def test_first_matching_attachment_is_the_one_found() -> None:
    """Of several matches, the first uploaded is reported."""
    files = [attachment("catatan.txt"), attachment("dfd-v1.png"), attachment("dfd-v2.png")]
    assert status(7, DFD, attachments=files).found == "dfd-v1.png"


def test_any_of_several_patterns_matches() -> None:
    """The UAT report counts under any of its patterns (`*uji*coba*` here)."""
    assert status(10, UAT_REPORT, attachments=[attachment("hasil-uji-coba.pdf")]).present


def test_attachment_pattern_matches_the_whole_name() -> None:
    """A pattern matches the whole file name: `*.pdf` does not match `dfd.pdf.png`."""
    item = DFD.model_copy(update={"patterns": ("*.pdf",)})
    assert not status(7, item, attachments=[attachment("dfd.pdf.png")]).present


def test_file_name_written_in_a_note_is_not_an_attachment() -> None:
    """A file name written in a note is not an attached file."""
    assert not status(7, DFD, notes=[note("analis-sistem", "lihat dfd.png")]).present


# --- links -------------------------------------------------------------------------------


def test_link_in_a_note_matching_the_pattern_is_present() -> None:
    """A link in a comment counts when it matches the item's pattern."""
    item = link("https://docs.example.go.id/*")
    found = status(5, item, notes=[note("analis-sistem", "Jadwal: https://docs.example.go.id/j1")])
    assert found == EvidenceStatus(item, True, "https://docs.example.go.id/j1")


def test_link_in_the_description_counts() -> None:
    """A link in the issue's description counts too."""
    item = link()
    assert status(5, item, description="Dokumen di https://a.example/x").found == (
        "https://a.example/x"
    )


def test_link_without_patterns_accepts_any_url() -> None:
    """An item with no `pola` takes the first link of any address."""
    assert status(5, link(), notes=[note("a", "http://b.example/dok")]).present


def test_link_not_matching_the_pattern_is_missing() -> None:
    """A link elsewhere does not count: "tautan belum ada"."""
    item = link("https://docs.example.go.id/*")
    assert status(5, item, notes=[note("a", "https://lain.example/x")]) == EvidenceStatus(
        item, False, "", "tautan belum ada"
    )


def test_link_pattern_ignores_case() -> None:
    """Links match their pattern whatever the case."""
    item = link("*docs.example.go.id*")
    assert status(5, item, notes=[note("a", "https://DOCS.Example.GO.ID/J1")]).present


def test_urls_are_read_in_order_and_trimmed() -> None:
    """Description first, then notes in order; a closing bracket ends a link."""
    issue = issue_of(
        5,
        description="lihat (https://a.example/1) dan [x](https://b.example/2)",
        notes=[note("a", "<https://c.example/3>")],
    )
    assert urls(issue) == ["https://a.example/1", "https://b.example/2", "https://c.example/3"]


# --- open repository ---------------------------------------------------------------------


def repo_status(state: RepoState, detail: str = "", repo: str = REPO) -> EvidenceStatus:
    """The open-repository item of step 13 with the request's repository inspected as given."""
    request = request_for(KARANGANYAR, repo=repo)
    repos = {REPO: RepoStatus(REPO, state, detail)}
    return evidence_status(issue_of(13), KARANGANYAR.step(13), OPEN_REPO, request, repos)


def test_open_repository_is_present() -> None:
    """A public repository with an OSI licence counts; the URL is what was found."""
    assert repo_status(RepoState.OPEN) == EvidenceStatus(OPEN_REPO, True, REPO)


def test_private_repository_is_missing_with_its_state_and_detail() -> None:
    """A private repository does not count; the reason gives the state and the detail."""
    assert repo_status(RepoState.PRIVATE, "HTTP 404") == EvidenceStatus(
        OPEN_REPO, False, REPO, "repositori privat (HTTP 404)"
    )


def test_repository_without_licence_is_missing() -> None:
    """No licence file: "repositori tanpa lisensi"."""
    assert repo_status(RepoState.NO_LICENCE).why == "repositori tanpa lisensi"


def test_repository_not_inspected_is_unverifiable() -> None:
    """A repository absent from the inspections cannot be verified."""
    request = request_for(KARANGANYAR, repo=REPO)
    found = evidence_status(issue_of(13), KARANGANYAR.step(13), OPEN_REPO, request, {})
    assert found == EvidenceStatus(OPEN_REPO, False, REPO, "repositori tidak dapat diverifikasi")


def test_no_repository_link_at_all_is_missing() -> None:
    """No repository on the request and no link on the step: the link is asked for."""
    found = evidence_status(issue_of(13), KARANGANYAR.step(13), OPEN_REPO, request_for(KARANGANYAR))
    assert found == EvidenceStatus(OPEN_REPO, False, "", "tautan repositori kode sumber belum ada")


def test_repository_falls_back_to_the_first_link_on_the_step() -> None:
    """Without a repository on the request, the step's first link is the repository."""
    issue = issue_of(13, notes=[note("tim-pengembang", f"Kode: {REPO} dan https://x.example")])
    assert repository_url(issue, request_for(KARANGANYAR)) == REPO
    repos = {REPO: RepoStatus(REPO, RepoState.OPEN)}
    found = evidence_status(issue, KARANGANYAR.step(13), OPEN_REPO, request_for(KARANGANYAR), repos)
    assert found.present


def test_request_repository_wins_over_links_on_the_step() -> None:
    """The request's own repository is inspected, whatever the step links to."""
    issue = issue_of(13, notes=[note("tim-pengembang", "https://lain.example/repo")])
    assert repository_url(issue, request_for(KARANGANYAR, repo=REPO)) == REPO


# --- sign-off ----------------------------------------------------------------------------


def sign_off(step: Step, people: dict[str, str | tuple[str, ...]], *authors: str) -> EvidenceStatus:
    """The UAT sign-off of step 10 with these role holders and `/sop setuju` notes."""
    request = request_for(KARANGANYAR, people=people)
    issue = issue_of(step.number, notes=[note(author, "/sop setuju") for author in authors])
    return evidence_status(issue, step, UAT_SIGN_OFF, request)


def test_sign_off_from_the_named_role_is_present() -> None:
    """The system owner's `/sop setuju` signs the UAT off; the approver is named."""
    found = sign_off(KARANGANYAR.step(10), {"pd-pengampu": "rina"}, "rina")
    assert found == EvidenceStatus(UAT_SIGN_OFF, True, "rina")


def test_sign_off_from_another_role_does_not_count() -> None:
    """The analyst who ran the UAT cannot sign it off."""
    found = sign_off(KARANGANYAR.step(10), {"analis-sistem": "budi"}, "budi")
    assert found == EvidenceStatus(
        UAT_SIGN_OFF, False, "", "belum ada /sop setuju dari pemegang peran yang berwenang"
    )


def test_sign_off_from_a_holder_who_also_did_the_work_does_not_count() -> None:
    """Someone holding both the owner's role and the analyst's role approves their own work."""
    people: dict[str, str | tuple[str, ...]] = {"pd-pengampu": "sari", "analis-sistem": "sari"}
    assert not sign_off(KARANGANYAR.step(10), people, "sari").present


def test_sign_off_from_another_holder_of_the_role_counts() -> None:
    """With two owners, the one who did not do the work may sign off."""
    people: dict[str, str | tuple[str, ...]] = {
        "pd-pengampu": ("sari", "rina"),
        "analis-sistem": "sari",
    }
    assert sign_off(KARANGANYAR.step(10), people, "sari", "rina").found == "rina"


def test_sign_off_names_the_latest_approver() -> None:
    """Several sign-offs: the latest one is reported."""
    people: dict[str, str | tuple[str, ...]] = {"pd-pengampu": ("rina", "tono")}
    assert sign_off(KARANGANYAR.step(10), people, "rina", "tono").found == "tono"


def test_sign_off_quoted_does_not_count() -> None:
    """A `/sop setuju` inside a quote is not a sign-off."""
    request = request_for(KARANGANYAR)
    issue = issue_of(10, notes=[note("pd-pengampu", "> /sop setuju")])
    assert not evidence_status(issue, KARANGANYAR.step(10), UAT_SIGN_OFF, request).present


def test_workers_exclude_the_approving_role() -> None:
    """The people who did the work are the holders of the step's other roles."""
    request = request_for(KARANGANYAR, people={"analis-sistem": ("budi", "ani")})
    assert workers(KARANGANYAR.step(10), request, "pd-pengampu") == {"budi", "ani"}


def test_an_attachment_item_without_patterns_takes_any_file() -> None:
    """`bukti: {jenis: lampiran}` without `pola` is satisfied by any attached file."""
    item = Evidence.model_validate({"jenis": "lampiran", "nama": "Berkas pendukung"})
    assert not status(7, item).present
    found = status(7, item, attachments=[attachment("notulen rapat.docx", by="sari")])
    assert found.present
    assert found.found == "notulen rapat.docx"


def test_links_are_found_whatever_the_case_of_the_scheme() -> None:
    """`HTTPS://` is a link like `https://`."""
    issue = issue_of(2, description="Lihat HTTPS://Git.Example.go.id/dinas/aplikasi")
    assert urls(issue) == ["HTTPS://Git.Example.go.id/dinas/aplikasi"]


def test_sign_off_from_the_uploader_of_the_evidence_does_not_count() -> None:
    """The owner who uploaded the UAT report themselves cannot also sign it off."""
    request = request_for(KARANGANYAR, people={"pd-pengampu": "rina"})
    issue = issue_of(
        10,
        notes=[note("rina", "/sop setuju")],
        attachments=[attachment("laporan-uat.pdf", by="rina")],
    )
    found = evidence_status(issue, KARANGANYAR.step(10), UAT_SIGN_OFF, request)
    assert not found.present


def test_the_approving_role_holder_sop_sync_assigned_may_sign_off() -> None:
    """The owner is one of UAT's roles, so sop-sync assigned them: their sign-off counts."""
    request = request_for(KARANGANYAR, people={"pd-pengampu": "tono"})
    state = observed(KARANGANYAR).step(10, notes=[note("tono", "/sop setuju")], assignees=["tono"])
    step_issue = state.build().steps[10]
    assert evidence_status(step_issue, KARANGANYAR.step(10), UAT_SIGN_OFF, request).present


def test_sign_off_from_someone_people_assigned_to_the_work_does_not_count() -> None:
    """An approver from outside the step's roles, assigned to the step, did its work."""
    outside = Evidence.model_validate(
        {"jenis": "persetujuan", "nama": "Disetujui Seksi PSI", "peran": "seksi-psi"}
    )
    request = request_for(KARANGANYAR, people={"seksi-psi": "andi"})
    signed = observed(KARANGANYAR).step(10, notes=[note("andi", "/sop setuju")])
    assert evidence_status(signed.build().steps[10], KARANGANYAR.step(10), outside, request).present
    assigned = observed(KARANGANYAR).step(
        10, notes=[note("andi", "/sop setuju")], assignees=["andi"]
    )
    found = evidence_status(assigned.build().steps[10], KARANGANYAR.step(10), outside, request)
    assert not found.present


def test_a_review_cannot_be_signed_off_by_who_did_the_reviewed_work() -> None:
    """Egov step 12 approves steps 9–11: a system owner who also worked on step 9 may not sign."""
    egov = seed("egov")
    [approval] = [e for e in egov.step(12).evidence if e.role]
    request = request_for(
        egov, people={"instansi-pemilik": ("ani", "staf-ani"), "staf": "staf-ani"}
    )
    state = (
        observed(egov)
        .step(9, assignees=["staf-ani"])
        .step(12, notes=[note("staf-ani", "/sop setuju"), note("ani", "/sop setuju")])
        .build()
    )
    reviewed = [(state.steps[n], egov.step(n)) for n in (9, 10, 11)]
    found = evidence_status(state.steps[12], egov.step(12), approval, request, None, reviewed)
    assert found.found == "ani"
    alone = (
        observed(egov)
        .step(9, assignees=["staf-ani"])
        .step(12, notes=[note("staf-ani", "/sop setuju")])
        .build()
    )
    reviewed = [(alone.steps[n], egov.step(n)) for n in (9, 10, 11)]
    assert not evidence_status(
        alone.steps[12], egov.step(12), approval, request, None, reviewed
    ).present
