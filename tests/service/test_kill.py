"""kill -9 of the service: every acknowledged event's effect is there after a restart, once.

Real ``sop-sync serve`` processes beside the GitLab emulator, which sends the webhooks.
People close steps early (each close a violation); the service answers each with one comment
tagged with the close and a reopen. The service is killed (a) right after it acknowledged a
batch, (b) in the middle of reconciling (after its first write to GitLab), (c) every few
seconds for a minute while people keep working. After a restart:

- every step closed early whose webhook was acknowledged is open again, with sop-sync's
  comment for that close (the level-triggered reconcile of its request ran to the end);
- no close is answered twice and no issue or epic exists twice.

The figures go to ``tests/artifacts/kill-figures.txt`` (the note reports them).
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sop_sync.model.changes import Close, Ref
from tests.fakes.gitlab import FakeGitLab
from tests.service.audit import KEYS, audit, closes_acknowledged, quiet, record
from tests.service.gitlab_world import People, gitlab_world, set_up, sop_sync_cli
from tests.service.serving import free_port, start, wait_for

LOOP_SECONDS = float(os.environ.get("SOP_SYNC_KILL_LOOP_SECONDS", "60"))


def close_early(people: People, rng: random.Random) -> None:
    """Somebody closes a step that is not due (every step is, since none was done)."""
    people.act(Close(Ref(rng.choice(KEYS), rng.randint(2, 14))), "sari")


class Killable:
    """The service beside the emulator, with the four requests opened; kill -9 and restart.

    A restart reuses the port (the hook's URL) and the inbox.
    """

    def __init__(self, folder: Path, fake: FakeGitLab, env: dict[str, str]) -> None:
        self.port = free_port()
        self.service = start(folder, env, port=self.port)
        set_up(env, self.service.hook("gitlab"), KEYS)
        self.fake = fake
        self.people = People(fake)
        fake.webhooks.flush()

    def kill(self) -> None:
        """Kill -9."""
        self.service.kill()

    def restart(self) -> None:
        """Kill -9 (if still running), then a new process."""
        if self.service.process.poll() is None:
            self.service.kill()
        self.service = start(self.service.folder, self.service.env, port=self.port)


@contextlib.contextmanager
def killable(folder: Path) -> Iterator[Killable]:
    """A :class:`Killable` service on a fresh emulator; stopped at the end."""
    with gitlab_world(folder) as (fake, env):
        world = Killable(folder, fake, env)
        try:
            yield world
        finally:
            world.service.stop()


def test_kill_right_after_acknowledging_a_batch(tmp_path: Path) -> None:
    """Eight closes acknowledged, kill -9 at once: after the restart all eight are answered."""
    rng = random.Random(1)  # noqa: S311 - reproducible test data
    with killable(tmp_path) as world:
        fake, people = world.fake, world.people
        for key in KEYS:
            for number in rng.sample(range(2, 15), 2):
                people.act(Close(Ref(key, number)), "sari")
        fake.webhooks.flush()
        world.kill()  # the acknowledgements are in; the jobs may not have run
        acknowledged = len(closes_acknowledged(fake))
        world.restart()
        took = quiet(fake, people)
        figures = audit(fake, people)
        record(f"(a) kill after ack: {acknowledged} closes acknowledged, "
               f"caught up {took:.1f} s after restart, {figures}")  # fmt: skip


def test_kill_in_the_middle_of_reconciling(tmp_path: Path) -> None:
    """Killed after its first write for a batch (comment posted, reopen maybe not): converges."""
    with killable(tmp_path) as world:
        fake, people = world.fake, world.people
        for round_no in range(3):
            fake.reset_log()
            for key in KEYS:
                people.act(Close(Ref(key, 3 + round_no)), "sari")
            fake.webhooks.flush()  # acknowledged: from here on they are the service's

            def wrote() -> bool:  # people post no notes here: this is sop-sync's
                return any(
                    entry.method == "POST" and entry.path.endswith("/notes")
                    for entry in fake.requests
                )

            wait_for(wrote, 10, 0.001)
            world.restart()  # kill -9 in the middle, then a new process
        took = quiet(fake, people)
        figures = audit(fake, people)
        record(f"(b) kill mid-reconcile x3: caught up {took:.1f} s, {figures}")


def test_kill_in_a_loop_under_load(tmp_path: Path) -> None:
    """A minute of closes while the service is killed every 2–5 s: nothing lost, nothing twice."""
    rng = random.Random(3)  # noqa: S311 - reproducible test data
    with killable(tmp_path) as world:
        fake, people = world.fake, world.people
        stop = threading.Event()
        actions = 0

        def load() -> None:
            nonlocal actions
            worker_rng = random.Random(4)  # noqa: S311 - reproducible test data
            while not stop.is_set():
                close_early(people, worker_rng)
                actions += 1
                time.sleep(0.05)

        loader = threading.Thread(target=load)
        loader.start()
        kills = 0
        deadline = time.monotonic() + LOOP_SECONDS
        try:
            while time.monotonic() < deadline:
                time.sleep(rng.uniform(2, 5))
                world.restart()
                kills += 1
        finally:
            stop.set()
            loader.join()
        acknowledged = len(closes_acknowledged(fake))
        sent = sum(1 for d in fake.webhooks.deliveries if d.status is not None)
        lost = sum(1 for d in fake.webhooks.deliveries if d.status is None)
        # deliveries refused while the service was down are GitLab's to lose (it does not
        # retry them); the reconciler repairs them: one pass, as the service runs every N min
        sop_sync_cli(world.service.env, "service", "reconcile")
        took = quiet(fake, people, timeout=60)
        figures = audit(fake, people)
        record(
            f"(c) kill loop {LOOP_SECONDS:.0f} s: {kills} kills, {actions} closes by people, "
            f"{sent} webhooks answered ({acknowledged} close events acknowledged), "
            f"{lost} refused while down, caught up {took:.1f} s, {figures}"
        )
