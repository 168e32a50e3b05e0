"""Settings: ``sop-sync.yaml`` plus environment overrides. No secrets in the file.

```yaml
tracker:                       # one section, typed by its kind
  kind: local                  # local | gitlab
  path: .sop-sync/tracker.db   # local: the SQLite file
  # kind: gitlab -> url, project, group, hierarchy (auto | epic | issue), gitlab_section,
  #   connect_timeout_seconds (5), read_timeout_seconds (20), retry_budget_seconds (60)
  # kind: jira -> url, project, flavour (auto | cloud | dc), epic_type, step_type, accounts
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
code_host:                     # requests in Jira, code on GitLab (gate re-runs, repositories)
  url: https://gitlab.example.go.id
  group: diskominfo
service: {port: 8080, inbox: .sop-sync/inbox.db}   # the sync service (docs/service.md)
closing:                       # who may close a step
  by_role: true                # only a holder of one of its roles ...
  supervisors: [kasi-ai]       # ... or of one of these roles
  not_for: [egov]              # SOP ids where anyone may close
```

Environment: ``SOP_SYNC_CONFIG`` (the file), ``SOP_SYNC_TRACKER`` (kind), ``SOP_SYNC_DB``
(local path), ``SOP_SYNC_MAPPINGS``, ``SOP_SYNC_GITLAB_URL``, ``SOP_SYNC_GITLAB_PROJECT``,
``SOP_SYNC_GITLAB_GROUP``, ``SOP_SYNC_GITLAB_HIERARCHY``, ``SOP_SYNC_GITLAB_TIMEOUT`` (read
timeout, s), ``SOP_SYNC_GITLAB_RETRY_BUDGET`` (s) (and ``SOP_SYNC_GITLAB_TOKEN``,
read only by the GitLab connection), ``SOP_SYNC_JIRA_URL``, ``SOP_SYNC_JIRA_PROJECT``,
``SOP_SYNC_JIRA_FLAVOUR``, ``SOP_SYNC_INBOX`` (the service's inbox) (and
``SOP_SYNC_JIRA_EMAIL`` + ``SOP_SYNC_JIRA_TOKEN`` on Cloud, or
``SOP_SYNC_JIRA_TOKEN`` alone, a personal access token, on Data Center; read only by the Jira
connection). Tokens only ever come from the environment or the
tracker client's own configuration file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from sop_sync.documents.settings import DocumentSettings
from sop_sync.errors import ConfigError, SopFileError
from sop_sync.model.request import names_per_role
from sop_sync.resources import default_mappings_dir
from sop_sync.rules.closing import ClosingPolicy
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.sop.durations import Duration, parse_duration
from sop_sync.yamlfile import read_yaml, validate
from sop_sync.yamlfile.files import read_text

CONFIG_FILE = "sop-sync.yaml"
SECRET_WORDS = ("token", "password", "secret", "kata_sandi")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalSettings(_Strict):
    """The embedded local tracker: one SQLite file."""

    kind: Literal["local"] = "local"
    path: Path = Path(".sop-sync/tracker.db")


class GitLabSettings(_Strict):
    """A GitLab project (and its group, for epics); never a token."""

    kind: Literal["gitlab"] = "gitlab"
    url: str | None = None
    project: str | None = None
    group: str | None = None
    hierarchy: Literal["auto", "epic", "issue"] = "auto"
    gitlab_section: str | None = None
    """A section of python-gitlab's own configuration file (which holds the token)."""
    connect_timeout_seconds: float = Field(5.0, gt=0)
    read_timeout_seconds: float = Field(20.0, gt=0)
    """How long one try waits for GitLab's answer (each try: never past the budget)."""
    retry_budget_seconds: float = Field(60.0, gt=0)
    """All the tries and waits of one call (``Retry-After`` included): then sop-sync gives up."""


