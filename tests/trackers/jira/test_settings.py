"""The ``jira`` settings section: file, environment overrides, and no secrets in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_sync.config import JiraSettings, load_settings
from sop_sync.errors import ConfigError


def test_environment_names_the_jira_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--tracker jira with SOP_SYNC_JIRA_URL, _PROJECT and _FLAVOUR gives a jira section."""
    env = {
        "SOP_SYNC_JIRA_URL": "https://diskominfo.atlassian.net",
        "SOP_SYNC_JIRA_PROJECT": "APL",
        "SOP_SYNC_JIRA_FLAVOUR": "cloud",
    }
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, env, tracker_kind="jira")
    assert settings.tracker == JiraSettings(
        url="https://diskominfo.atlassian.net", project="APL", flavour="cloud"
    )


def test_file_section_with_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file may name issue types and Cloud account ids, never a token."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sop-sync.yaml").write_text(
        "tracker:\n  kind: jira\n  url: https://jira.example.go.id\n  project: APL\n"
        "  flavour: dc\n  step_type: Story\n  accounts:\n    sari: 5f0a\n",
        encoding="utf-8",
    )
    tracker = load_settings(None, {}).tracker
    assert isinstance(tracker, JiraSettings)
    assert (tracker.flavour, tracker.step_type, tracker.accounts) == (
        "dc",
        "Story",
        {"sari": "5f0a"},
    )
    (tmp_path / "sop-sync.yaml").write_text(
        "tracker:\n  kind: jira\n  token: rahasia\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"tracker\.token"):
        load_settings(None, {})
