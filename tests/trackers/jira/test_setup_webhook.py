"""``register_webhook`` and ``sop-sync jira setup --webhook-url`` against the Jira emulator."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.jira.setup import WEBHOOK_EVENTS, register_webhook
from tests.fakes.delivery import Receiver
from tests.fakes.jira import FakeJira
from tests.trackers.jira.backends import tracker_on

SECRET = "rahasia-jira"
HOOKS = "/rest/webhooks/1.0/webhook"


def test_the_webhook_is_registered_once(fake: FakeJira) -> None:
    """The first run registers it (events, JQL, secret); the second only reads."""
    url = "http://127.0.0.1:9/hook/jira"
    outcome = register_webhook(tracker_on(fake).session, url, SECRET)
    assert outcome.done == f"webhook {url}"
    [hook] = fake.state.webhooks.values()
    assert hook["events"] == list(WEBHOOK_EVENTS)
    assert hook["filters"] == {"issue-related-events-section": "project = APL"}
    assert hook["secret"] == SECRET
    fake.reset_log()
    again = register_webhook(tracker_on(fake).session, url, SECRET)
    assert (again.done, again.steps) == (None, ())
    assert fake.count("POST", HOOKS) == fake.count("PUT", HOOKS) == 0


def test_a_webhook_with_other_events_is_corrected(fake: FakeJira) -> None:
    """A webhook to the URL that lacks an event is updated in place, not duplicated."""
    url = "http://127.0.0.1:9/hook/jira"
    session = tracker_on(fake).session
    register_webhook(session, url, SECRET)
    [hook] = fake.state.webhooks.values()
    hook["events"] = ["jira:issue_updated"]
    outcome = register_webhook(session, url, SECRET)
    assert outcome.done == f"webhook {url} (events updated)"
    [hook] = fake.state.webhooks.values()
    assert hook["events"] == list(WEBHOOK_EVENTS)


def test_the_registered_webhook_delivers_signed_events(fake: FakeJira) -> None:
    """End to end: after registering, a new issue in the project arrives signed."""
    with Receiver() as receiver:
        tracker = tracker_on(fake)
        register_webhook(tracker.session, receiver.url, SECRET)
        fields = {"project": {"key": "APL"}, "issuetype": {"name": "Task"}, "summary": "x"}
        tracker.session.client.create_issue(fields=fields, prefetch=False)
        fake.webhooks.flush()
        [got] = receiver.received
        digest = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
        assert got.headers["X-Hub-Signature"] == f"sha256={digest}"
        assert json.loads(got.body)["webhookEvent"] == "jira:issue_created"


def test_an_account_that_is_not_admin_gets_the_steps(fake: FakeJira) -> None:
    """Refused (403): nothing registered, the steps name the page, URL, events and JQL."""
    fake.deny("ADMINISTER")
    outcome = register_webhook(tracker_on(fake).session, "https://sop.example/hook", SECRET)
    assert outcome.done is None
    text = "\n".join(outcome.steps)
    assert "WebHooks" in text
    assert "https://sop.example/hook" in text
    assert "Issue created, Issue updated, Comment created" in text
    assert "project = APL" in text
    assert "SOP_SYNC_WEBHOOK_SECRET" in text
    assert SECRET not in text
    assert fake.state.webhooks == {}


@pytest.fixture
def cli_env(fake: FakeJira, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeJira:
    """The emulator named through the environment, as a user would configure it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.setenv("SOP_SYNC_JIRA_URL", fake.url)
    monkeypatch.setenv("SOP_SYNC_JIRA_PROJECT", "APL")
    monkeypatch.setenv("SOP_SYNC_JIRA_TOKEN", fake.token)
    if fake.state.cloud:
        monkeypatch.setenv("SOP_SYNC_JIRA_EMAIL", fake.email)
    monkeypatch.setenv("COLUMNS", "200")
    return fake


def test_cli_registers_the_webhook_idempotently(
    cli_env: FakeJira, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`jira setup --webhook-url` registers, then finds it in place."""
    monkeypatch.setenv("SOP_SYNC_WEBHOOK_SECRET", SECRET)
    args = ["jira", "setup", "APL", "--webhook-url", "http://127.0.0.1:9/hook/jira"]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "webhook http://127.0.0.1:9/hook/jira" in out
    assert "ready for sop-sync" in out
    assert run(args) == 0
    assert "webhook" not in capsys.readouterr().out
    assert len(cli_env.state.webhooks) == 1


def test_cli_prints_the_admin_steps_and_fails(
    cli_env: FakeJira, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without admin rights: the steps for an admin, exit code 1, the secret never shown."""
    monkeypatch.setenv("SOP_SYNC_WEBHOOK_SECRET", SECRET)
    cli_env.deny("ADMINISTER")
    assert run(["jira", "setup", "APL", "--webhook-url", "https://sop.example/hook"]) == 1
    captured = capsys.readouterr()
    assert "Create a WebHook" in captured.out
    assert "JQL filter: project = APL" in captured.out
    assert "1 things to change" in captured.err
    assert SECRET not in captured.out + captured.err


def test_cli_webhook_needs_the_secret(
    cli_env: FakeJira, capsys: pytest.CaptureFixture[str]
) -> None:
    """The webhook secret is taken only from the environment."""
    assert run(["jira", "setup", "APL", "--webhook-url", "https://sop.example/hook"]) == 1
    assert "SOP_SYNC_WEBHOOK_SECRET" in capsys.readouterr().err
