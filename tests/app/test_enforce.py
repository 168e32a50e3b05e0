"""The SOP enforced on real trackers (local and the GitLab emulator): scenario tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import gitlab
import pytest

from sop_sync.app.enforce import check, fix
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.changes import Attach, Change, Close, Comment, Ref
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import State
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.rules.evaluate import Evaluation
from sop_sync.sop.model import EvidenceKind, Sop
from sop_sync.trackers.base import Connection, Repositories
from sop_sync.trackers.gitlab.code_host import GitLabRepositories
from sop_sync.trackers.gitlab.facade import GitLabTracker
from sop_sync.trackers.local.facade import LocalTracker
from sop_sync.trackers.repository import TrustedHosts
from tests.fakes.gitlab import FakeGitLab

PROJECT = "diskominfo/aplikasi-sop"
SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
BACKENDS = ["local", "gitlab-free"]


@dataclass
class World:
    """One request on one tracker, and the people acting on it."""

    tracker: LocalTracker | GitLabTracker
    repositories: Repositories
    sop: Sop
    request: RequestInput
    repo_base: str

    def act(self, change: Change, actor: str) -> None:
        """A person does something in the tracker."""
        self.tracker.acting_as(actor).apply(change)

    def check(self) -> Evaluation:
        """The rules' verdicts now."""
        return check(Connection(self.tracker, self.repositories), self.sop, self.request)[1]

    def enforce(self) -> Evaluation:
        """Check and apply the fixes (what the service or `check --fix` does)."""
        evaluation = self.check()
        assert fix(self.tracker, evaluation, self.request.key).failures == []
        return evaluation

    def person(self, role: str) -> str:
        """The first holder of ``role``."""
        return self.request.people_for(role)[0]

    def state(self, number: int) -> State:
        """A step's state."""
        return self.tracker.observe(self.request.key).steps[number].state

    def notes(self, number: int) -> list[str]:
        """A step's comments."""
        return [n.body for n in self.tracker.observe(self.request.key).steps[number].notes]


def people(sop: Sop) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """One person per role, named after it."""
    return tuple((role.id, (f"u-{role.id}"[:30],)) for role in sop.roles)


@contextmanager
def world(backend: str, sop_id: str, tmp_path: Path, repo: str = "aplikasi") -> Iterator[World]:
    """A request on ``sop_id`` opened on ``backend``, with public repositories available."""
    sop = find_sop(BUNDLED_MAPPINGS, sop_id)
    if backend == "local":
        base = "https://git.example.go.id"
        tracker = LocalTracker(tmp_path / "t.db")
        request = _request(sop, f"{base}/diskominfo/{repo}" if repo else "")
        assert converge(tracker, sop, request, SETTINGS, TrackerTexts()).ok
        yield World(tracker, TrustedHosts(frozenset({"git.example.go.id"})), sop, request, base)
        return
    with FakeGitLab(tier=backend.removeprefix("gitlab-")) as fake:
        fake.state.add_project(PROJECT)
        fake.state.add_project("diskominfo/aplikasi", visibility="public", license_key="mit")
        fake.state.add_project("diskominfo/rahasia", visibility="private", license_key="mit")
        fake.state.add_project("diskominfo/tanpa-lisensi", visibility="public")
        for _, names in people(sop):
            fake.state.add_user(names[0])
        client = gitlab.Gitlab(fake.url, private_token=fake.token, retry_transient_errors=True)
        request = _request(sop, f"{fake.url}/diskominfo/{repo}" if repo else "")
        opener = GitLabTracker.on_client(client, PROJECT, group="diskominfo")
        assert converge(opener, sop, request, SETTINGS, TrackerTexts()).ok
        repositories = GitLabRepositories(opener.session)
        yield FreshWorld(opener, repositories, sop, request, fake.url, client)


@dataclass
class FreshWorld(World):
    """On GitLab each check is a new run (a new adapter): nothing comes from a cache."""

    client: gitlab.Gitlab | None = None

    def check(self) -> Evaluation:
        """The rules' verdicts, read by a fresh adapter."""
        assert self.client is not None
        fresh = GitLabTracker.on_client(self.client, PROJECT, group="diskominfo")
        self.tracker, self.repositories = fresh, GitLabRepositories(fresh.session)
        return super().check()

    def state(self, number: int) -> State:
        """A step's state, read fresh."""
        self.check()
        return super().state(number)


