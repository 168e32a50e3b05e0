"""The sync service end to end on the Jira emulator (Cloud and Data Center).

A real ``sop-sync serve`` process; the webhook registered by ``sop-sync jira setup
--webhook-url`` with the secret; the emulator signs and sends ``jira:issue_updated`` and
``comment_created`` itself. People act with their own tokens (Jira has no impersonation).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_sync.model.changes import Close, Ref
from sop_sync.model.tracker import State
from sop_sync.trackers.jira.connect import client
from tests.app.test_intake import template, wiki
from tests.fakes.jira import FakeJira
from tests.service.gitlab_world import sop_sync_cli
from tests.service.serving import Service, log_lines, running, service_env, wait_for
from tests.service.test_kill import record
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
