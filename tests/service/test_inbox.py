"""The inbox's semantics (sop_sync/service/inbox/base.py), the same tests on SQLite and PostgreSQL.

Every test that takes ``inbox_url`` runs on a fresh SQLite file and on a fresh database of a
real PostgreSQL server (tests/service/postgres.py). Leases that must run out are short and
waited for; leases that must hold are long, so a slow machine cannot make them expire.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sop_sync.errors import ConfigError, SopSyncError
from sop_sync.service.inbox import open_inbox
from sop_sync.service.inbox.base import Claim, Delivery, Inbox, LeaseLost
from tests.service.postgres import free_port

LONG = 60.0
"""A lease no test outlives."""
SHORT = 0.3
"""A lease a test waits out."""


def delivery(number: int, job: str = "request:absensi", **hints: object) -> Delivery:
    """A GitLab note delivery with id ``d<number>`` naming ``job``."""
    return Delivery("gitlab", f"d{number}", "Note Hook", job, dict(hints))


@pytest.fixture
def inbox(inbox_url: str) -> Iterator[Inbox]:
    """A fresh inbox that parks a job after 3 failed attempts."""
    opened = open_inbox(inbox_url, max_attempts=3, retry_seconds=1)
    yield opened
    opened.close()


def claimed(inbox: Inbox, worker: str = "w1", lease: float = LONG) -> Claim:
    """The claim ``worker`` gets (failing the test when nothing is due)."""
    got = inbox.claim(worker, lease)
    assert got is not None, "a job should have been due"
    return got


def test_accept_is_idempotent_per_source_and_delivery_id(inbox: Inbox) -> None:
    """A repeated (source, delivery id) is a duplicate, in a batch or later; ids are per source."""
    same_id_other_source = Delivery("jira", "d1", "comment_created", "request:absensi")
    assert inbox.accept([delivery(1), delivery(1), same_id_other_source]) == [True, False, True]
    assert inbox.accept([delivery(1), delivery(2)]) == [False, True]
    assert inbox.stats().deliveries == 3
    assert claimed(inbox).generation == 3  # the duplicates added nothing


def test_accepted_deliveries_survive_reopening(inbox_url: str) -> None:
    """What accept stored is there for another connection (another process) at once."""
    first = open_inbox(inbox_url, max_attempts=3)
    first.accept([delivery(1, gate=True)])
    first.close()
    second = open_inbox(inbox_url, max_attempts=3)
    try:
        assert claimed(second).hints == {"gate": True}
        assert second.accept([delivery(1)]) == [False]
    finally:
        second.close()


def test_deliveries_for_one_waiting_job_coalesce_into_one_claim(inbox: Inbox) -> None:
    """Ten deliveries for one job make one claim of generation 10, with the hints merged."""
    inbox.accept([delivery(0, gate=True)])
    inbox.accept([delivery(n, n=n) for n in range(1, 10)])
    claim = claimed(inbox)
    assert (claim.job, claim.generation, claim.attempts) == ("request:absensi", 10, 0)
    assert claim.hints == {"gate": True, "n": 9}  # later keys win; a set gate stays
    assert inbox.claim("w2", LONG) is None
    inbox.finish(claim)
    assert inbox.claim("w2", LONG) is None
    assert inbox.stats().pending == 0


def test_the_job_due_longest_is_claimed_first(inbox: Inbox) -> None:
    """Claims come in the order the jobs became due."""
    order = ["request:c", "request:a", "request:b"]
    for number, job in enumerate(order):
        inbox.accept([delivery(number, job)])
    assert [claimed(inbox, f"w{n}").job for n in range(3)] == order


def test_a_second_worker_cannot_claim_a_leased_job(inbox: Inbox) -> None:
    """A job under a live lease is never handed out again; other jobs are."""
    inbox.accept([delivery(1, "request:a"), delivery(2, "request:b")])
    first = claimed(inbox, "w1")
    second = claimed(inbox, "w2")
    assert {first.job, second.job} == {"request:a", "request:b"}
    inbox.accept([delivery(3, first.job)])  # a new delivery does not break the lease
    assert inbox.claim("w3", LONG) is None
    assert inbox.stats().running == 2


def test_an_expired_lease_makes_the_job_claimable_again(inbox: Inbox) -> None:
    """A worker that stops (killed) loses the job when its lease runs out; another takes it."""
    inbox.accept([delivery(1)])
    lost = claimed(inbox, "w1", SHORT)
    assert inbox.claim("w2", LONG) is None
    time.sleep(SHORT + 0.2)
    assert inbox.stats().running == 0
    taken = claimed(inbox, "w2")
    assert (taken.job, taken.generation) == (lost.job, lost.generation)
    with pytest.raises(LeaseLost):
        inbox.extend(lost, LONG)
    inbox.finish(lost)  # late: changes nothing, w2 still holds the job
    assert inbox.claim("w3", LONG) is None
    assert inbox.stats().running == 1
    inbox.finish(taken)
    assert inbox.stats().pending == 0


def test_finish_removes_the_job(inbox: Inbox) -> None:
    """A finished job with no new delivery is gone."""
    inbox.accept([delivery(1)])
    inbox.finish(claimed(inbox))
    stats = inbox.stats()
    assert (stats.pending, stats.running, stats.processed) == (0, 0, 1)
    assert inbox.claim("w1", LONG) is None


def test_a_delivery_during_the_run_keeps_the_job_due(inbox: Inbox) -> None:
    """A delivery between claim and finish is not lost: the job is due again after finish."""
    inbox.accept([delivery(1)])
    first = claimed(inbox)
    inbox.accept([delivery(2, gate=True)])
    inbox.finish(first)
    again = claimed(inbox, "w2")
    assert (again.job, again.generation, again.hints) == (first.job, 2, {"gate": True})
    inbox.finish(again)
    assert inbox.claim("w1", LONG) is None


def test_enqueue_makes_a_job_due_without_a_delivery(inbox: Inbox) -> None:
    """The reconciler's trigger: a job, due now, no delivery remembered."""
    inbox.enqueue("request:absensi", {"gate": True})
    inbox.enqueue("request:absensi")
    claim = claimed(inbox)
    assert (claim.generation, claim.hints) == (2, {"gate": True})
    assert inbox.stats().deliveries == 0


