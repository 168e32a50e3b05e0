"""Connecting to GitLab: URL and token from the environment or python-gitlab's own config.

Environment: ``SOP_SYNC_GITLAB_URL`` and ``SOP_SYNC_GITLAB_TOKEN`` (``GITLAB_URL`` and
``GITLAB_TOKEN`` also work). Or name a section of python-gitlab's configuration file
(``~/.python-gitlab.cfg`` or ``PYTHON_GITLAB_CFG``) with ``tracker.gitlab_section``, where the
token already lives. The token is never written to sop-sync's files or logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import gitlab
import gitlab.config

from sop_sync.config import GitLabSettings
from sop_sync.errors import ConfigError
from sop_sync.secrets import clean_token
from sop_sync.trackers.base import Connection
from sop_sync.trackers.gitlab.code_host import GitLabRepositories
from sop_sync.trackers.gitlab.discussions import GitLabDiscussions
from sop_sync.trackers.gitlab.facade import GitLabTracker
from sop_sync.trackers.gitlab.merge_requests import GitLabMergeRequests
from sop_sync.trackers.gitlab.patience import Patience
from sop_sync.trackers.gitlab.session import GitLabSession


def client(settings: GitLabSettings, environ: Mapping[str, str] | None = None) -> gitlab.Gitlab:
    """A python-gitlab client; the session gives it timeouts and retries (:mod:`.patience`)."""
    env = os.environ if environ is None else environ
    section = settings.gitlab_section
    if section:
        try:
            made = gitlab.Gitlab.from_config(section, per_page=100)
        except (gitlab.config.ConfigError, OSError) as error:
            raise ConfigError(f"python-gitlab configuration section {section!r}: {error}") from None
        return made
    url = settings.url or env.get("SOP_SYNC_GITLAB_URL") or env.get("GITLAB_URL")
    variable = "SOP_SYNC_GITLAB_TOKEN" if env.get("SOP_SYNC_GITLAB_TOKEN") else "GITLAB_TOKEN"
    token = env.get(variable, "")
    if not url:
        raise ConfigError("GitLab URL missing: set tracker.url or SOP_SYNC_GITLAB_URL")
    if not token.strip():
        raise ConfigError(
            "GitLab token missing: set SOP_SYNC_GITLAB_TOKEN (or tracker.gitlab_section)"
        )
    token = clean_token(variable, token)
    return gitlab.Gitlab(
        url,
        private_token=token,
        per_page=100,
    )


def open_session(
    settings: GitLabSettings, environ: Mapping[str, str] | None = None
) -> GitLabSession:
    """A session on the project the settings name."""
    if not settings.project:
        raise ConfigError("GitLab project missing: set tracker.project (e.g. diskominfo/sop)")
    return GitLabSession(
        client(settings, environ),
        settings.project,
        group=settings.group,
        hierarchy=settings.hierarchy,
        patience=patience(settings),
    )


def patience(settings: GitLabSettings) -> Patience:
    """The timeouts and the retry budget the settings give."""
    return Patience(
        connect_timeout=settings.connect_timeout_seconds,
        read_timeout=settings.read_timeout_seconds,
        budget=settings.retry_budget_seconds,
    )


def connect(
    settings: GitLabSettings,
    trusted_hosts: frozenset[str] = frozenset(),
    person: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Connection:
    """The GitLab tracker, with GitLab as the code host for repositories and merge requests."""
    session = open_session(settings, environ)
    tracker = GitLabTracker(session)
    return Connection(
        tracker=tracker.acting_as(person) if person else tracker,
        repositories=GitLabRepositories(session, trusted_hosts),
        merge_requests=GitLabMergeRequests(session),
        discussions=GitLabDiscussions(session),
    )


def code_host(
    settings: GitLabSettings,
    trusted_hosts: frozenset[str] = frozenset(),
    environ: Mapping[str, str] | None = None,
) -> tuple[GitLabRepositories, GitLabMergeRequests]:
    """GitLab as the code host of requests kept elsewhere (Jira): repositories and MRs.

    No tracker project is opened: merge requests are listed in ``group`` (else every MR the
    token sees) and repositories inspected by their URLs.
    """
    session = GitLabSession(
        client(settings, environ),
        settings.project or "",
        group=settings.group,
        hierarchy="issue",
        patience=patience(settings),
    )
    return GitLabRepositories(session, trusted_hosts), GitLabMergeRequests(session)
