"""The webhook front on the real SQLite inbox: Starlette's TestClient, and uvicorn on loopback."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from sop_sync.config import ServiceSettings
from sop_sync.errors import ConfigError
from sop_sync.service.inbox import open_inbox
from sop_sync.service.inbox.base import Inbox
from sop_sync.service.logs import LOGGER, JsonFormatter
from sop_sync.service.web import create_app
from sop_sync.trackers.gitlab.marker import Marker, attach

SECRET = "rahasia-webhook-uji-7f3a9c"
WRONG = "token-salah-uji-0b1d2e"
PAYLOADS = Path(__file__).parent / "payloads"
MARKED = attach("Langkah 3", Marker(key="absensi", sop="karanganyar", step=3))
MIB = 1024 * 1024


def load(name: str) -> dict[str, Any]:
    """A documented example payload."""
    value: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return value


def marked_note(note: str = "Sudah saya periksa.") -> bytes:
    """A Note Hook body: ``note`` on a sop-sync issue of request ``absensi``."""
    payload = load("gitlab_note_issue")
    payload["issue"]["description"] = MARKED
    payload["object_attributes"]["note"] = note
    return json.dumps(payload).encode()


def gitlab_headers(delivery: str, token: str = SECRET, event: str = "Note Hook") -> dict[str, str]:
    """What GitLab sends with a hook."""
    return {
        "X-Gitlab-Token": token,
        "X-Gitlab-Event": event,
        "Idempotency-Key": delivery,
        "Content-Type": "application/json",
    }


def jira_headers(body: bytes, delivery: str, secret: str = SECRET) -> dict[str, str]:
    """What Jira sends: the body's HMAC-SHA256 under the secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature": f"sha256={digest}",
        "X-Atlassian-Webhook-Identifier": delivery,
        "Content-Type": "application/json",
    }


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    """The real SQLite inbox in a temporary folder."""
    opened = open_inbox(str(tmp_path / "inbox.db"), max_attempts=3)
    yield opened
    opened.close()


@pytest.fixture
def client(inbox: Inbox) -> Iterator[TestClient]:
    """The app on that inbox, sop-sync's own account being ``sop-sync``."""
    app = create_app(inbox, ServiceSettings(), SECRET, own={"sop-sync"})
    with TestClient(app) as test_client:
        yield test_client


def counts(inbox: Inbox) -> tuple[int, int]:
    """(jobs pending, deliveries stored)."""
    stats = inbox.stats()
    return stats.pending, stats.deliveries


# Refusals -------------------------------------------------------------------------------


def test_the_app_refuses_to_start_without_a_secret(inbox: Inbox) -> None:
    """A webhook endpoint open to anybody is not a default."""
    for secret in (None, ""):
        with pytest.raises(ConfigError, match="SOP_SYNC_WEBHOOK_SECRET"):
            create_app(inbox, ServiceSettings(), secret)


@pytest.mark.parametrize("token", [WRONG, "", SECRET + "x", SECRET[:-1]])
def test_wrong_or_missing_gitlab_token_is_401_and_stores_nothing(
    client: TestClient, inbox: Inbox, token: str
) -> None:
    """Only the exact secret token is accepted."""
    headers = gitlab_headers("g-1", token=token)
    if not token:
        del headers["X-Gitlab-Token"]
    answer = client.post("/hooks/gitlab", content=marked_note(), headers=headers)
    assert answer.status_code == 401
    assert counts(inbox) == (0, 0)


