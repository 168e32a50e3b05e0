"""`sop-sync serve` as a process: how it starts, refuses and stops (local tracker, no emulator)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import requests

from tests.service.serving import SECRET, log_lines, service_env, start


def env_for(folder: Path) -> dict[str, str]:
    """A service on a local tracker file in ``folder``."""
    return service_env(folder, {"SOP_SYNC_DB": str(folder / "tracker.db")})


def test_sigterm_finishes_and_exits_0(tmp_path: Path) -> None:
    """SIGTERM: the workers stop after their job, the inbox closes, exit 0, logged."""
    service = start(tmp_path, env_for(tmp_path))
    assert service.get("/healthz").json() == {"inbox": "ok", "tracker": "ok"}
    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(30) == 0
    events = [line.get("event") for line in log_lines(service)]
    assert events[0] == "start"
    assert events[-1] == "stop"


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) stops the service with the CLI's interrupted code."""
    service = start(tmp_path, env_for(tmp_path))
    service.process.send_signal(signal.SIGINT)
    assert service.process.wait(30) == 130


def test_no_secret_no_service(tmp_path: Path) -> None:
    """Without SOP_SYNC_WEBHOOK_SECRET the service refuses to start: one line, exit 1."""
    env = env_for(tmp_path)
    del env["SOP_SYNC_WEBHOOK_SECRET"]
    result = subprocess.run(
        [sys.executable, "-m", "sop_sync", "serve", "--port", "9"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: set SOP_SYNC_WEBHOOK_SECRET: the secret token GitLab sends (X-Gitlab-Token) and "
        "the Jira webhook's HMAC secret; a service without one would take orders from anybody"
    ]


def test_a_webhook_with_the_wrong_token_is_refused_and_logged_without_it(tmp_path: Path) -> None:
    """401 for a wrong token; the log names the refusal, never the token or the secret."""
    service = start(tmp_path, env_for(tmp_path))
    try:
        answer = requests.post(
            service.hook("gitlab"),
            data=b'{"object_kind": "issue"}',
            headers={"X-Gitlab-Token": "salah-sekali", "X-Gitlab-Event": "Issue Hook"},
            timeout=10,
        )
        assert answer.status_code == 401
        metrics = service.get("/metrics").text
        assert 'sop_sync_events_rejected_total{reason="token",source="gitlab"} 1.0' in metrics
    finally:
        assert service.stop() == 0
    logs = service.logs()
    assert "salah-sekali" not in logs
    assert SECRET not in logs
