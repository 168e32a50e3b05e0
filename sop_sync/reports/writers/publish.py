"""Publishing the Markdown report: one GitLab wiki page, updated in place; elsewhere a file.

GitLab (doc/api/wikis.md): the page is read by its slug; created when missing, written when
its content or title differ, left alone when they are the same, so publishing again changes
nothing. Other trackers (local, Jira) have no wiki sop-sync writes to: the page is written to
a file instead, and the caller says where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sop_sync.config import GitLabSettings, Settings
from sop_sync.errors import ConfigError, TrackerError

PAGE_TITLE = "Laporan SOP"
_UNSAFE_TITLE = re.compile(r"[^A-Za-z0-9 ]+")


class WikiPages(Protocol):
    """What python-gitlab's ``project.wikis`` offers (a test may pass its own)."""

    def get(self, id: str, **kwargs: Any) -> Any:
        """The page with slug ``id`` (raises when there is none)."""
        ...

    def create(self, data: dict[str, Any], **kwargs: Any) -> Any:
        """A new page."""
        ...


@dataclass(frozen=True)
class Published:
    """Where the report went and whether anything was written."""

    where: str
    changed: bool


def page_title(*parts: str | None) -> str:
    """``Laporan SOP`` plus the report's filters, in letters, digits and spaces only.

    A slash would put the page in a folder; GitLab derives the slug from the title.
    """
    extra = [" ".join(_UNSAFE_TITLE.sub(" ", part).split()) for part in parts if part]
    return " ".join([PAGE_TITLE, *(e for e in extra if e)])


def slug_of(title: str) -> str:
    """GitLab's slug of a wiki page title: spaces become ``-``."""
    return title.strip().replace(" ", "-")


def publish_wiki(wikis: WikiPages, title: str, content: str) -> bool:
    """Create or update the page ``title``; True when something was written."""
    import gitlab.exceptions  # the local tracker never loads python-gitlab

    try:
        page = wikis.get(slug_of(title))
    except gitlab.exceptions.GitlabGetError as error:
        if error.response_code != 404:
            raise TrackerError(f"reading wiki page {title!r}: {error}") from None
        page = None
    try:
        if page is None:
            wikis.create({"title": title, "content": content, "format": "markdown"})
            return True
        if page.content == content and page.title == title:
            return False
        page.content, page.title = content, title
        page.save()
    except gitlab.exceptions.GitlabError as error:
        raise TrackerError(f"writing wiki page {title!r}: {error}") from None
    return True


def publish(settings: Settings, title: str, content: str, fallback: Path) -> Published:
    """Publish to the configured GitLab project's wiki, else write ``fallback``."""
    tracker = settings.tracker
    if not isinstance(tracker, GitLabSettings):
        fallback.parent.mkdir(parents=True, exist_ok=True)
        before = fallback.read_text(encoding="utf-8") if fallback.is_file() else None
        if before != content:
            fallback.write_text(content, encoding="utf-8")
        return Published(str(fallback), before != content)
    if not tracker.project:
        raise ConfigError("GitLab project missing: set tracker.project (e.g. diskominfo/sop)")
    import gitlab.exceptions  # only when publishing to GitLab
    import requests

    from sop_sync.trackers.gitlab.connect import client

    gl = client(tracker)
    try:
        project = gl.projects.get(tracker.project)
    except (gitlab.exceptions.GitlabError, requests.RequestException) as error:
        raise TrackerError(f"opening project {tracker.project!r}: {error}") from None
    changed = publish_wiki(project.wikis, title, content)
    return Published(f"{project.web_url}/-/wikis/{slug_of(title)}", changed)
