"""The Jira adapter's own behaviour on both emulator flavours: what Jira receives and keeps."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.changes import (
    Close,
    Comment,
    CreateIssue,
    EnsureMilestone,
    Link,
    Milestone,
    Ref,
    Reopen,
)
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import State, text_digest
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.rules.commands import parse_notes
from sop_sync.trackers.jira.markup import to_wiki
from tests.fakes.jira import FakeJira
from tests.fakes.jira.catalog import EPIC_NAME
from tests.trackers.jira.backends import seeded, tracker_on

SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
DATA = (("sop", "bali"), ("judul", "Aplikasi Uji"), ("mulai", "2026-12-01"))
TEXT = (
    "Lihat [panduan](https://example.go.id/panduan) dan tabel:\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
)


def request(key: str = "absensi") -> RequestInput:
    """A request on the Karanganyar SOP (14 steps) with one person."""
    return RequestInput(
        key=key,
        sop_id="karanganyar",
        title=f"Aplikasi {key}",
        start=dt.date(2026, 12, 1),
        requester="BKD",
        people=(("analis-sistem", ("sari",)),),
        repo="https://git.example.go.id/bkd/absensi",
    )


def open_request(fake: FakeJira, key: str = "absensi") -> None:
    """Open a Karanganyar request through the engine."""
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    outcome = converge(tracker_on(fake), sop, request(key), SETTINGS, TrackerTexts())
    assert outcome.ok, outcome.failures


def epic_and_steps(fake: FakeJira, count: int = 2) -> None:
    """An epic and ``count`` steps, created as the apply loop does (steps side by side)."""
    tracker = tracker_on(fake)
    tracker.apply(CreateIssue(Ref("uji"), "Permohonan: Uji", TEXT, ("permohonan",), data=DATA))
    steps = [
        CreateIssue(Ref("uji", n), f"[uji] {n:02d} · Langkah", TEXT, ("sop::bali",))
        for n in range(1, count + 1)
    ]
    together = threading.Barrier(len(steps))  # every thread started before any applies

    def apply(change: CreateIssue) -> None:
        together.wait()
        tracker.apply(change)

    with ThreadPoolExecutor(len(steps)) as pool:
        list(pool.map(apply, steps))


def step_key(fake: FakeJira, number: int) -> str:
    """The key of step ``number`` (steps made side by side get their keys in any order)."""
    return next(
        str(i["key"])
        for i in fake.state.issues.values()
        if i["properties"].get("sop-sync", {}).get("langkah") == number
    )


def test_marker_is_an_issue_property_plus_finder_labels(fake: FakeJira) -> None:
    """The marker lives in the sop-sync property; the finder labels stay out of Issue.labels."""
    epic_and_steps(fake)
    stored = fake.issue(step_key(fake, 1))
    assert stored["properties"]["sop-sync"] == {
        "v": 1, "kunci": "uji", "sop": "bali", "langkah": 1, "sha": text_digest(TEXT),
    }  # fmt: skip
    assert set(stored["labels"]) == {"sop::bali", "sop-sync", "sop-sync-uji"}
    observed = tracker_on(fake).observe("uji", history=False)
    assert observed.steps[1].labels == {"sop::bali"}
    assert observed.epic is not None
    assert observed.epic.data == dict(DATA)


def test_texts_reach_jira_as_wiki_and_compare_by_digest(fake: FakeJira) -> None:
    """Jira receives wiki markup; the digest read back is the one of the Markdown written."""
    epic_and_steps(fake, 1)
    assert fake.issue("APL-2")["description"] == to_wiki(TEXT)
    assert "[panduan|https://example.go.id/panduan]" in to_wiki(TEXT)
    step = tracker_on(fake).observe("uji", history=False).steps[1]
    assert step.digest == text_digest(TEXT)
    assert step.description == to_wiki(TEXT)


def test_steps_join_the_epic_as_each_flavour_wants(fake: FakeJira) -> None:
    """Cloud: ``parent``; DC: the Epic Link field, and the epic has its Epic Name."""
    epic_and_steps(fake, 1)
    epic, step = fake.issue("APL-1"), fake.issue("APL-2")
    if fake.state.cloud:
        assert step["parent"] == epic["id"]
    else:
        assert step["epic_link"] == epic["id"]
        assert epic["epic_name"] == "Permohonan: Uji"
        assert EPIC_NAME not in step["custom"]


def test_steps_made_side_by_side_share_one_bulk_call(fake: FakeJira) -> None:
    """Five step creations arriving together are one POST /issue/bulk."""
    epic_and_steps(fake, 5)
    assert fake.count("POST", "/issue/bulk") == 1
    assert fake.count("POST", "/rest/api/2/issue") - fake.count("POST", "/issue/bulk") == 1
    assert sorted(tracker_on(fake).observe("uji", history=False).steps) == [1, 2, 3, 4, 5]


def test_blocks_link_direction_reads_the_same_from_both_sides(fake: FakeJira) -> None:
    """Link(1 -> 2): issue 1 "blocks" issue 2, and issue 2 "is blocked by" issue 1."""
    epic_and_steps(fake)
    tracker_on(fake).apply(Link(Ref("uji", 1), Ref("uji", 2)))
    [link] = fake.state.links.values()
    first, second = step_key(fake, 1), step_key(fake, 2)
    one, two = fake.issue(first), fake.issue(second)
    assert (link["source"], link["dest"]) == (one["id"], two["id"])
    client = tracker_on(fake).session.rest
    source = client.get(f"issue/{first}", fields="issuelinks")["fields"]["issuelinks"]
    target = client.get(f"issue/{second}", fields="issuelinks")["fields"]["issuelinks"]
    assert [(e["type"]["outward"], e["outwardIssue"]["key"]) for e in source] == [
        ("blocks", second)
    ]
    assert [(e["type"]["inward"], e["inwardIssue"]["key"]) for e in target] == [
        ("is blocked by", first)
    ]
    assert tracker_on(fake).observe("uji", history=False).links == {(1, 2)}


def test_planning_reads_searches_only(fake: FakeJira) -> None:
    """After opening, planning a request reads no issue one by one."""
    open_request(fake)
    fake.reset_log()
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    assert converge(tracker_on(fake), sop, request(), SETTINGS, TrackerTexts()).applied == []
    paths = [e.path for e in fake.requests]
    assert all(e.method == "GET" for e in fake.requests)
    assert not [p for p in paths if "/issue/" in p], paths
    assert sum("/search" in p for p in paths) == 1


def test_reply_is_a_comment_property(fake: FakeJira) -> None:
    """A reply names the comment it answers in a property, read back as in_reply_to."""
    epic_and_steps(fake, 1)
    tracker_on(fake).apply(Comment(Ref("uji", 1), "Diterima.", in_reply_to="777"))
    [stored] = fake.issue("APL-2")["comments"]
    assert stored["properties"] == {"sop-sync": {"re": "777"}}
    [note] = tracker_on(fake).observe("uji").steps[1].notes
    assert (note.body, note.in_reply_to) == ("Diterima.", "777")


def test_commands_quoted_in_jira_blocks_are_not_obeyed(fake: FakeJira) -> None:
    """/sop in a {code} or {quote} block or a list is shown, not a command; a plain line is."""
    epic_and_steps(fake, 1)
    for body in ("{code}\n/sop setuju\n{code}", "{quote}\n/sop setuju\n{quote}", "* /sop setuju"):
        fake.comment_as("sari", "APL-2", body)
    fake.comment_as("dewi", "APL-2", "/sop setuju")
    notes = tracker_on(fake).observe("uji").steps[1].notes
    assert [(c.author, c.verb.value) for c in parse_notes(notes)] == [("dewi", "setuju")]


def test_closing_through_a_stepwise_workflow_sets_the_resolution() -> None:
    """To Do -> In Progress -> Done when there is no direct way; the resolution is Done."""
    with seeded("dc", workflow="stepwise") as fake:
        epic_and_steps(fake, 1)
        tracker_on(fake).acting_as("andi").apply(Close(Ref("uji", 1)))
        assert fake.issue("APL-2")["status"] == "10002"
        assert fake.issue("APL-2")["resolution"] == "Done"
        step = tracker_on(fake).observe("uji").steps[1]
        assert step.state is State.CLOSED
        assert [(e.actor, e.action) for e in step.events if e.action == "closed"] == [
            ("andi", "closed")
        ]
        tracker_on(fake).apply(Reopen(Ref("uji", 1)))
        assert fake.issue("APL-2")["resolution"] is None


def test_closing_the_request_releases_and_archives_its_versions(fake: FakeJira) -> None:
    """Versions of an ended request leave the project's active list; reopening restores them."""
    tracker = tracker_on(fake)
    tracker.apply(EnsureMilestone(Milestone("uji · Permohonan", dt.date(2026, 12, 1), None)))
    tracker.apply(EnsureMilestone(Milestone("lain · Permohonan", None, None)))
    epic_and_steps(fake, 1)
    tracker_on(fake).apply(Close(Ref("uji")))
    versions = {v["name"]: v for v in fake.state.versions.values()}
    assert (versions["uji · Permohonan"]["released"], versions["uji · Permohonan"]["archived"]) == (
        True,
        True,
    )
    assert versions["lain · Permohonan"]["archived"] is False
    tracker_on(fake).apply(Reopen(Ref("uji")))
    assert fake.state.versions[versions["uji · Permohonan"]["id"]]["archived"] is False