def test_failures_back_off_then_park(inbox: Inbox) -> None:
    """A failed attempt is due again after ``retry_in``; the third failure parks the job."""
    inbox.accept([delivery(1)])
    inbox.fail(claimed(inbox), "GitLab said 500", retry_in=SHORT)
    assert inbox.claim("w1", LONG) is None  # backing off
    assert inbox.stats().pending == 1
    time.sleep(SHORT + 0.2)
    second = claimed(inbox)
    assert second.attempts == 1
    inbox.fail(second, "GitLab said 502", retry_in=0)
    third = claimed(inbox)
    assert third.attempts == 2
    inbox.fail(third, "GitLab said\n503", retry_in=0)  # max_attempts=3: parked anyway
    assert inbox.claim("w1", LONG) is None
    [parked] = inbox.parked()
    assert (parked.job, parked.attempts, parked.error) == ("request:absensi", 3, "GitLab said 503")
    assert parked.since > 0
    stats = inbox.stats()
    assert (stats.pending, stats.parked, stats.failed) == (0, 1, 3)


def test_fail_without_retry_parks_at_once(inbox: Inbox) -> None:
    """``retry_in=None`` (an error retrying cannot fix) parks after one attempt."""
    inbox.accept([delivery(1)])
    inbox.fail(claimed(inbox), "the SOP file is invalid", retry_in=None)
    assert [job.attempts for job in inbox.parked()] == [1]


def test_a_new_delivery_unparks_a_job_but_the_reconciler_does_not(inbox: Inbox) -> None:
    """A person acting again (a delivery) brings a parked job back; a periodic enqueue not."""
    inbox.accept([delivery(1)])
    inbox.fail(claimed(inbox), "broken", retry_in=None)
    inbox.enqueue("request:absensi")
    assert inbox.claim("w1", LONG) is None
    assert len(inbox.parked()) == 1
    inbox.accept([delivery(2, gate=True)])
    claim = claimed(inbox)
    assert (claim.attempts, claim.hints) == (0, {"gate": True})
    assert inbox.parked() == []


