"""The sync service end to end on the Jira emulator (Cloud and Data Center).

A real ``sop-sync serve`` process; the webhook registered by ``sop-sync jira setup
--webhook-url`` with the secret; the emulator signs and sends ``jira:issue_updated`` and
``comment_created`` itself. People act with their own tokens (Jira has no impersonation).
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
from sop_sync.trackers.jira.connect import client
from tests.app.test_enforce import complete
from tests.app.test_intake import template, wiki
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.pipelines import start as start_pipeline
from tests.fakes.jira import FakeJira
from tests.service.audit import record
from tests.service.gitlab_world import sop_sync_cli
from tests.service.serving import Service, log_lines, running, service_env, wait_for
from tests.trackers.jira.backends import PROJECT, secret, seeded, tracker_on

KEY = "absensi"


def jira_env(fake: FakeJira) -> dict[str, str]:
    """sop-sync's settings for the emulator's project (the bot's credentials)."""
    credentials = secret(fake)
    env = {
        "SOP_SYNC_TRACKER": "jira",
        "SOP_SYNC_JIRA_URL": fake.url,
        "SOP_SYNC_JIRA_PROJECT": PROJECT,
    }
    if isinstance(credentials, tuple):
        env["SOP_SYNC_JIRA_EMAIL"], env["SOP_SYNC_JIRA_TOKEN"] = credentials
    else:
        env["SOP_SYNC_JIRA_TOKEN"] = credentials
    return env


@pytest.fixture(params=["cloud", "dc"])
def jira_service(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[FakeJira, Service]]:
    """The emulator, the webhook registered by `jira setup`, a request opened, the service."""
    with seeded(request.param) as fake:
        env = service_env(tmp_path, jira_env(fake))
        with running(tmp_path, env) as service:
            sop_sync_cli(env, "jira", "setup", "--webhook-url", service.hook("jira"))
            sop_sync_cli(
                env, "open", "karanganyar", "--judul", "Aplikasi Absensi", "--kunci", KEY,
                "--pemohon", "BKD", "--mulai", "2026-12-01", "--peran=analis-sistem=sari",
            )  # fmt: skip
            fake.webhooks.flush()
            yield fake, service


def step_key(fake: FakeJira, number: int) -> str:
    """The Jira key of step ``number``'s issue."""
    return tracker_on(fake).observe(KEY, history=False).steps[number].tracker_id


def test_step_closed_early_is_reopened_within_two_seconds(
    jira_service: tuple[FakeJira, Service],
) -> None:
    """Sari moves step 5 to Done before 1–4: the service moves it back and says why, once."""
    fake, service = jira_service
    tracker_on(fake).acting_as("sari").apply(Close(Ref(KEY, 5)))
    closed = time.monotonic()

    def reopened() -> bool:
        return tracker_on(fake).observe(KEY).steps[5].state is State.OPEN

    wait_for(reopened, timeout=2.0)
    took = time.monotonic() - closed
    notes = [n.body for n in tracker_on(fake).observe(KEY).steps[5].notes]
    assert sum("dibuka kembali oleh sop-sync" in body for body in notes) == 1, notes
    record(f"Jira {fake.flavour}: step closed early reopened {took:.2f} s after the close")
    # the same delivery again: answered as a duplicate, no second comment
    sent = fake.webhooks.flush()
    first = next(d for d in sent if b'"field": "status"' in d.body and d.status == 202)
    fake.webhooks.redeliver(first.number)
    again = fake.webhooks.flush()[-1]
    assert again.status is not None
    assert 200 <= again.status < 300
    identifier = again.headers["X-Atlassian-Webhook-Identifier"]
    answers = [e["status"] for e in log_lines(service) if e.get("delivery") == identifier]
    assert answers[-1] == "duplicate"
    time.sleep(0.5)
    assert [n.body for n in tracker_on(fake).observe(KEY).steps[5].notes] == notes


def test_a_comment_reaches_its_request(jira_service: tuple[FakeJira, Service]) -> None:
    """A `comment_created` reaches its request (on Cloud its payload names no labels).

    Sari writes `/sop keputusan tidak` on step 2, which asks no question: the service finds
    the request through the issue and answers that comment, once.
    """
    fake, service = jira_service
    comment = fake.comment_as("sari", step_key(fake, 2), "/sop keputusan tidak")

    def replies() -> list[str]:
        notes = tracker_on(fake).observe(KEY).steps[2].notes
        return [n.body for n in notes if n.in_reply_to == str(comment["id"])]

    wait_for(lambda: bool(replies()), timeout=3.0)

    def jobs() -> list[str]:
        return [str(e.get("job")) for e in log_lines(service) if e.get("event") == "job"]

    wait_for(lambda: "request:absensi" in jobs(), timeout=3.0)  # logged once it finished
    if fake.state.cloud:  # Cloud's comment payload carries no labels: found through the issue
        assert any(job.startswith("issue:jira:") for job in jobs()), jobs()
    fake.webhooks.flush()
    time.sleep(0.5)
    assert len(replies()) == 1


def test_sop_buka_on_a_template_issue_opens_the_request(
    jira_service: tuple[FakeJira, Service],
) -> None:
    """Sari writes the request template as a Jira issue and comments `/sop buka karanganyar`."""
    fake, service = jira_service
    sari = client(fake.url, secret(fake, "sari"), backoff=0.01)
    fields = {
        "project": {"key": PROJECT},
        "summary": "Permohonan aplikasi arsip",
        "description": wiki(template(Judul="Aplikasi Arsip Digital", Pemohon="Dinas Arsip",
                                     Mulai="2026-12-07", Peran="analis-sistem=@sari")),
        "issuetype": {"name": "Task"},
    }  # fmt: skip
    ref = str(sari.create_issue(fields=fields, prefetch=False).key)
    sari.add_comment(ref, "/sop buka karanganyar")

    def answered() -> bool:
        issue = fake.state.issue(ref)
        assert issue is not None
        return any(c["author"] == fake.user["id"] for c in issue["comments"])

    wait_for(answered, timeout=5.0)
    opened = [s for s in tracker_on(fake).requests() if s.key != KEY]
    assert len(opened) == 1, opened
    fake.webhooks.flush()
    time.sleep(0.5)
    assert [s.key for s in tracker_on(fake).requests() if s.key != KEY] == [opened[0].key]
    assert not [e for e in log_lines(service) if e["level"] in {"warning", "error"}]


@dataclass
class JiraPeople:
    """People acting in Jira with their own tokens; what :func:`complete` walks."""

    fake: FakeJira
    sop: Sop
    request: RequestInput

    def act(self, change: Change, actor: str) -> None:
        """A person does something in Jira."""
        tracker_on(self.fake).acting_as(actor).apply(change)

    def person(self, role: str) -> str:
        """The holder of ``role``."""
        return self.request.people_for(role)[0]


ROLES = {
    "analis-sistem": "sari", "tim-pengembang": "budi", "seksi-psi": "dewi",
    "pd-pengampu": "andi", "seksi-egov": "dewi",
}  # fmt: skip


def test_uat_sign_off_in_jira_reruns_the_gate_on_gitlab(tmp_path: Path) -> None:
    """Requests in Jira, code on GitLab: the UAT sign-off re-runs the MR's gate, once.

    The MR names the request by the epic's Jira key in its title; after the PD's `/sop setuju`
    and the UAT step's close, it gets a new pipeline on the GitLab emulator.
    """
    with seeded("cloud") as fake, FakeGitLab(tier="free") as gitlab_fake:
        code = gitlab_fake.state.add_project("diskominfo/aplikasi", "public", "mit")
        (tmp_path / "sop-sync.yaml").write_text(
            "service:\n  reconcile_minutes: 0\n  retry_seconds: 0.2\n  lease_seconds: 2\n"
            f"code_host:\n  url: {gitlab_fake.url}\n  group: diskominfo\n"
        )
        env = service_env(tmp_path, {**jira_env(fake), "SOP_SYNC_GITLAB_TOKEN": gitlab_fake.token})
        peran = [f"--peran={role}={name}" for role, name in ROLES.items()]
        with running(tmp_path, env) as service:
            sop_sync_cli(env, "jira", "setup", "--webhook-url", service.hook("jira"))
            sop_sync_cli(
                env, "open", "karanganyar", "--judul", "Aplikasi Absensi", "--kunci", KEY,
                "--pemohon", "BKD", "--mulai", "2026-12-01", *peran,
            )  # fmt: skip
            epic = tracker_on(fake).observe(KEY, history=False).epic
            assert epic is not None
            mr = gitlab_fake.add_merge_request(
                "diskominfo/aplikasi", f"{epic.tracker_id}: fitur absensi", "Menambah absensi."
            )
            with gitlab_fake.lock:
                start_pipeline(gitlab_fake.state, code, mr, gitlab_fake.user, status="failed")
            ref = f"refs/merge-requests/{mr['iid']}/head"

            def pipelines() -> int:
                with gitlab_fake.lock:
                    return sum(p["ref"] == ref for p in gitlab_fake.state.pipelines[code["id"]])

            summary = existing_request(tracker_on(fake), KEY)
            assert summary is not None
            walker = JiraPeople(fake, find_sop(BUNDLED_MAPPINGS, "karanganyar"),
                                request_of(summary))  # fmt: skip
            for number in range(1, 10):
                complete(walker, number)
            fake.webhooks.flush()
            time.sleep(0.5)
            assert pipelines() == 1
            complete(walker, 10)
            signed = time.monotonic()
            wait_for(lambda: pipelines() == 2, timeout=5.0)
            took = time.monotonic() - signed
            fake.webhooks.flush()
            time.sleep(1.0)
            assert pipelines() == 2
            assert not [e for e in log_lines(service) if e["level"] in {"warning", "error"}]
            record(f"Jira request, GitLab code: gate re-run {took:.2f} s after the UAT close")
