"""The sync service end to end on the GitLab emulator: webhooks in, the SOP enforced.

A real ``sop-sync serve`` process on 127.0.0.1; the emulator sends the webhooks itself (to
the hook ``sop-sync gitlab setup --webhook-url`` registered), shaped as GitLab documents them.
People act through python-gitlab with ``Sudo``, as in GitLab's UI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sop_sync.app.requests import existing_request, request_of
from sop_sync.app.sops import find_sop
from sop_sync.model.changes import Change, Close, Ref
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import State
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import Sop
from tests.app.test_enforce import complete
from tests.app.test_intake import template
from tests.fakes.gitlab import FakeGitLab, webhooks
from tests.fakes.gitlab.pipelines import start as start_pipeline
from tests.service.audit import record
from tests.service.gitlab_world import CODE, KEY, PROJECT, People, gitlab_world, set_up
from tests.service.serving import (
    SECRET,
    Service,
    log_lines,
    running,
    wait_for,
)


@pytest.fixture
def gitlab_service(tmp_path: Path) -> Iterator[tuple[FakeGitLab, Service, People]]:
    """The emulator (Premium), the project hook registered by `gitlab setup`, the service."""
    with gitlab_world(tmp_path) as (fake, env), running(tmp_path, env) as service:
        set_up(env, service.hook("gitlab"))
        fake.webhooks.flush()
        yield fake, service, People(fake)


def test_step_closed_early_is_reopened_within_two_seconds(
    gitlab_service: tuple[FakeGitLab, Service, People],
) -> None:
    """Closing step 5 before 1–4 is undone by the service with the comment naming why."""
    _fake, service, people = gitlab_service
    people.act(Close(Ref(KEY, 5)), "sari")
    closed = time.monotonic()
    wait_for(lambda: people.state(5) is State.OPEN, timeout=2.0)
    took = time.monotonic() - closed
    assert took <= 2.0
    notes = people.notes(5)
    assert sum("dibuka kembali oleh sop-sync" in body for body in notes) == 1, notes
    assert "Traceback" not in service.logs()


def test_the_same_delivery_twice_has_one_effect(
    gitlab_service: tuple[FakeGitLab, Service, People],
) -> None:
    """GitLab's "Resend request" of the close event: answered as a duplicate, no new comment."""
    fake, service, people = gitlab_service
    people.act(Close(Ref(KEY, 5)), "sari")
    wait_for(lambda: people.state(5) is State.OPEN, timeout=2.0)
    sent = fake.webhooks.flush()
    close_event = next(i for i, d in enumerate(sent) if b'"action": "close"' in d.body)
    before = people.notes(5)
    fake.webhooks.redeliver(close_event)
    again = fake.webhooks.flush()[-1]
    assert again.status == 200
    assert again.attempt == 1
    delivery = again.headers["Idempotency-Key"]
    answers = [line for line in log_lines(service) if line.get("delivery") == delivery]
    assert [line["status"] for line in answers] == ["accepted", "duplicate"]
    time.sleep(0.5)
    assert people.notes(5) == before


@dataclass
class Walker:
    """A world :func:`complete` can walk: the SOP, the request and the people."""

    sop: Sop
    request: RequestInput
    people: People

    def act(self, change: Change, actor: str) -> None:
        """A person does something in GitLab."""
        self.people.act(change, actor)

    def person(self, role: str) -> str:
        """The holder of ``role``."""
        return self.request.people_for(role)[0]


def test_a_walk_in_order_changes_nothing_and_logs_no_secret(
    gitlab_service: tuple[FakeGitLab, Service, People],
) -> None:
    """Steps 1–3 done properly: every event reconciled, nothing reopened, no secret logged."""
    fake, service, people = gitlab_service
    summary = existing_request(people.tracker(), KEY)
    assert summary is not None
    walker = Walker(find_sop(BUNDLED_MAPPINGS, "karanganyar"), request_of(summary), people)
    for number in (1, 2, 3):
        complete(walker, number)
    fake.webhooks.flush()
    time.sleep(1.0)
    for number in (1, 2, 3):
        assert people.state(number) is State.CLOSED
    logs = service.logs()
    assert SECRET not in logs
    assert fake.token not in logs