def test_bad_or_missing_jira_signature_is_401(client: TestClient, inbox: Inbox) -> None:
    """A signature under another secret, of another body, or none at all."""
    body = json.dumps(load("jira_comment_created")).encode()
    cases = [
        jira_headers(body, "j-1", secret=WRONG),
        jira_headers(body + b" ", "j-1"),
        {"X-Atlassian-Webhook-Identifier": "j-1"},
        {**jira_headers(body, "j-1"), "X-Hub-Signature": "sha1=00"},
    ]
    for headers in cases:
        assert client.post("/hooks/jira", content=body, headers=headers).status_code == 401
    assert counts(inbox) == (0, 0)
    answer = client.post("/hooks/jira", content=body, headers=jira_headers(body, "j-1"))
    assert (answer.status_code, answer.json()["status"]) == (202, "accepted")
    claim = inbox.claim("w", 30)
    assert claim is not None
    assert claim.job == "issue:jira:APL-12"


def test_body_over_the_limit_is_413_from_its_content_length(
    client: TestClient, inbox: Inbox
) -> None:
    """1 MiB + 1 byte, declared: refused."""
    body = b" " * (MIB + 1)
    answer = client.post("/hooks/gitlab", content=body, headers=gitlab_headers("g-1"))
    assert answer.status_code == 413
    assert counts(inbox) == (0, 0)


def test_body_over_the_limit_is_413_while_streaming(client: TestClient, inbox: Inbox) -> None:
    """Chunked, without Content-Length: refused once the limit is passed."""

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 65536

    answer = client.post("/hooks/gitlab", content=chunks(), headers=gitlab_headers("g-1"))
    assert answer.status_code == 413
    assert counts(inbox) == (0, 0)


def test_malformed_json_is_400(client: TestClient, inbox: Inbox) -> None:
    """Not JSON, or not UTF-8."""
    for body in (b"{not json", b"\xff\xfe{}", b""):
        answer = client.post("/hooks/gitlab", content=body, headers=gitlab_headers("g-1"))
        assert answer.status_code == 400
    body = b"[1, 2"
    assert (
        client.post("/hooks/jira", content=body, headers=jira_headers(body, "j")).status_code == 400
    )
    assert counts(inbox) == (0, 0)


def test_unknown_event_kind_is_acknowledged_and_ignored(client: TestClient, inbox: Inbox) -> None:
    """A push (or any hook sop-sync does not read) is 202 ignored: GitLab must not disable it."""
    body = json.dumps({"object_kind": "push"}).encode()
    for event in ("Push Hook", "Wiki Page Hook", ""):
        answer = client.post(
            "/hooks/gitlab", content=body, headers=gitlab_headers("p", event=event)
        )
        assert (answer.status_code, answer.json()) == (202, {"status": "ignored"})
    assert counts(inbox) == (0, 0)


def test_an_inbox_that_cannot_store_is_503_never_2xx(tmp_path: Path) -> None:
    """The answer comes only after the inbox stored the delivery: no store, no 2xx."""
    broken = open_inbox(str(tmp_path / "inbox.db"), max_attempts=3)
    broken.close()
    with TestClient(create_app(broken, ServiceSettings(), SECRET)) as test_client:
        answer = test_client.post(
            "/hooks/gitlab", content=marked_note(), headers=gitlab_headers("g")
        )
    assert (answer.status_code, answer.json()["status"]) == (503, "unavailable")


# Acceptance and de-duplication ----------------------------------------------------------


def test_a_duplicate_delivery_makes_one_job_and_is_answered_duplicate(
    client: TestClient, inbox: Inbox
) -> None:
    """GitLab re-sends with the same Idempotency-Key: stored once."""
    first = client.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("g-1"))
    again = client.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("g-1"))
    assert (first.status_code, first.json()) == (202, {"status": "accepted", "jobs": 1})
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert counts(inbox) == (1, 1)


def test_deliveries_for_one_request_coalesce_into_one_job(client: TestClient, inbox: Inbox) -> None:
    """Ten different comments on one request's issues: ten deliveries, one job."""
    for n in range(10):
        answer = client.post("/hooks/gitlab", content=marked_note(f"catatan {n}"),
                             headers=gitlab_headers(f"g-{n}"))  # fmt: skip
        assert answer.status_code == 202
    assert counts(inbox) == (1, 10)


