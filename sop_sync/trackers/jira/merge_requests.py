"""The gate's merge requests when the requests are kept in Jira and the code on GitLab.

An MR names its request with a ``SOP: <kunci>`` line or a Jira key (``APL-12``) in its title,
description or source branch; all three are CI variables of the merge-request pipeline, so the
gate job itself needs no GitLab API at all: only the Jira key's request, read from the issue's
``sop-sync`` property (Cloud OpenAPI ``GET /rest/api/3/issue/{issueIdOrKey}/properties/
{propertyKey}``, getIssueProperty; DC the same under v2). Listing, re-running and commenting
on MRs (the service's part) go to a GitLab code host when one is given.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from jira.exceptions import JIRAError

from sop_sync.errors import ConfigError
from sop_sync.trackers.base import MergeRequestRef, MergeRequests
from sop_sync.trackers.jira import read
from sop_sync.trackers.jira.marker import PROPERTY, from_json
from sop_sync.trackers.jira.session import JiraSession


class JiraMergeRequests:
    """Jira keys an MR names -> requests; the rest through the GitLab code host, if any."""

    def __init__(self, session: JiraSession, code_host: MergeRequests | None = None) -> None:
        self.session = session
        self.code_host = code_host

    def _host(self, doing: str) -> MergeRequests:
        if self.code_host is None:
            raise ConfigError(
                f"{doing} needs a GitLab code host; with requests in Jira and none configured, "
                "the gate job reads the MR from its CI variables only"
            )
        return self.code_host

    def request_key(self, project: str, iid: int) -> str | None:
        """The request the MR itself names (only through a GitLab code host)."""
        return self.code_host.request_key(project, iid) if self.code_host else None

    def request_of_issue(self, issue: str) -> str | None:
        """The request whose epic or step issue ``issue`` is (None: no such issue of ours)."""
        path = f"issue/{issue}/properties/{PROPERTY}"

        def read() -> Any:
            try:
                return self.session.rest.get(path)
            except JIRAError as error:
                if error.status_code == 404:  # no such issue, or no marker: not sop-sync's
                    return None
                raise

        found = self.session.call(f"reading issue {issue}", read)
        marker = from_json(found.get("value")) if isinstance(found, dict) else None
        return marker.key if marker is not None else None

    def open_for(self, key: str, *, issue_keys: Collection[str] = ()) -> list[MergeRequestRef]:
        """The open MRs naming the request or its Jira keys (none known without a code host).

        MRs name a Jira request by its issues' keys: the epic's and the steps' are read here
        (one search, no history) and added to ``issue_keys``.
        """
        if self.code_host is None:
            return []
        observed = read.observe(self.session, key, history=False)
        issues = [observed.epic, *observed.steps.values()]
        own = [issue.tracker_id for issue in issues if issue is not None]
        return self.code_host.open_for(key, issue_keys=(*issue_keys, *own))

    def rerun(self, mr: MergeRequestRef) -> None:
        """Re-run the gate on the code host."""
        self._host("re-running the gate").rerun(mr)

    def explain(self, project: str, iid: int, text: str) -> bool:
        """Explain the ``SOP:`` line on the code host (False without one: nothing posted)."""
        if self.code_host is None:
            return False
        return self.code_host.explain(project, iid, text)