def test_uat_sign_off_turns_the_gate_green_and_starts_a_new_pipeline(
    gitlab_service: tuple[FakeGitLab, Service, People],
) -> None:
    """The MR's gate failed; after steps 1–10 and the PD's `/sop setuju` a new pipeline runs.

    Nobody presses "retry": the service re-runs the gate once the request passes it, and only
    once however many events follow.
    """
    fake, service, people = gitlab_service
    project = fake.state.project(CODE)
    assert project is not None
    mr = fake.add_merge_request(CODE, "Fitur absensi", f"Menambah absensi.\n\nSOP: {KEY}")
    with fake.lock:
        start_pipeline(fake.state, project, mr, fake.user, status="failed")
    ref = f"refs/merge-requests/{mr['iid']}/head"

    def pipelines() -> list[dict[str, object]]:
        with fake.lock:
            return [p for p in fake.state.pipelines[project["id"]] if p["ref"] == ref]

    summary = existing_request(people.tracker(), KEY)
    assert summary is not None
    walker = Walker(find_sop(BUNDLED_MAPPINGS, "karanganyar"), request_of(summary), people)
    for number in range(1, 10):
        complete(walker, number)
    fake.webhooks.flush()
    time.sleep(0.5)
    assert len(pipelines()) == 1  # the gate still fails: nothing re-run
    complete(walker, 10)  # the UAT: report attached, `/sop setuju` by the PD, closed
    signed = time.monotonic()
    wait_for(lambda: len(pipelines()) == 2, timeout=5.0)
    took = time.monotonic() - signed
    fake.webhooks.flush()
    time.sleep(1.0)
    assert len(pipelines()) == 2, "the gate was re-run more than once"
    assert people.state(10) is State.CLOSED
    # the UAT step produces the Berita Acara UAT: made and attached when it closed, once
    made = [a.filename for a in people.steps()[10].attachments if "berita-acara-uat" in a.filename]
    assert sorted(name.rpartition(".")[2] for name in made) == ["docx", "md", "pdf"], made
    assert not [line for line in log_lines(service) if line["level"] in {"warning", "error"}]
    record(f"gate re-run after the UAT sign-off: new MR pipeline {took:.2f} s after the close")


def test_sop_buka_on_a_template_issue_opens_the_request(
    gitlab_service: tuple[FakeGitLab, Service, People],
) -> None:
    """An analyst writes the request template, then comments `/sop buka karanganyar`.

    The service opens the request and answers on the issue with the epic's link; the same
    webhook delivered again and the reconciles that follow answer nothing more.
    """
    fake, service, people = gitlab_service
    project = people.client.projects.get(PROJECT)
    issue = project.issues.create(
        {"title": "Permohonan aplikasi arsip", "description": template(
            Judul="Aplikasi Arsip Digital", Pemohon="Dinas Arsip", Mulai="2026-12-07",
            Peran="analis-sistem=@sari")},
        sudo="sari",
    )  # fmt: skip
    issue.notes.create({"body": "/sop buka karanganyar"}, sudo="sari")
    asked = time.monotonic()

    def answers() -> list[str]:
        notes = project.issues.get(issue.iid).notes.list(get_all=True)
        return [n.body for n in notes if n.author["username"] == fake.user["username"]]

    wait_for(lambda: bool(answers()), timeout=5.0)
    took = time.monotonic() - asked
    opened = [s for s in people.tracker().requests() if s.key != KEY]
    assert len(opened) == 1, opened
    assert "Arsip Digital" in opened[0].title
    assert "dibuka" in answers()[0]
    sent = fake.webhooks.flush()
    command = next(d.number for d in sent if b"/sop buka karanganyar" in d.body)
    fake.webhooks.redeliver(command)
    fake.webhooks.flush()
    time.sleep(1.0)
    assert len(answers()) == 1
    assert [s.key for s in people.tracker().requests() if s.key != KEY] == [opened[0].key]
    assert not [line for line in log_lines(service) if line["level"] in {"warning", "error"}]
    record(f"/sop buka: request {opened[0].key} opened, answered {took:.2f} s after the command")


def test_a_merge_request_naming_no_request_is_explained_once(
    gitlab_service: tuple[FakeGitLab, Service, People],
) -> None:
    """Budi opens an MR without a `SOP:` line: one note explains it, however often it changes."""
    fake, service, people = gitlab_service
    with fake.lock:
        project = fake.state.project(CODE)
        assert project is not None
        mr = fake.state.add_merge_request(project, "Perbaikan login", "Memperbaiki login.")
        budi = fake.state.users["budi"]
        webhooks.merge_request_saved(fake.state, mr, budi)
        webhooks.merge_request_saved(fake.state, mr, budi, action="update")
    mr_api = people.client.projects.get(CODE).mergerequests.get(mr["iid"])

    def explanations() -> list[str]:
        notes = mr_api.notes.list(get_all=True)
        return [n.body for n in notes if n.author["username"] == fake.user["username"]]

    wait_for(lambda: bool(explanations()), timeout=5.0)
    fake.webhooks.flush()
    time.sleep(0.5)
    assert len(explanations()) == 1
    assert "SOP:" in explanations()[0]
    assert not [line for line in log_lines(service) if line["level"] in {"warning", "error"}]