def test_assignee_is_named_as_each_flavour_wants(fake: FakeJira) -> None:
    """Cloud: by accountId, found from the user's e-mail; DC: by name."""
    tracker = tracker_on(fake)
    tracker.apply(CreateIssue(Ref("uji"), "Permohonan: Uji", "", ("permohonan",), data=DATA))
    tracker.apply(CreateIssue(Ref("uji", 1), "[uji] 01", "", (), assignees=("sari",)))
    sari = fake.state.user("sari")
    assert sari is not None
    assert fake.issue("APL-2")["assignee"] == sari["id"]
    assert tracker_on(fake).observe("uji", history=False).steps[1].assignees == ("sari",)


def test_remote_link_counts_as_a_link_with_its_author(fake: FakeJira) -> None:
    """A remote link added in Jira is a note (system) with its URL, by whoever added it."""
    epic_and_steps(fake, 1)
    person = tracker_on(fake).session.writer("sari")
    person.post(
        "issue/APL-2/remotelink", {"object": {"url": "https://x.go.id/dfd", "title": "DFD"}}
    )
    [note] = tracker_on(fake).observe("uji").steps[1].notes
    assert (note.author, note.system, note.body) == ("sari", True, "DFD https://x.go.id/dfd")


def test_opening_again_writes_nothing(fake: FakeJira) -> None:
    """A second open of the same request converges without a single write."""
    open_request(fake)
    fake.reset_log()
    open_request(fake)
    assert [e for e in fake.requests if e.method != "GET"] == []


def test_searches_follow_every_page(fake: FakeJira) -> None:
    """Cloud follows page tokens, DC offsets (pages after the first side by side)."""
    epic_and_steps(fake, 12)
    fake.max_results = 5
    fake.reset_log()
    run = tracker_on(fake)
    assert [s.key for s in run.requests()] == ["uji"]
    assert sorted(run.observe("uji", history=False).steps) == list(range(1, 13))
    path = "/search/jql" if fake.state.cloud else "/search"
    assert fake.count("GET", path) == 3  # ceil(13 issues / 5 a page), once for the whole run


def test_opening_on_a_flaky_jira_succeeds_and_the_log_shows_the_retries() -> None:
    """Every 3rd request fails (429, then 503): the request still opens, each retried once."""
    with seeded("cloud", flaky_every=3) as fake:
        open_request(fake)
        log = fake.requests
        failed = [n for n, e in enumerate(log) if e.status in (429, 503)]
        assert {log[n].status for n in failed} == {429, 503}
        for n in failed:  # the same call again later, answered
            later = [e for e in log[n + 1 :] if (e.method, e.path) == (log[n].method, log[n].path)]
            assert any(e.status < 400 for e in later)
        assert fake.count("POST", "/issue/bulk", status=201) == 1