class JiraSettings(_Strict):
    """A Jira project (Cloud or Data Center); never a token."""

    kind: Literal["jira"] = "jira"
    url: str | None = None
    project: str | None = None
    """The project key, e.g. ``APL``."""
    flavour: Literal["auto", "cloud", "dc"] = "auto"
    """``auto`` reads ``deploymentType`` from the server; ``dc`` covers Server too."""
    epic_type: str | None = None
    """Name of the request's issue type when it is not the project's Epic."""
    step_type: str | None = None
    """Name of the steps' issue type (default: Task, else Story, else the first standard)."""
    accounts: dict[str, str] = {}
    """Cloud: username -> Atlassian account id, for people whose e-mail is hidden."""


def _kind(value: Any) -> str:
    """The tracker kind a section names (``local`` when it names none)."""
    kind = value.get("kind", "local") if isinstance(value, dict) else getattr(value, "kind", None)
    return str(kind)


TrackerSettings = Annotated[
    Annotated[LocalSettings, Tag("local")]
    | Annotated[GitLabSettings, Tag("gitlab")]
    | Annotated[JiraSettings, Tag("jira")],
    Discriminator(_kind),
]
"""One typed section per tracker kind, chosen by ``kind``."""

ENVIRONMENT: dict[str, dict[str, str]] = {
    "local": {"path": "SOP_SYNC_DB"},
    "gitlab": {
        "url": "SOP_SYNC_GITLAB_URL",
        "project": "SOP_SYNC_GITLAB_PROJECT",
        "group": "SOP_SYNC_GITLAB_GROUP",
        "hierarchy": "SOP_SYNC_GITLAB_HIERARCHY",
        "read_timeout_seconds": "SOP_SYNC_GITLAB_TIMEOUT",
        "retry_budget_seconds": "SOP_SYNC_GITLAB_RETRY_BUDGET",
    },
    "jira": {
        "url": "SOP_SYNC_JIRA_URL",
        "project": "SOP_SYNC_JIRA_PROJECT",
        "flavour": "SOP_SYNC_JIRA_FLAVOUR",
    },
}
"""Per tracker kind: setting -> the environment variable that overrides it."""


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


class ClosingSettings(_Strict):
    """Who may close a step: by default only a holder of one of its roles."""

    by_role: bool = True
    supervisors: tuple[str, ...] = ()
    """Role ids whose holders may close any step (e.g. the head of section)."""
    not_for: tuple[str, ...] = ()
    """SOP ids where anyone may close a step."""

    def policy(self, sop_id: str) -> ClosingPolicy:
        """The closing rule for one SOP."""
        return ClosingPolicy(
            by_role=self.by_role and sop_id not in self.not_for,
            supervisors=frozenset(self.supervisors),
        )


class ServiceSettings(_Strict):
    """The sync service (``sop-sync serve``): where it listens, its inbox, its workers.

    The webhook secret is never here: ``SOP_SYNC_WEBHOOK_SECRET`` (GitLab's secret token and
    the Jira webhook's HMAC secret). A PostgreSQL password belongs in ``PGPASSWORD`` or
    ``~/.pgpass`` (libpq's own places), not in the ``inbox`` URL.
    """

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    inbox: str = ".sop-sync/inbox.db"
    """A SQLite file (embedded, one host) or ``postgresql://user@host/db`` (several hosts)."""
    workers: int = Field(2, ge=0, le=64)
    """Worker threads in each ``serve`` process (0: only accept; run ``service worker``)."""
    reconcile_minutes: float = Field(15, ge=0)
    """A full pass over open requests every this many minutes (0: never)."""
    lease_seconds: float = Field(30, ge=1)
    """How long a job stays with a worker that stopped answering (killed, cut off) before
    another may take it over; a live worker renews the lease every third of it."""
    max_attempts: int = Field(6, ge=1, le=100)
    """Failed attempts before a job is parked."""
    retry_seconds: float = Field(5, gt=0)
    """The first back-off; it doubles per attempt (capped at one hour)."""
    account: str | None = None
    """sop-sync's own tracker username; its events are ignored (default: the token's user)."""
    openers: tuple[str, ...] = ()
    """Who may open a request with ``/sop buka``: usernames, or role ids of ``people``
    (``[analis-sistem]``); empty: anyone who can comment on the issue."""
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    """Webhook bodies over this size are refused with 413."""
    keep_deliveries_days: float = Field(7, gt=0)
    """How long delivery ids are remembered for de-duplication."""