def _request(sop: Sop, repo: str) -> RequestInput:
    return RequestInput(
        key="uji",
        sop_id=sop.id,
        title="Aplikasi Uji",
        start=dt.date(2026, 12, 1),
        requester="Dinas Pemohon",
        people=people(sop),
        repo=repo,
    )


class Acting(Protocol):
    """A world people act in: the scenarios below run on any tracker that offers this."""

    sop: Sop
    request: RequestInput

    def act(self, change: Change, actor: str) -> None:
        """A person does something in the tracker."""
        ...

    def person(self, role: str) -> str:
        """The first holder of ``role``."""
        ...


def complete(w: Acting, number: int) -> None:
    """Do step ``number`` properly: evidence, sign-offs, answer Ya, then close it."""
    step = w.sop.step(number)
    worker = w.person(step.roles[0])
    ref = Ref(w.request.key, number)
    for item in step.evidence:
        if item.kind is EvidenceKind.ATTACHMENT:
            name = item.patterns[0].replace("*", "") or "bukti"
            w.act(Attach(ref, f"{name}.pdf", b"%PDF bukti"), worker)
        elif item.kind is EvidenceKind.APPROVAL and item.role:
            w.act(Comment(ref, "/sop setuju"), w.person(item.role))
        elif item.kind is EvidenceKind.LINK:
            w.act(Comment(ref, "https://example.go.id/bukti"), worker)
    if step.decision is not None:
        w.act(Comment(ref, "/sop keputusan ya"), worker)
    w.act(Close(ref), worker)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "sop_id", ["bkd-jateng", "kemenkes-kepegawaian", "karanganyar", "bali", "egov"]
)
def test_walking_every_seed_in_order_passes(backend: str, sop_id: str, tmp_path: Path) -> None:
    """Each seed SOP walked step by step with its evidence: nothing is reopened, all closed."""
    with world(backend, sop_id, tmp_path) as w:
        for step in w.sop.steps:
            if w.state(step.number) is State.CLOSED:
                continue  # a branch closed as skipped
            complete(w, step.number)
            evaluation = w.enforce()
            assert not evaluation.violated, evaluation.verdict(step.number).reasons
        final = w.check()
        assert all(v.state is State.CLOSED for v in final.verdicts)
        assert not final.violated


@pytest.mark.parametrize("backend", BACKENDS)
def test_closing_step_early_is_undone_naming_the_open_step(backend: str, tmp_path: Path) -> None:
    """Closing step 5 while step 4 is open reopens step 5 with a comment naming step 4."""
    with world(backend, "karanganyar", tmp_path) as w:
        for number in (1, 2, 3):
            complete(w, number)
        w.act(Close(Ref("uji", 5)), w.person("analis-sistem"))
        evaluation = w.enforce()
        assert evaluation.verdict(5).violated
        assert w.state(5) is State.OPEN
        [comment] = [n for n in w.notes(5) if "dibuka kembali" in n]
        assert "04 · Penunjukan Analisis Sistem" in comment
        assert not w.enforce().changes  # idempotent: nothing more to do


@pytest.mark.parametrize("backend", BACKENDS)
def test_decision_tidak_skips_step_3_and_changing_it_reopens(backend: str, tmp_path: Path) -> None:
    """Seed 000: step 2 = tidak closes step 3 as dilewati; answering ya reopens step 3."""
    with world(backend, "bkd-jateng", tmp_path) as w:
        complete(w, 1)
        w.act(Comment(Ref("uji", 2), "/sop keputusan tidak"), w.person("jfu"))
        w.act(Close(Ref("uji", 2)), w.person("jfu"))
        evaluation = w.enforce()
        assert evaluation.answers == {2: False}
        assert 3 in evaluation.skipped
        assert w.state(3) is State.CLOSED
        assert "status::dilewati" in w.tracker.observe("uji").steps[3].labels
        complete(w, 4)  # the way to step 4 is open
        assert not w.enforce().violated
        w.act(Comment(Ref("uji", 2), "/sop keputusan ya"), w.person("jfu"))
        w.enforce()
        assert w.state(3) is State.OPEN
        assert "status::dilewati" not in w.tracker.observe("uji").steps[3].labels


