"""The SOP enforced on Jira (Cloud and Data Center emulators): the rule scenarios.

The same scenarios as ``tests/app/test_enforce.py`` on the local tracker and GitLab: every
seed walked with its evidence, an early close undone, decisions and skipped branches,
corrections counted, evidence named, sign-off authority. Each check is a new run (a new
adapter), so nothing comes from a cache; people act with their own tokens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pytest

from sop_sync.app.enforce import check, fix
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.model.changes import Attach, Change, Close, Comment, Ref
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Issue, State
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.rules.evaluate import Evaluation
from sop_sync.sop.model import Sop
from sop_sync.trackers.base import Connection
from sop_sync.trackers.repository import TrustedHosts
from tests.app.test_enforce import complete
from tests.fakes.jira import FakeJira
from tests.trackers.jira.backends import seeded, tracker_on
from tests.trackers.jira.test_jira import SETTINGS

FLAVOURS = ["cloud", "dc"]
SEEDS = ["bkd-jateng", "kemenkes-kepegawaian", "karanganyar", "bali", "egov"]
TRUSTED = TrustedHosts(frozenset({"git.example.go.id"}))


@dataclass
class JiraWorld:
    """One request on one Jira emulator, and the people acting on it."""

    fake: FakeJira
    sop: Sop
    request: RequestInput

    def act(self, change: Change, actor: str) -> None:
        """A person does something in Jira."""
        tracker_on(self.fake).acting_as(actor).apply(change)

    def check(self) -> Evaluation:
        """The rules' verdicts, read by a new run."""
        connection = Connection(tracker_on(self.fake), TRUSTED)
        return check(connection, self.sop, self.request)[1]

    def enforce(self) -> Evaluation:
        """Check and apply the fixes (what the service or ``check --fix`` does)."""
        evaluation = self.check()
        assert fix(tracker_on(self.fake), evaluation, self.request.key).failures == []
        return evaluation

    def person(self, role: str) -> str:
        """The first holder of ``role``."""
        return self.request.people_for(role)[0]

    def step(self, number: int) -> Issue:
        """A step issue as a new run reads it."""
        return tracker_on(self.fake).observe(self.request.key).steps[number]

    def notes(self, number: int) -> list[str]:
        """A step's comments."""
        return [n.body for n in self.step(number).notes]


@contextmanager
def world(flavour: str, sop_id: str) -> Iterator[JiraWorld]:
    """A request on ``sop_id`` opened on a Jira emulator; one person per role, with a token."""
    sop = find_sop(BUNDLED_MAPPINGS, sop_id)
    people = tuple((role.id, (f"u-{role.id}"[:30],)) for role in sop.roles)
    request = RequestInput(
        key="uji",
        sop_id=sop.id,
        title="Aplikasi Uji",
        start=dt.date(2026, 12, 1),
        requester="Dinas Pemohon",
        people=people,
        repo="https://git.example.go.id/diskominfo/aplikasi",
    )
    with seeded(flavour) as fake:
        for _, names in people:
            fake.add_user(
                names[0], names[0], f"{names[0]}@example.go.id", token=f"{names[0]}-token"
            )
        assert converge(tracker_on(fake), sop, request, SETTINGS, TrackerTexts()).ok
        yield JiraWorld(fake, sop, request)
        assert not fake.errors, fake.errors[0]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("sop_id", SEEDS)