class Settings(_Strict):
    """Everything a command needs besides its arguments."""

    tracker: TrackerSettings = LocalSettings()
    mappings: Path | None = None
    calendar: CalendarSettings = CalendarSettings()
    tentative: str = "1 hari kerja"
    people: dict[str, tuple[str, ...]] = {}
    closing: ClosingSettings = ClosingSettings()
    documents: DocumentSettings = DocumentSettings()
    service: ServiceSettings = ServiceSettings()
    code_host: GitLabSettings | None = None
    """With requests in Jira, the GitLab that holds the code: the service re-runs the gate on
    its merge requests and inspects its repositories (url, group or project; the token from
    ``SOP_SYNC_GITLAB_TOKEN``)."""
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
    mappings: Path | None = None,
) -> Settings:
    """Read the configuration file (if any), then environment overrides, then the options.

    ``tracker_kind`` is ``--tracker``; ``mappings`` is ``--mappings``.
    """
    env = os.environ if environ is None else environ
    explicit = path or (Path(env["SOP_SYNC_CONFIG"]) if env.get("SOP_SYNC_CONFIG") else None)
    file = explicit or Path(CONFIG_FILE)
    if file.exists():
        data = _read_file(file)
    elif explicit is not None:
        raise ConfigError(f"{file}: no such configuration file")
    else:
        data = {}
    tracker = _tracker_section(dict(data.get("tracker") or {}), env, tracker_kind)
    if env.get("SOP_SYNC_MAPPINGS"):
        data["mappings"] = env["SOP_SYNC_MAPPINGS"]
    if env.get("SOP_SYNC_INBOX"):
        data["service"] = {**dict(data.get("service") or {}), "inbox": env["SOP_SYNC_INBOX"]}
    if mappings is not None:
        data["mappings"] = mappings
    try:
        return Settings.model_validate({**data, "tracker": tracker})
    except ValueError as error:
        raise ConfigError(f"environment override: {error}") from None


def _read_file(file: Path) -> dict[str, Any]:
    """The settings written in ``file``, checked; a file of comments only means the defaults."""
    name = str(file)
    try:
        text = read_text(file)
    except SopFileError as error:
        raise ConfigError("\n".join(error.problems)) from None
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return {}
    try:
        raw, lines = read_yaml(text, name)
    except SopFileError as error:
        raise ConfigError("\n".join(error.problems)) from None
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
    return raw


def _tracker_section(
    written: dict[str, Any], env: Mapping[str, str], tracker_kind: str | None
) -> dict[str, Any]:
    """The tracker section after overrides: ``--tracker``, then ``SOP_SYNC_TRACKER``, then the file.

    The file's other settings count only for the kind it names; the environment overrides
    only the settings of the kind in use.
    """
    written_kind = written.get("kind", "local")
    kind = tracker_kind or env.get("SOP_SYNC_TRACKER") or written_kind
    if kind not in ENVIRONMENT:
        source = "--tracker" if tracker_kind else "SOP_SYNC_TRACKER"
        if not (tracker_kind or env.get("SOP_SYNC_TRACKER")):
            source = "tracker.kind"
        known = ", ".join(ENVIRONMENT)
        raise ConfigError(f"{source}: unknown tracker kind {kind!r} (known: {known})")
    section = written if kind == written_kind else {}
    section = {**section, "kind": kind}
    for setting, variable in ENVIRONMENT.get(str(kind), {}).items():
        if env.get(variable):
            section[setting] = env[variable]
    return section
