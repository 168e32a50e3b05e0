"""Start ``sop-sync serve`` as a real process on 127.0.0.1 beside a tracker emulator.

Test infrastructure: the service runs exactly as an agency runs it (``python -m sop_sync
serve``), configured through the environment, its logs captured to a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from sop_sync.resources import BUNDLED_MAPPINGS
from tests.reliability.harness import CHILD

SECRET = "uji-rahasia-webhook-0123456789"


def free_port() -> int:
    """A port nothing listens on now (127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.02) -> float:
    """Seconds until ``condition()`` held; AssertionError after ``timeout``."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(step)


@dataclass
class Service:
    """A running ``sop-sync serve`` process."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    folder: Path
    env: dict[str, str]

    def hook(self, source: str) -> str:
        """The webhook URL for ``source`` (gitlab or jira)."""
        return f"{self.url}/hooks/{source}"

    def get(self, path: str) -> requests.Response:
        """GET a path of the service."""
        return requests.get(f"{self.url}{path}", timeout=10)

    def logs(self) -> str:
        """Everything the service logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """Kill -9."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        """SIGTERM and wait; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return int(self.process.returncode)


def log_lines(service: Service) -> list[dict[str, Any]]:
    """The service's JSON log lines (every line must be JSON)."""
    return [json.loads(line) for line in service.logs().splitlines() if line.strip()]


def service_env(folder: Path, tracker: Mapping[str, str], **extra: str) -> dict[str, str]:
    """The environment of a service on ``tracker`` with its files in ``folder``."""
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    config = folder / "sop-sync.yaml"
    if not config.exists():
        config.write_text(
            "service:\n  reconcile_minutes: 0\n  retry_seconds: 0.2\n  lease_seconds: 2\n"
        )
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOP_SYNC_")},
        "SOP_SYNC_CONFIG": str(config),
        "SOP_SYNC_MAPPINGS": str(BUNDLED_MAPPINGS),
        "SOP_SYNC_INBOX": str(folder / "inbox.db"),
        "SOP_SYNC_WEBHOOK_SECRET": SECRET,
        "XDG_CACHE_HOME": str(folder / "cache"),
        "PYTHONUNBUFFERED": "1",
        **tracker,
        **extra,
    }


def start(
    folder: Path,
    env: dict[str, str],
    *,
    port: int | None = None,
    workers: int = 2,
    args: tuple[str, ...] = (),
) -> Service:
    """``sop-sync serve`` on a free port; returns once ``/healthz`` answers 200."""
    port = port or free_port()
    log = folder / f"service-{port}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(CHILD), "serve", "--port", str(port),
             "--workers", str(workers), *args],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    service = Service(process, f"http://127.0.0.1:{port}", log, folder, env)

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the service exited {process.returncode}:\n{service.logs()}")
        with contextlib.suppress(requests.RequestException):
            return service.get("/healthz").status_code == 200
        return False

    wait_for(healthy, 60, 0.1)
    return service


@contextlib.contextmanager
def running(folder: Path, env: dict[str, str], **options: object) -> Iterator[Service]:
    """A service for the duration of a ``with`` block (stopped with SIGTERM)."""
    service = start(folder, env, **options)  # type: ignore[arg-type]
    try:
        yield service
    finally:
        service.stop()
