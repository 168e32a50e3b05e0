"""Settings from sop-sync.yaml and the environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sop_sync.config import GitLabSettings, LocalSettings, load_settings
from sop_sync.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    """Write a configuration file."""
    path = tmp_path / "sop-sync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No file: the local tracker in .sop-sync/, 7.5 hours from 07:30, one day for Tentatif."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, environ={"SOP_SYNC_CONFIG": ""})
    assert settings.tracker.kind == "local"
    assert settings.tracker.path == Path(".sop-sync/tracker.db")
    assert settings.calendar.calendar().minutes_per_day == 450
    assert settings.tentative_duration.maximum == 1


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    """The file sets values; SOP_SYNC_DB and SOP_SYNC_MAPPINGS override them."""
    path = write(
        tmp_path,
        "tracker:\n  kind: local\n  path: a.db\ncalendar:\n  closures: [2026-12-31]\n"
        "  day_start: '08:00'\ntentative: 2 hari kerja\npeople:\n  analis-sistem: sari\n",
    )
    settings = load_settings(path, environ={"SOP_SYNC_DB": "b.db", "SOP_SYNC_MAPPINGS": "m"})
    assert settings.tracker == LocalSettings(path=Path("b.db"))
    assert settings.mappings_dir == Path("m")
    calendar = settings.calendar.calendar()
    assert not calendar.is_working_day(dt.date(2026, 12, 31))
    assert calendar.day_start == dt.time(8, 0)
    assert settings.people == {"analis-sistem": ("sari",)}


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    """A misspelt key is reported with its line and key path."""
    path = write(tmp_path, "tracker:\n  kind: local\n  pth: a.db\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert caught.value.message == f"{path}:3 (tracker.pth): unknown key 'pth'"


def test_tokens_in_the_file_are_refused(tmp_path: Path) -> None:
    """A token in sop-sync.yaml is refused: secrets come from the environment."""
    path = write(tmp_path, "tracker:\n  kind: gitlab\n  private_token: glpat-xxx\n")
    with pytest.raises(ConfigError, match="tokens belong in the environment") as caught:
        load_settings(path, environ={})
    assert "glpat-xxx" not in caught.value.message


def test_named_file_must_exist(tmp_path: Path) -> None:
    """A configuration file named explicitly but missing is an error."""
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_bad_tracker_kind_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown tracker kind in SOP_SYNC_TRACKER is a configuration error."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ={"SOP_SYNC_TRACKER": "trello"})
    expected = "SOP_SYNC_TRACKER: unknown tracker kind 'trello' (known: local, gitlab, jira)"
    assert caught.value.message == expected


def test_trusted_hosts_reach_the_repository_inspector(tmp_path: Path) -> None:
    """A host named in trusted_hosts makes its repositories count as open."""
    from sop_sync.model.tracker import RepoState
    from sop_sync.trackers.factory import connect

    path = write(
        tmp_path, f"tracker:\n  path: {tmp_path / 't.db'}\ntrusted_hosts: [git.kab.go.id]\n"
    )
    connection = connect(load_settings(path, environ={}))
    repositories = connection.repositories
    assert repositories.inspect("https://git.kab.go.id/a/b").state is RepoState.OPEN
    assert repositories.inspect("https://github.com/a/b").state is RepoState.UNVERIFIABLE
    connection.close()


def test_each_tracker_kind_has_its_own_settings(tmp_path: Path) -> None:
    """A GitLab setting under ``kind: local`` is refused, with its line."""
    path = write(tmp_path, "tracker:\n  kind: local\n  project: a/b\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert caught.value.message == f"{path}:3 (tracker.project): unknown key 'project'"


def test_environment_overrides_only_the_kind_in_use(tmp_path: Path) -> None:
    """SOP_SYNC_DB means nothing to GitLab; SOP_SYNC_GITLAB_* nothing to the local tracker."""
    env = {"SOP_SYNC_DB": "b.db", "SOP_SYNC_GITLAB_PROJECT": "diskominfo/sop"}
    path = write(tmp_path, "tracker:\n  kind: gitlab\n  url: https://git.example.go.id\n")
    gitlab = load_settings(path, environ=env).tracker
    assert gitlab == GitLabSettings(url="https://git.example.go.id", project="diskominfo/sop")
    local = load_settings(path, environ=env, tracker_kind="local").tracker
    assert local == LocalSettings(path=Path("b.db"))


def test_a_file_of_comments_only_means_the_defaults(tmp_path: Path) -> None:
    """A sop-sync.yaml holding only comments (a template not filled in yet) is no error."""
    path = write(tmp_path, "# tracker:\n#   kind: gitlab\n\n")
    settings = load_settings(path, environ={})
    assert settings.tracker == LocalSettings()
    assert settings.people == {}