@pytest.mark.parametrize("backend", BACKENDS)
def test_correction_goes_back_and_is_counted(backend: str, tmp_path: Path) -> None:
    """Seed 001: the review (step 4) sends the analysis (step 3) back; loops are counted."""
    with world(backend, "kemenkes-kepegawaian", tmp_path) as w:
        for number in (1, 2, 3):
            complete(w, number)
        reviewer = w.person("kasubbag-pkdik")
        w.act(
            Comment(Ref("uji", 4), "/sop koreksi rancangan tabel pegawai belum lengkap"), reviewer
        )
        evaluation = w.enforce()
        assert evaluation.corrections == {4: 1}
        assert w.state(3) is State.OPEN
        assert "status::dikoreksi" in w.tracker.observe("uji").steps[3].labels
        complete(w, 3)
        w.act(Comment(Ref("uji", 4), "/SOP  Koreksi masih kurang"), reviewer)
        assert w.enforce().corrections == {4: 2}
        assert w.check().corrections == {4: 2}  # counted once each, however often checked


@pytest.mark.parametrize("backend", BACKENDS)
def test_dfd_without_erd_names_the_erd(backend: str, tmp_path: Path) -> None:
    """Karanganyar step 7 closed with a DFD only is reopened and the comment names the ERD."""
    with world(backend, "karanganyar", tmp_path) as w:
        for number in range(1, 7):
            complete(w, number)
        ref = Ref("uji", 7)
        w.act(Attach(ref, "rancangan-dfd.png", b"png"), w.person("analis-sistem"))
        w.act(Close(ref), w.person("analis-sistem"))
        w.enforce()
        assert w.state(7) is State.OPEN
        observed = w.tracker.observe("uji").steps[7]
        assert "status::menunggu-bukti" in observed.labels
        [comment] = [n for n in w.notes(7) if "dibuka kembali" in n]
        assert "Diagram Hubungan Entitas (ERD)" in comment
        assert "Diagram Alir Data (DFD)" not in comment


@pytest.mark.parametrize("backend", BACKENDS)
def test_uat_sign_off_by_the_developer_is_refused(backend: str, tmp_path: Path) -> None:
    """A `/sop setuju` on the UAT step by the analyst does not count; the PD's does."""
    with world(backend, "karanganyar", tmp_path) as w:
        ref = Ref("uji", 10)
        w.act(Comment(ref, "/sop setuju"), w.person("analis-sistem"))
        approval = next(e for e in w.check().verdict(10).evidence if e.item.role == "pd-pengampu")
        assert not approval.present
        w.act(Comment(ref, "/sop setuju"), w.person("pd-pengampu"))
        approval = next(e for e in w.check().verdict(10).evidence if e.item.role == "pd-pengampu")
        assert approval.present
        assert approval.found == w.person("pd-pengampu")


@pytest.mark.parametrize("backend", BACKENDS)
def test_sign_off_by_a_role_holder_who_did_the_work_is_refused(
    backend: str, tmp_path: Path
) -> None:
    """Someone holding both the approving role and a working role cannot approve their work."""
    with world(backend, "karanganyar", tmp_path) as w:
        both = w.person("analis-sistem")
        w.request = RequestInput(
            **{**w.request.__dict__, "people": (*w.request.people, ("pd-pengampu", (both,)))}
        )
        w.act(Comment(Ref("uji", 10), "/sop setuju"), both)
        approval = next(e for e in w.check().verdict(10).evidence if e.item.role == "pd-pengampu")
        assert not approval.present


@pytest.mark.parametrize(
    ("repo", "why"),
    [("rahasia", "repositori privat"), ("tanpa-lisensi", "repositori tanpa lisensi")],
)
def test_private_or_unlicensed_repository_is_a_violation(
    repo: str, why: str, tmp_path: Path
) -> None:
    """On GitLab, a private repository or one without a licence fails the open-repository rule."""
    with world("gitlab-free", "karanganyar", tmp_path, repo=repo) as w:
        for number in range(1, 13):
            complete(w, number)
        complete(w, 13)
        evaluation = w.enforce()
        assert evaluation.verdict(13).violated
        assert any(why in reason for reason in evaluation.verdict(13).reasons)


def test_repository_elsewhere_is_unverifiable(tmp_path: Path) -> None:
    """On the local tracker a repository on an untrusted host cannot be verified."""
    with world("local", "karanganyar", tmp_path) as w:
        w.request = RequestInput(**{**w.request.__dict__, "repo": "https://github.com/x/y"})
        [item] = w.check().verdict(13).evidence
        assert not item.present
        assert item.why == "repositori tidak dapat diverifikasi (bukan di GitLab yang terhubung)"