def test_retry_parked_brings_one_or_all_back(inbox: Inbox) -> None:
    """``service retry``: one job by key, or every parked job; the count made due."""
    inbox.accept([delivery(1, "request:a"), delivery(2, "request:b"), delivery(3, "request:c")])
    for _ in range(3):
        inbox.fail(claimed(inbox), "broken", retry_in=None)
    assert [job.job for job in inbox.parked()] == ["request:a", "request:b", "request:c"]
    assert inbox.retry_parked("request:b") == 1
    assert inbox.retry_parked("request:b") == 0
    assert claimed(inbox).job == "request:b"
    assert inbox.retry_parked() == 2
    assert inbox.retry_parked() == 0
    assert {claimed(inbox, "w2").attempts, claimed(inbox, "w3").attempts} == {0}


def test_stats_count_what_status_and_metrics_show(inbox: Inbox) -> None:
    """Pending (waiting or running), running, parked, oldest age, processed, failed, deliveries."""
    assert inbox.stats().oldest_pending_age == 0
    inbox.accept([delivery(1, "request:parked")])
    inbox.fail(claimed(inbox), "broken", retry_in=None)
    inbox.accept([delivery(2, "request:done")])
    inbox.finish(claimed(inbox))
    inbox.accept([delivery(3, "request:running"), delivery(4, "request:running")])
    claimed(inbox)
    inbox.accept([delivery(5, "request:waiting")])
    time.sleep(0.2)
    stats = inbox.stats()
    assert (stats.pending, stats.running, stats.parked) == (2, 1, 1)
    assert (stats.deliveries, stats.processed, stats.failed) == (5, 1, 1)
    assert 0.2 <= stats.oldest_pending_age < 30


def test_forget_deliveries_drops_only_old_ones(inbox: Inbox) -> None:
    """Old delivery ids are forgotten (a re-send of one is new again); recent ones kept."""
    inbox.accept([delivery(1)])
    time.sleep(0.4)
    inbox.accept([delivery(2)])
    assert inbox.forget_deliveries(0.2) == 1
    assert inbox.stats().deliveries == 1
    assert inbox.accept([delivery(1), delivery(2)]) == [True, False]


def test_extend_keeps_the_lease_until_another_worker_takes_it(inbox: Inbox) -> None:
    """Extending moves the lease's end; after it ran out and another claimed, LeaseLost."""
    inbox.accept([delivery(1)])
    claim = claimed(inbox, "w1", SHORT)
    kept = inbox.extend(claim, LONG)
    assert kept.lease_until > claim.lease_until + 10
    time.sleep(SHORT + 0.1)
    assert inbox.claim("w2", LONG) is None  # the extended lease holds
    short = inbox.extend(kept, SHORT)
    time.sleep(SHORT + 0.2)
    taken = claimed(inbox, "w2")
    with pytest.raises(LeaseLost):
        inbox.extend(short, LONG)
    inbox.finish(taken)
    with pytest.raises(LeaseLost):
        inbox.extend(taken, LONG)  # finished: nothing left to hold


def test_ping_answers_while_the_inbox_is_reachable(inbox: Inbox) -> None:
    """``/healthz`` pings the inbox."""
    inbox.ping()


def test_threads_sharing_one_inbox_never_share_a_job(inbox: Inbox) -> None:
    """Worker threads of one process claiming at once each get a different job."""
    inbox.accept([delivery(n, f"request:r{n}") for n in range(40)])
    got: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (claim := inbox.claim(name, LONG)) is not None:
            with lock:
                got.append(claim.job)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(got) == sorted(f"request:r{n}" for n in range(40))


