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

from sop_sync.config import Settings
from sop_sync.errors import ConfigError
from sop_sync.trackers.gitlab import GitLabTracker

RETRIES = 6


def client(settings: Settings, environ: Mapping[str, str] | None = None) -> gitlab.Gitlab:
    """A python-gitlab client that retries transient errors and obeys rate limits."""
    env = os.environ if environ is None else environ
    section = settings.tracker.gitlab_section
    if section:
        try:
            made = gitlab.Gitlab.from_config(section, per_page=100)
        except (gitlab.config.ConfigError, OSError) as error:
            raise ConfigError(f"python-gitlab configuration section {section!r}: {error}") from None
        made.retry_transient_errors = True
        return made
    url = settings.tracker.url or env.get("SOP_SYNC_GITLAB_URL") or env.get("GITLAB_URL")
    token = env.get("SOP_SYNC_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")
    if not url:
        raise ConfigError("GitLab URL missing: set tracker.url or SOP_SYNC_GITLAB_URL")
    if not token:
        raise ConfigError(
            "GitLab token missing: set SOP_SYNC_GITLAB_TOKEN (or tracker.gitlab_section)"
        )
    return gitlab.Gitlab(
        url,
        private_token=token,
        retry_transient_errors=True,
        timeout=30,
        per_page=100,
    )


def open_gitlab(settings: Settings, environ: Mapping[str, str] | None = None) -> GitLabTracker:
    """The GitLab tracker the settings describe."""
    project = settings.tracker.project
    if not project:
        raise ConfigError("GitLab project missing: set tracker.project (e.g. diskominfo/sop)")
    return GitLabTracker(
        client(settings, environ),
        project,
        group=settings.tracker.group,
        hierarchy=settings.tracker.hierarchy,
        trusted_hosts=frozenset(settings.trusted_hosts),
    )
