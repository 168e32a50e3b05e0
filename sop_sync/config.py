"""Settings: ``sop-sync.yaml`` plus environment overrides. No secrets in the file.

```yaml
tracker:
  kind: local                  # local | gitlab
  path: .sop-sync/tracker.db   # local: the SQLite file
mappings: mappings
calendar:
  minutes_per_day: 450         # 7.5 hours (Perpres 21/2023)
  day_start: "07:30"
  closures: [2026-12-31]       # agency closures on top of libur nasional and cuti bersama
  open_days: []
tentative: 1 hari kerja        # planned length of "Tentatif" and blank times
people:                        # default people per role id
  analis-sistem: [budi]
trusted_hosts: [git.example.go.id]   # repositories there count as open without inspection
```

Environment: ``SOP_SYNC_CONFIG`` (the file), ``SOP_SYNC_TRACKER`` (kind), ``SOP_SYNC_DB``
(local path), ``SOP_SYNC_MAPPINGS``, ``SOP_SYNC_GITLAB_URL``, ``SOP_SYNC_GITLAB_PROJECT``,
``SOP_SYNC_GITLAB_GROUP``, ``SOP_SYNC_GITLAB_HIERARCHY`` (and ``SOP_SYNC_GITLAB_TOKEN``,
read only by the GitLab connection). Tokens only ever come from the environment or the
tracker client's own configuration file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sop_sync.calendar import WorkCalendar
from sop_sync.errors import ConfigError, SopFileError
from sop_sync.request import names_per_role
from sop_sync.sop.durations import Duration, parse_duration
from sop_sync.sop.registry import default_mappings_dir
from sop_sync.yamlfile import read_yaml, validate

CONFIG_FILE = "sop-sync.yaml"
SECRET_WORDS = ("token", "password", "secret", "kata_sandi")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrackerSettings(_Strict):
    """Which tracker, and how to reach it (never a token)."""

    kind: Literal["local", "gitlab"] = "local"
    path: Path = Path(".sop-sync/tracker.db")
    url: str | None = None
    project: str | None = None
    group: str | None = None
    hierarchy: Literal["auto", "epic", "issue"] = "auto"
    gitlab_section: str | None = None
    """A section of python-gitlab's own configuration file (which holds the token)."""


class CalendarSettings(_Strict):
    """Working time of the agency."""

    minutes_per_day: int = Field(450, gt=0, lt=24 * 60)
    day_start: dt.time = dt.time(7, 30)
    closures: tuple[dt.date, ...] = ()
    open_days: tuple[dt.date, ...] = ()

    def calendar(self) -> WorkCalendar:
        """The working-day calendar these settings describe."""
        try:
            return WorkCalendar(
                minutes_per_day=self.minutes_per_day,
                day_start=self.day_start,
                extra_closures=frozenset(self.closures),
                extra_open_days=frozenset(self.open_days),
            )
        except ValueError as error:
            raise ConfigError(f"calendar: {error}") from None


class Settings(_Strict):
    """Everything a command needs besides its arguments."""

    tracker: TrackerSettings = TrackerSettings()
    mappings: Path | None = None
    calendar: CalendarSettings = CalendarSettings()
    tentative: str = "1 hari kerja"
    people: dict[str, tuple[str, ...]] = {}
    trusted_hosts: tuple[str, ...] = ()
    """Code hosts whose repositories count as open without inspection (e.g. a national forge
    the agency vouches for); elsewhere a repository sop-sync cannot inspect is unverifiable."""

    @field_validator("tentative")
    @classmethod
    def _fixed_time(cls, value: str) -> str:
        if not parse_duration(value).fixed:
            raise ValueError("tentative must be a fixed time such as '1 hari kerja'")
        return value

    _names = field_validator("people", mode="before")(names_per_role)

    @property
    def tentative_duration(self) -> Duration:
        """The planned length of a tentative step."""
        return parse_duration(self.tentative)

    @property
    def mappings_dir(self) -> Path:
        """The folder of SOP files."""
        return self.mappings if self.mappings is not None else default_mappings_dir()


def _secret_keys(data: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if any(word in str(key).lower() for word in SECRET_WORDS):
                found.append(where)
            found += _secret_keys(value, where)
    return found


def load_settings(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    tracker_kind: str | None = None,
) -> Settings:
    """Read the configuration file (if any), then environment overrides, then ``--tracker``."""
    env = os.environ if environ is None else environ
    explicit = path or (Path(env["SOP_SYNC_CONFIG"]) if env.get("SOP_SYNC_CONFIG") else None)
    file = explicit or Path(CONFIG_FILE)
    data: dict[str, Any] = {}
    if file.exists():
        name = str(file)
        raw, lines = read_yaml(file.read_text(encoding="utf-8"), name)
        if not isinstance(raw, dict):
            raise ConfigError(f"{name}:1: the configuration is a mapping of settings")
        secrets = _secret_keys(raw)
        if secrets:
            raise ConfigError(
                f"{name}: remove {', '.join(secrets)}: tokens belong in the environment "
                "(or python-gitlab's configuration file), never in sop-sync.yaml"
            )
        try:
            validate(Settings, raw, name, lines)
        except SopFileError as error:
            raise ConfigError("\n".join(error.problems)) from None
        data = raw
    elif explicit is not None:
        raise ConfigError(f"{file}: no such configuration file")
    tracker = dict(data.get("tracker") or {})
    if env.get("SOP_SYNC_TRACKER"):
        tracker["kind"] = env["SOP_SYNC_TRACKER"]
    if env.get("SOP_SYNC_DB"):
        tracker["path"] = env["SOP_SYNC_DB"]
    for key in ("url", "project", "group", "hierarchy"):
        if env.get(f"SOP_SYNC_GITLAB_{key.upper()}"):
            tracker[key] = env[f"SOP_SYNC_GITLAB_{key.upper()}"]
    if tracker_kind:
        tracker["kind"] = tracker_kind
    if env.get("SOP_SYNC_MAPPINGS"):
        data["mappings"] = env["SOP_SYNC_MAPPINGS"]
    try:
        return Settings.model_validate({**data, "tracker": tracker})
    except ValueError as error:
        raise ConfigError(f"environment override: {error}") from None