# --- opening: clear one-line errors ---------------------------------------------------------


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """Another program's database is refused on one line naming it, its bytes unchanged."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(ConfigError) as error:
        open_inbox(str(path), max_attempts=3)
    assert error.value.message == (
        f"{path}: cannot open the inbox: it is an SQLite database, but not a sop-sync inbox"
    )
    assert path.read_bytes() == before
    assert not path.with_name("other.db-wal").exists()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    """A text file given as the inbox is refused on one line, unchanged."""
    path = tmp_path / "notes.txt"
    path.write_text("ini bukan basis data\n" * 100, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        open_inbox(str(path), max_attempts=3)
    assert str(path) in error.value.message
    assert "not a sop-sync inbox" in error.value.message
    assert "\n" not in error.value.message
    assert path.read_text(encoding="utf-8") == "ini bukan basis data\n" * 100


def test_an_inbox_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A file a newer sop-sync wrote is not read with the wrong schema."""
    path = tmp_path / "inbox.db"
    open_inbox(str(path), max_attempts=3).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE inbox_meta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(ConfigError, match="written by a newer sop-sync; upgrade sop-sync"):
        open_inbox(str(path), max_attempts=3)


def test_an_unreachable_postgres_is_one_line_without_the_password() -> None:
    """Nothing listening: one line naming the masked URL, the password nowhere."""
    url = f"postgresql://sop:rahasia-sekali@127.0.0.1:{free_port()}/inbox"
    with pytest.raises(SopSyncError) as error:
        open_inbox(url, max_attempts=3)
    message = error.value.message
    assert message.startswith(f"postgresql://sop:***@127.0.0.1:{url.split(':')[3]}: ")
    assert "cannot reach the inbox" in message
    assert "rahasia" not in message
    assert "\n" not in message


def test_a_url_of_another_database_is_refused() -> None:
    """Only SQLite paths and postgresql:// URLs name an inbox; the password stays masked."""
    with pytest.raises(ConfigError) as error:
        open_inbox("mysql://sop:rahasia-sekali@db/inbox", max_attempts=3)
    assert error.value.message == (
        "mysql://sop:***@db/inbox: the inbox is a SQLite file path or a postgresql:// URL, "
        "not mysql://"
    )


def test_postgres_tables_sop_sync_did_not_create_are_refused(fresh_postgres_url: str) -> None:
    """A database with its own ``jobs`` table is not taken over."""
    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE jobs (id serial PRIMARY KEY, title text)")
    with pytest.raises(ConfigError, match="tables named jobs that are not a sop-sync inbox"):
        open_inbox(fresh_postgres_url, max_attempts=3)
    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs'"
        ).fetchall()
    assert sorted(name for (name,) in columns) == ["id", "title"]


def test_postgres_replicas_starting_at_once_create_the_schema_once(
    fresh_postgres_url: str,
) -> None:
    """Several processes opening a new database together all succeed (advisory lock)."""
    opened: list[Inbox] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(open_inbox(fresh_postgres_url, max_attempts=3))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        assert len(opened) == 4
        opened[0].accept([delivery(1)])
        assert claimed(opened[3]).generation == 1
    finally:
        for inbox in opened:
            inbox.close()


def test_a_password_in_the_query_string_is_masked_too() -> None:
    """``?password=`` is a password as well: not shown when the server cannot be reached."""
    url = f"postgresql://sop@127.0.0.1:{free_port()}/inbox?password=rahasia-sekali"
    with pytest.raises(SopSyncError) as error:
        open_inbox(url, max_attempts=3)
    assert "rahasia" not in error.value.message
    assert "password=***" in error.value.message


def test_postgres_reconnects_once_when_its_connection_was_cut(fresh_postgres_url: str) -> None:
    """A server that dropped the connection (restart, failover) costs nothing but a reconnect."""
    inbox = open_inbox(fresh_postgres_url, max_attempts=3)
    try:
        inbox.accept([delivery(1)])
        with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'sop-sync inbox'"
            )
        time.sleep(0.1)
        assert inbox.accept([delivery(1), delivery(2)]) == [False, True]
        assert claimed(inbox).generation == 2
    finally:
        inbox.close()