def test_walking_every_seed_in_order_passes(flavour: str, sop_id: str) -> None:
    """Each seed SOP walked step by step with its evidence: nothing reopened, all closed."""
    with world(flavour, sop_id) as w:
        for step in w.sop.steps:
            if w.step(step.number).state is State.CLOSED:
                continue  # a branch closed as skipped
            complete(w, step.number)
            evaluation = w.enforce()
            assert not evaluation.violated, evaluation.verdict(step.number).reasons
        final = w.check()
        assert all(v.state is State.CLOSED for v in final.verdicts)
        assert not final.violated


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_closing_step_early_is_undone_naming_the_open_step(flavour: str) -> None:
    """Closing step 5 while step 4 is open reopens step 5 with a comment naming step 4."""
    with world(flavour, "karanganyar") as w:
        for number in (1, 2, 3):
            complete(w, number)
        w.act(Close(Ref("uji", 5)), w.person("analis-sistem"))
        evaluation = w.enforce()
        assert evaluation.verdict(5).violated
        assert w.step(5).state is State.OPEN
        [comment] = [n for n in w.notes(5) if "dibuka kembali" in n]
        assert "04 · Penunjukan Analisis Sistem" in comment
        assert not w.enforce().changes  # idempotent: nothing more to do


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_decision_tidak_skips_step_3_and_changing_it_reopens(flavour: str) -> None:
    """Seed 000: step 2 = tidak closes step 3 as dilewati; answering ya reopens step 3."""
    with world(flavour, "bkd-jateng") as w:
        complete(w, 1)
        w.act(Comment(Ref("uji", 2), "/sop keputusan tidak"), w.person("jfu"))
        w.act(Close(Ref("uji", 2)), w.person("jfu"))
        evaluation = w.enforce()
        assert evaluation.answers == {2: False}
        assert 3 in evaluation.skipped
        step3 = w.step(3)
        assert step3.state is State.CLOSED
        assert "status::dilewati" in step3.labels
        complete(w, 4)
        assert not w.enforce().violated
        w.act(Comment(Ref("uji", 2), "/sop keputusan ya"), w.person("jfu"))
        w.enforce()
        step3 = w.step(3)
        assert step3.state is State.OPEN
        assert "status::dilewati" not in step3.labels


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_correction_goes_back_and_is_counted(flavour: str) -> None:
    """Seed 001: the review (step 4) sends the analysis (step 3) back; loops are counted."""
    with world(flavour, "kemenkes-kepegawaian") as w:
        for number in (1, 2, 3):
            complete(w, number)
        reviewer = w.person("kasubbag-pkdik")
        w.act(Comment(Ref("uji", 4), "/sop koreksi rancangan tabel belum lengkap"), reviewer)
        evaluation = w.enforce()
        assert evaluation.corrections == {4: 1}
        step3 = w.step(3)
        assert step3.state is State.OPEN
        assert "status::dikoreksi" in step3.labels
        complete(w, 3)
        w.act(Comment(Ref("uji", 4), "/SOP  Koreksi masih kurang"), reviewer)
        assert w.enforce().corrections == {4: 2}
        assert w.check().corrections == {4: 2}  # counted once each, however often checked


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dfd_without_erd_names_the_erd(flavour: str) -> None:
    """Karanganyar step 7 closed with a DFD only is reopened and the comment names the ERD."""
    with world(flavour, "karanganyar") as w:
        for number in range(1, 7):
            complete(w, number)
        ref = Ref("uji", 7)
        w.act(Attach(ref, "rancangan-dfd.png", b"png"), w.person("analis-sistem"))
        w.act(Close(ref), w.person("analis-sistem"))
        w.enforce()
        step7 = w.step(7)
        assert step7.state is State.OPEN
        assert "status::menunggu-bukti" in step7.labels
        [comment] = [n for n in w.notes(7) if "dibuka kembali" in n]
        assert "Diagram Hubungan Entitas (ERD)" in comment
        assert "Diagram Alir Data (DFD)" not in comment


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_uat_sign_off_needs_the_right_person(flavour: str) -> None:
    """The analyst's `/sop setuju` on UAT does not count; the PD's does; nor one who did both."""
    with world(flavour, "karanganyar") as w:
        ref = Ref("uji", 10)
        w.act(Comment(ref, "/sop setuju"), w.person("analis-sistem"))
        approval = next(e for e in w.check().verdict(10).evidence if e.item.role == "pd-pengampu")
        assert not approval.present
        w.act(Comment(ref, "/sop setuju"), w.person("pd-pengampu"))
        approval = next(e for e in w.check().verdict(10).evidence if e.item.role == "pd-pengampu")
        assert approval.present
        assert approval.found == w.person("pd-pengampu")
        both = w.person("analis-sistem")
        w.request = replace(w.request, people=(*w.request.people, ("pd-pengampu", (both,))))
        approvals = [e for e in w.check().verdict(10).evidence if e.item.role == "pd-pengampu"]
        assert approvals[0].found != both