def test_a_delivery_without_ids_is_deduplicated_by_its_body(
    client: TestClient, inbox: Inbox
) -> None:
    """No Idempotency-Key nor Event-UUID: the same bytes again are the same delivery."""
    headers = {"X-Gitlab-Token": SECRET, "X-Gitlab-Event": "Note Hook"}
    assert client.post("/hooks/gitlab", content=marked_note(), headers=headers).status_code == 202
    assert client.post("/hooks/gitlab", content=marked_note(), headers=headers).status_code == 200
    assert counts(inbox) == (1, 1)


def test_own_events_are_acknowledged_and_ignored(client: TestClient, inbox: Inbox) -> None:
    """sop-sync's own comment does not make work."""
    payload = json.loads(marked_note())
    payload["user"]["username"] = "sop-sync"
    answer = client.post("/hooks/gitlab", content=json.dumps(payload).encode(),
                         headers=gitlab_headers("own"))  # fmt: skip
    assert (answer.status_code, answer.json()) == (202, {"status": "ignored"})
    assert counts(inbox) == (0, 0)


def test_a_hostile_note_makes_a_plain_job_without_command_hints(
    client: TestClient, inbox: Inbox
) -> None:
    """``@all``, HTML, 900 KB, ``/sop setuju`` quoted and fenced: one job, no hint, no text."""
    note = (
        "@all <script>alert('x')</script>\n\n> /sop setuju\n\n```\n/sop setuju\n```\n\n"
        + "<!-- "
        + "a" * 900_000
        + " -->"
    )
    body = marked_note(note)
    assert MIB > len(body) > 900_000
    answer = client.post("/hooks/gitlab", content=body, headers=gitlab_headers("h-1"))
    assert answer.status_code == 202
    claim = inbox.claim("w", 30)
    assert claim is not None
    assert (claim.job, claim.hints) == ("request:absensi", {})
    # the same text on an issue that is not sop-sync's: ignored, no open job
    payload = load("gitlab_note_issue")
    payload["object_attributes"]["note"] = note.replace("setuju", "buka karanganyar")
    answer = client.post("/hooks/gitlab", content=json.dumps(payload).encode(),
                         headers=gitlab_headers("h-2"))  # fmt: skip
    assert answer.json() == {"status": "ignored"}


def test_sop_buka_on_a_plain_issue_queues_an_open_job_with_its_hints(
    client: TestClient, inbox: Inbox
) -> None:
    """The hints are the note id and the SOP id, nothing of the text."""
    payload = load("gitlab_note_issue")
    payload["object_attributes"]["note"] = "/sop buka karanganyar"
    client.post("/hooks/gitlab", content=json.dumps(payload).encode(), headers=gitlab_headers("b"))
    claim = inbox.claim("w", 30)
    assert claim is not None
    assert (claim.job, claim.hints) == (
        "open:gitlab:5#17",
        {"note_id": "1241", "sop": "karanganyar"},
    )


def test_a_merge_request_naming_its_request_queues_the_gate(
    client: TestClient, inbox: Inbox
) -> None:
    """``SOP: <kunci>`` in the description -> the request's job (its reconcile re-runs the gate)."""
    payload = load("gitlab_merge_request")
    payload["object_attributes"]["description"] = "SOP: absensi"
    headers = gitlab_headers("mr-1", event="Merge Request Hook")
    assert client.post("/hooks/gitlab", content=json.dumps(payload).encode(),
                       headers=headers).status_code == 202  # fmt: skip
    claim = inbox.claim("w", 30)
    assert claim is not None
    assert (claim.job, claim.hints) == ("request:absensi", {})


