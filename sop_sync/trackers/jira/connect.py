"""Connecting to Jira: URL and project from the settings, credentials from the environment.

Cloud: ``SOP_SYNC_JIRA_EMAIL`` and ``SOP_SYNC_JIRA_TOKEN`` (an Atlassian API token), sent as
Basic auth (Atlassian "Basic auth for REST APIs"). Data Center: ``SOP_SYNC_JIRA_TOKEN`` alone,
a personal access token sent as ``Authorization: Bearer`` (DC "Using Personal Access
Tokens"). The token is never written to sop-sync's files or logs. The flavour is read from
``serverInfo`` unless ``tracker.flavour`` says.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import jira

from sop_sync.config import JiraSettings
from sop_sync.errors import ConfigError, TrackerError
from sop_sync.secrets import clean_token
from sop_sync.trackers.base import Connection, MergeRequests, Repositories
from sop_sync.trackers.jira.discussions import JiraDiscussions
from sop_sync.trackers.jira.facade import JiraTracker
from sop_sync.trackers.jira.merge_requests import JiraMergeRequests
from sop_sync.trackers.jira.rest import BACKOFF, guarded, mount_retries
from sop_sync.trackers.jira.session import JiraSession, PersonClient
from sop_sync.trackers.repository import TrustedHosts

Credentials = tuple[str, str] | str
"""``(email, API token)`` for Cloud, or a personal access token for Data Center."""
TIMEOUT = 30


def credentials(environ: Mapping[str, str] | None = None) -> Credentials:
    """The credentials in the environment."""
    env = os.environ if environ is None else environ
    email, token = env.get("SOP_SYNC_JIRA_EMAIL", "").strip(), env.get("SOP_SYNC_JIRA_TOKEN", "")
    if token.strip():
        token = clean_token("SOP_SYNC_JIRA_TOKEN", token)
    else:
        raise ConfigError(
            "Jira token missing: set SOP_SYNC_JIRA_EMAIL and SOP_SYNC_JIRA_TOKEN (Cloud: an "
            "API token) or SOP_SYNC_JIRA_TOKEN alone (Data Center: a personal access token)"
        )
    return (email, token) if email else token


def client(
    url: str, secret: Credentials, *, workers: int = 16, backoff: float = BACKOFF
) -> jira.JIRA:
    """A ``jira`` client with sop-sync's retries; it sends nothing until used."""
    auth: dict[str, Any] = (
        {"basic_auth": secret} if isinstance(secret, tuple) else {"token_auth": secret}
    )
    made: jira.JIRA = guarded(
        f"connecting to {url}",
        lambda: jira.JIRA(url, get_server_info=False, max_retries=0, timeout=TIMEOUT, **auth),
    )
    mount_retries(made, workers, backoff)
    return made


def open_session(
    settings: JiraSettings,
    environ: Mapping[str, str] | None = None,
    person_client: PersonClient | None = None,
) -> JiraSession:
    """A session on the project the settings name."""
    if not settings.url:
        raise ConfigError("Jira URL missing: set tracker.url or SOP_SYNC_JIRA_URL")
    if not settings.project:
        raise ConfigError("Jira project missing: set tracker.project or SOP_SYNC_JIRA_PROJECT")
    return JiraSession(
        client(settings.url, credentials(environ)),
        settings.project,
        flavour=settings.flavour,
        epic_type=settings.epic_type,
        step_type=settings.step_type,
        accounts=dict(settings.accounts),
        person_client=person_client,
    )


def connect(
    settings: JiraSettings,
    trusted_hosts: frozenset[str] = frozenset(),
    person: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    code_host: tuple[Repositories, MergeRequests] | None = None,
) -> Connection:
    """The Jira tracker, and where its requests' code is.

    With ``code_host`` (GitLab), that host inspects repositories and serves the merge
    requests; without, repositories on trusted hosts count as open and others unverifiable.
    """
    if person is not None:
        raise TrackerError(
            "Jira cannot act as another person (its API has no impersonation): "
            "people act in Jira itself"
        )
    session = open_session(settings, environ)
    return Connection(
        tracker=JiraTracker(session),
        repositories=code_host[0] if code_host else TrustedHosts(trusted_hosts),
        # Jira keys named by an MR -> request; listing and re-running MRs on the code host
        merge_requests=JiraMergeRequests(session, code_host[1] if code_host else None),
        discussions=JiraDiscussions(session),
    )
