"""GitLab's signed webhooks (Standard Webhooks), beside the plain secret token.

A hook with a signing token sends ``webhook-id`` (its Idempotency-Key), ``webhook-timestamp``
and ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` (GitLab merge
request 230944). The service verifies it with ``SOP_SYNC_WEBHOOK_SIGNING_TOKEN``; a replay
with an old timestamp, a wrong key or a changed body is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sop_sync.config import ServiceSettings
from sop_sync.errors import ConfigError
from sop_sync.model.changes import Close, Ref
from sop_sync.model.tracker import State
from sop_sync.service.inbox import open_inbox
from sop_sync.service.inbox.base import Inbox
from sop_sync.service.web import create_app, signing_key_of
from tests.service.gitlab_world import KEY as REQUEST
from tests.service.gitlab_world import PROJECT, People, gitlab_world, sop_sync_cli
from tests.service.serving import running, wait_for
from tests.service.test_web import SECRET, marked_note

KEY = bytes(range(32))
TOKEN = "whsec_" + base64.b64encode(KEY).decode()


def signed(
    body: bytes, webhook_id: str, *, key: bytes = KEY, at: float | None = None
) -> dict[str, str]:
    """The headers of a signed GitLab webhook without a secret token."""
    stamp = str(int(time.time() if at is None else at))
    digest = hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "X-Gitlab-Event": "Note Hook",
        "Idempotency-Key": webhook_id,
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with the secret token and a signing token."""
    inbox: Inbox = open_inbox(str(tmp_path / "inbox.db"), max_attempts=3)
    app = create_app(inbox, ServiceSettings(), SECRET, own={"sop-sync"}, signing_token=TOKEN)
    with TestClient(app) as test_client:
        yield test_client
    inbox.close()


def test_a_signed_webhook_is_accepted(client: TestClient) -> None:
    """Signature good, timestamp now: stored."""
    body = marked_note()
    answer = client.post("/hooks/gitlab", content=body, headers=signed(body, "msg-1"))
    assert answer.status_code == 202
    assert answer.json()["status"] == "accepted"


def test_a_second_signature_among_several_counts(client: TestClient) -> None:
    """During a key rotation GitLab may send `v1,<old> v1,<new>`: either verifies."""
    body = marked_note()
    headers = signed(body, "msg-2")
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    assert client.post("/hooks/gitlab", content=body, headers=headers).status_code == 202


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("wrong key", 401),
        ("changed body", 401),
        ("replayed an hour later", 401),
        ("no signature, no token", 401),
        ("v2 only", 401),
    ],
)
def test_a_bad_signature_is_refused(client: TestClient, change: str, status: int) -> None:
    """Each way to forge or replay a signed webhook: 401, nothing stored."""
    body = marked_note()
    headers = signed(body, "msg-3")
    if change == "wrong key":
        headers = signed(body, "msg-3", key=bytes(32))
    elif change == "changed body":
        body = marked_note("/sop setuju")
    elif change == "replayed an hour later":
        headers = signed(body, "msg-3", at=time.time() - 3600)
    elif change == "no signature, no token":
        del headers["webhook-signature"]
    elif change == "v2 only":
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    answer = client.post("/hooks/gitlab", content=body, headers=headers)
    assert answer.status_code == status


def test_a_wrong_secret_token_is_not_rescued_by_a_signature(client: TestClient) -> None:
    """When GitLab sends the secret token, it must be right, signature or not."""
    body = marked_note()
    headers = {**signed(body, "msg-4"), "X-Gitlab-Token": "salah"}
    assert client.post("/hooks/gitlab", content=body, headers=headers).status_code == 401


def test_without_a_signing_token_signed_webhooks_need_the_secret_token(tmp_path: Path) -> None:
    """A service configured with the secret only refuses a signature it cannot check."""
    inbox = open_inbox(str(tmp_path / "inbox.db"), max_attempts=3)
    app = create_app(inbox, ServiceSettings(), SECRET, own={"sop-sync"})
    body = marked_note()
    with TestClient(app) as client:
        assert (
            client.post("/hooks/gitlab", content=body, headers=signed(body, "m")).status_code == 401
        )
    inbox.close()


@pytest.mark.parametrize("token", ["geheim", "whsec_", "whsec_!!!", "whsec_" + "QUJD"])
def test_a_malformed_signing_token_is_refused_at_start(token: str) -> None:
    """Not `whsec_` plus the base64 of a key: one clear line, the value never shown."""
    with pytest.raises(ConfigError, match="SOP_SYNC_WEBHOOK_SIGNING_TOKEN") as raised:
        signing_key_of(token)
    assert token not in str(raised.value) or token == "whsec_"


def test_a_hook_with_only_a_signing_token_enforces_end_to_end(tmp_path: Path) -> None:
    """GitLab (the emulator) signs, sends no secret token; the service verifies and acts."""
    with gitlab_world(tmp_path) as (fake, env):
        env = {**env, "SOP_SYNC_WEBHOOK_SIGNING_TOKEN": TOKEN}
        with running(tmp_path, env) as service:
            sop_sync_cli(
                env, "open", "karanganyar", "--judul", "Aplikasi Absensi", "--kunci", REQUEST,
                "--pemohon", "BKD", "--mulai", "2026-12-01",
            )  # fmt: skip
            people = People(fake)
            people.client.projects.get(PROJECT).hooks.create(
                {"url": service.hook("gitlab"), "signing_token": TOKEN, "issues_events": True}
            )
            people.act(Close(Ref(REQUEST, 5)), "sari")
            wait_for(lambda: people.state(5) is State.OPEN, timeout=3.0)
            sent = fake.webhooks.flush()
            assert all("X-Gitlab-Token" not in d.headers for d in sent)
            assert all(d.headers["webhook-signature"].startswith("v1,") for d in sent)
            assert TOKEN not in service.logs()


def test_gitlab_setup_registers_the_signing_token_once(tmp_path: Path) -> None:
    """`gitlab setup --webhook-url` with SOP_SYNC_WEBHOOK_SIGNING_TOKEN: set, never shown, once.

    A hook registered earlier without it gets it on the next run; then nothing changes.
    """
    with gitlab_world(tmp_path) as (fake, env):
        url = "http://127.0.0.1:9/hooks/gitlab"
        sop_sync_cli(env, "gitlab", "setup", PROJECT, "--webhook-url", url)
        people = People(fake)
        hooks = people.client.projects.get(PROJECT).hooks.list(get_all=True)
        assert [h.attributes["signing_token_present"] for h in hooks] == [False]
        signing = {**env, "SOP_SYNC_WEBHOOK_SIGNING_TOKEN": TOKEN}
        sop_sync_cli(signing, "gitlab", "setup", PROJECT, "--webhook-url", url)
        hooks = people.client.projects.get(PROJECT).hooks.list(get_all=True)
        assert [h.attributes["signing_token_present"] for h in hooks] == [True]
        assert all("signing_token" not in h.attributes for h in hooks)
        fake.reset_log()
        sop_sync_cli(signing, "gitlab", "setup", PROJECT, "--webhook-url", url)
        assert not [e for e in fake.requests if e.method in ("POST", "PUT") and "hooks" in e.path]