# Logs, health, metrics ------------------------------------------------------------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_logs_carry_no_secret_token_or_note_text(client: TestClient) -> None:
    """One JSON line per request; neither the secret, a wrong token nor a note appears."""
    capture = _Lines()
    service = logging.getLogger(LOGGER)
    service.addHandler(capture)
    service.setLevel(logging.INFO)
    note = "catatan-rahasia-pemohon-91"
    try:
        client.post("/hooks/gitlab", content=marked_note(note), headers=gitlab_headers("l-1"))
        client.post("/hooks/gitlab", content=marked_note(note), headers=gitlab_headers("l-1"))
        client.post(
            "/hooks/gitlab", content=marked_note(note), headers=gitlab_headers("l-2", WRONG)
        )
        client.post("/hooks/gitlab", content=b"{" + note.encode(), headers=gitlab_headers("l-3"))
        body = json.dumps({**load("jira_comment_created"), "note": note}).encode()
        client.post("/hooks/jira", content=body, headers=jira_headers(body, "l-4"))
        client.post("/hooks/jira", content=body, headers=jira_headers(body, "l-5", WRONG))
    finally:
        service.removeHandler(capture)
    assert len(capture.lines) == 6
    records = [json.loads(line) for line in capture.lines]
    assert [r["status"] for r in records] == [
        "accepted", "duplicate", "refused", "refused", "accepted", "refused"
    ]  # fmt: skip
    assert records[0]["job"] == "request:absensi"
    assert records[0]["delivery"] == "l-1"
    assert {"ts", "level", "event", "source", "kind", "ms"} <= set(records[0])
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    for line in capture.lines:
        for leak in (SECRET, WRONG, note, digest, "Hello world", "Langkah 3"):
            assert leak not in line


def test_log_lines_are_scrubbed_of_secret_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a message holds, the value of SOP_SYNC_WEBHOOK_SECRET becomes ***."""
    monkeypatch.setenv("SOP_SYNC_WEBHOOK_SECRET", SECRET)
    record = logging.LogRecord(LOGGER, logging.ERROR, __file__, 1, f"gagal {SECRET}", None, None)
    record.error = f"x://u:{SECRET}@host"
    record.body = "not a field"
    line = json.loads(JsonFormatter().format(record))
    assert SECRET not in json.dumps(line)
    assert line["event"] == "gagal ***"
    assert "body" not in line


def test_healthz_names_what_is_down(inbox: Inbox, tmp_path: Path) -> None:
    """200 when the inbox and tracker answer; 503 naming the one that does not, no details."""

    def tracker_down() -> None:
        raise OSError(f"connection refused {SECRET}")

    with TestClient(create_app(inbox, ServiceSettings(), SECRET, health=lambda: None)) as ok:
        answer = ok.get("/healthz")
        assert (answer.status_code, answer.json()) == (200, {"inbox": "ok", "tracker": "ok"})
    with TestClient(create_app(inbox, ServiceSettings(), SECRET, health=tracker_down)) as bad:
        answer = bad.get("/healthz")
        assert (answer.status_code, answer.json()) == (503, {"inbox": "ok", "tracker": "down"})
        assert SECRET not in answer.text
    closed = open_inbox(str(tmp_path / "other.db"), max_attempts=3)
    closed.close()
    with TestClient(create_app(closed, ServiceSettings(), SECRET)) as down:
        answer = down.get("/healthz")
        assert (answer.status_code, answer.json()["inbox"]) == (503, "down")


def test_metrics_parse_and_count_events_and_the_queue(client: TestClient) -> None:
    """Prometheus text: event counters by source and reason, inbox gauges, the job histogram."""
    client.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("m-1"))
    client.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("m-1"))
    client.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("m-2", WRONG))
    client.post("/hooks/gitlab", content=b"{}", headers=gitlab_headers("m-3", event="Push Hook"))
    client.app.state.metrics.observe_job(0.3, ok=True)  # type: ignore[attr-defined]
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }
    gitlab = (("source", "gitlab"),)
    assert samples[("sop_sync_events_received_total", gitlab)] == 4
    assert samples[("sop_sync_events_accepted_total", gitlab)] == 1
    assert samples[("sop_sync_events_duplicate_total", gitlab)] == 1
    assert samples[("sop_sync_events_ignored_total", gitlab)] == 1
    assert samples[("sop_sync_events_rejected_total", (("reason", "token"), *gitlab))] == 1
    assert samples[("sop_sync_queue_depth", ())] == 1
    assert samples[("sop_sync_jobs_parked", ())] == 0
    assert samples[("sop_sync_inbox_up", ())] == 1
    assert ("sop_sync_oldest_pending_age_seconds", ()) in samples
    assert samples[("sop_sync_jobs_processed_total", ())] == 0
    assert samples[("sop_sync_job_seconds_count", (("outcome", "ok"),))] == 1
    assert SECRET not in answer.text


# The real server ------------------------------------------------------------------------


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1 (a free port), in a thread; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _raw_chunked(base: str, total: int) -> bytes:
    """POST ``total`` bytes chunked over a raw socket; whatever the server answered."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /hooks/gitlab HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + f"X-Gitlab-Token: {SECRET}\r\nX-Gitlab-Event: Note Hook\r\n\r\n".encode()
        )
        chunk = b" " * 65536
        sent = 0
        with contextlib.suppress(OSError):  # the server may close before all is sent
            while sent < total:
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            conn.sendall(b"0\r\n\r\n")
        answer = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in answer:
                data = conn.recv(4096)
                if not data:
                    break
                answer += data
    return answer


