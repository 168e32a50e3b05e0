"""``setup_project``: what a Jira admin must change, one line each; nothing when ready."""

from __future__ import annotations

from sop_sync.trackers.jira.facade import JiraTracker
from sop_sync.trackers.jira.setup import setup_project
from tests.fakes.jira import FakeJira
from tests.trackers.jira.backends import tracker_on
from tests.trackers.jira.test_jira import epic_and_steps


def test_a_ready_project_needs_nothing(fake: FakeJira) -> None:
    """A default project on either flavour is ready, and checking it changes nothing."""
    assert setup_project(tracker_on(fake).session) == []
    assert all(e.method == "GET" for e in fake.requests)


def test_each_missing_piece_is_named(fake: FakeJira) -> None:
    """No Epic type, no Blocks, missing permissions: each says what to change."""
    fake.add_project("NOE", epic=False)
    fake.remove_link_type("Blocks")
    fake.deny("ADMINISTER_PROJECTS")
    fake.deny("LINK_ISSUES")
    bot = tracker_on(fake).session.client
    found = setup_project(JiraTracker.on_client(bot, "NOE").session)
    assert len(found) == 4
    assert found[0].startswith("project NOE has no Epic issue type")
    assert "no 'Blocks' issue link type" in found[1]
    assert "LINK_ISSUES" in found[2]
    assert "ADMINISTER_PROJECTS in NOE" in found[3]
    assert all("\n" not in line for line in found)


def test_a_workflow_without_done_is_named(fake: FakeJira) -> None:
    """With an issue to read transitions from, a workflow that never reaches Done is named."""
    epic_and_steps(fake, 1)
    fake.without_done_transitions()
    fake.state.workflow = [t for t in fake.state.workflow if t["to"] != "10001"]
    [line] = setup_project(tracker_on(fake).session)
    assert "offers no transition from 'To Do' towards a Done status" in line
