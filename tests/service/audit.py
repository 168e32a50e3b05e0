"""Auditing the emulator after the service ran: every close answered once, nothing twice.

Shared by the kill, scale-out and end-to-end tests; the figures they print go to
``tests/artifacts/kill-figures.txt`` (the closing notes report them).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

from sop_sync.model.tracker import State
from sop_sync.trackers.gitlab.marker import split
from tests.fakes.gitlab import FakeGitLab
from tests.service.gitlab_world import PROJECT, People
from tests.service.serving import wait_for

KEYS = ("absensi", "arsip", "cuti", "gaji")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def record(line: str) -> None:
    """Append a figure line to the artifacts file (and print it for -s runs)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "kill-figures.txt").open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    print(line)  # noqa: T201 - the figures are the point


def closes_acknowledged(fake: FakeGitLab) -> set[tuple[int, int]]:
    """(project issue iid, delivery number) of the close events the service answered 2xx."""
    found = set()
    for delivery in fake.webhooks.deliveries:
        payload = json.loads(delivery.body)
        attributes = payload.get("object_attributes") or {}
        closing = payload.get("object_kind") == "issue" and attributes.get("action") == "close"
        if closing and delivery.status is not None and 200 <= delivery.status < 300:
            found.add((int(attributes["iid"]), delivery.number))
    return found


def audit(fake: FakeGitLab, people: People) -> dict[str, int]:
    """Check the end state against the emulator's own record; the counts for the figures.

    Every close GitLab recorded (``resource_state_events``) has exactly one sop-sync comment
    tagged with it, no tag is used twice, every step is open again, no owned object twice.
    """
    closes = answered = 0
    for key in KEYS:
        for issue in people.steps(key).values():
            assert issue.state is State.OPEN, (key, issue.ref)
            tags = collections.Counter(n.in_reply_to for n in issue.notes if n.in_reply_to)
            assert all(count == 1 for count in tags.values()), (key, issue.ref, tags)
            iid = int(issue.web_url.rstrip("/").rpartition("/")[2])
            with fake.lock:
                project = int(fake.state.project(PROJECT)["id"])  # type: ignore[index]
                events = list(fake.state.state_events.get((project, iid), []))
            for event in events:
                if event.get("state") != "closed":
                    continue
                closes += 1
                at = dt.datetime.fromisoformat(str(event["created_at"]).replace("Z", "+00:00"))
                answered += tags[f"tutup-{int(at.timestamp() * 1000)}"]
    assert answered == closes, f"{closes - answered} of {closes} closes never answered"
    with fake.lock:
        objects = [
            *(i for issues in fake.state.issues.values() for i in issues.values()),
            *(e for epics in fake.state.epics.values() for e in epics.values()),
        ]
        descriptions = [str(o.get("description") or "") for o in objects]
    markers = [split(text)[1] for text in descriptions]
    owned = collections.Counter(marker.ref for marker in markers if marker is not None)
    assert all(count == 1 for count in owned.values()), "an owned issue exists twice"
    return {"closes": closes, "answered once": answered, "owned objects": len(owned)}


def quiet(fake: FakeGitLab, people: People, timeout: float = 30.0) -> float:
    """Seconds until every step closed early is open again (the service caught up)."""
    fake.webhooks.flush()

    def caught_up() -> bool:
        return all(
            issue.state is State.OPEN for key in KEYS for issue in people.steps(key).values()
        )

    return wait_for(caught_up, timeout, 0.2)