def test_the_real_server_accepts_deduplicates_and_refuses_on_loopback(inbox: Inbox) -> None:
    """Uvicorn on 127.0.0.1: accepted, duplicate, 401, 413 declared and chunked, metrics."""
    app = create_app(inbox, ServiceSettings(), SECRET)
    with served(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        first = http.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("r-1"))
        again = http.post("/hooks/gitlab", content=marked_note(), headers=gitlab_headers("r-1"))
        wrong = http.post(
            "/hooks/gitlab", content=marked_note(), headers=gitlab_headers("r-2", WRONG)
        )
        assert (first.status_code, again.status_code, wrong.status_code) == (202, 200, 401)
        big = http.post("/hooks/gitlab", content=b" " * (MIB + 1), headers=gitlab_headers("r-3"))
        assert big.status_code == 413
        assert _raw_chunked(base, 4 * MIB).startswith(b"HTTP/1.1 413")
        assert http.get("/healthz").json() == {"inbox": "ok", "tracker": "unchecked"}
        assert "sop_sync_queue_depth 1.0" in http.get("/metrics").text
    assert counts(inbox) == (1, 1)


# Group commit ---------------------------------------------------------------------------


class _Slow:
    """The real inbox, its accept slowed and refused for a delivery named ``poison``."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inbox, name)

    def accept(self, deliveries: Any) -> list[bool]:
        self.batches.append(len(deliveries))
        time.sleep(0.05)
        if any(d.delivery_id == "poison" for d in deliveries):
            raise OSError("disk full")
        return self.inbox.accept(deliveries)


def test_concurrent_requests_share_a_commit_and_one_failure_spares_the_others(
    inbox: Inbox,
) -> None:
    """Requests waiting together are stored in one transaction; a failing one alone gets 503."""
    slow = _Slow(inbox)
    app = create_app(slow, ServiceSettings(), SECRET)
    answers: dict[str, int] = {}

    def post(base: str, delivery: str) -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            answer = http.post(
                "/hooks/gitlab", content=marked_note(delivery), headers=gitlab_headers(delivery)
            )
            answers[delivery] = answer.status_code

    names = [f"c-{n}" for n in range(30)] + ["poison"]
    with served(app) as base:
        threads = [threading.Thread(target=post, args=(base, name)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers.pop("poison") == 503
    assert set(answers.values()) == {202}
    assert max(slow.batches) > 1
    assert counts(inbox) == (1, 30)
