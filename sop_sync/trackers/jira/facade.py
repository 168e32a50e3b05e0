"""The Jira tracker (Cloud and Data Center) through the ``jira`` library, REST v2.

Mapping (DESIGN.md "Tracker mapping"): a request is an Epic (the project's level-1 type on
Cloud, the Epic type on DC); each step a standard issue in it (Cloud ``parent``, DC Epic
Link); order "Blocks" links; roles, phases and steps labels without spaces; the phase
timeline project versions (start and release dates); due dates ``duedate``; the marker an
issue property plus finder labels (:mod:`.marker`); texts in wiki markup (:mod:`.markup`).
The session (:mod:`.session`) holds the client and the run's cache; :mod:`.read` and
:mod:`.write` use it.
"""

from __future__ import annotations

import jira

from sop_sync.model.changes import Change
from sop_sync.model.tracker import Capabilities, ObservedRequest, RequestSummary
from sop_sync.trackers.jira import read
from sop_sync.trackers.jira.session import JiraSession, PersonClient, Write
from sop_sync.trackers.jira.write import HANDLERS


class JiraTracker:
    """The tracker protocol on one Jira project."""

    def __init__(self, session: JiraSession, person: str | None = None) -> None:
        self.session = session
        self._write = Write(session, session.writer(person), person)

    @classmethod
    def on_client(
        cls,
        client: jira.JIRA,
        project: str,
        *,
        flavour: str = "auto",
        workers: int = 16,
        epic_type: str | None = None,
        step_type: str | None = None,
        accounts: dict[str, str] | None = None,
        person_client: PersonClient | None = None,
    ) -> JiraTracker:
        """The tracker on ``project`` through a client (see :func:`.connect.client`)."""
        session = JiraSession(
            client,
            project,
            flavour=flavour,
            workers=workers,
            epic_type=epic_type,
            step_type=step_type,
            accounts=accounts,
            person_client=person_client,
        )
        return cls(session)

    @property
    def capabilities(self) -> Capabilities:
        """Epics, Blocks links, bare labels without spaces, wiki markup, bulk creation."""
        return self.session.capabilities

    def acting_as(self, person: str) -> JiraTracker:
        """The same tracker writing as ``person`` (needs that person's credentials)."""
        return JiraTracker(self.session, person)

    def requests(self) -> list[RequestSummary]:
        """Every request, from the epics' markers."""
        return read.requests(self.session)

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """The request's objects; comments, attachments and events only with ``history``."""
        return read.observe(self.session, key, history=history)

    def apply(self, change: Change) -> None:
        """Carry out one change through its handler."""
        HANDLERS[type(change)](self._write, change)

    def ping(self) -> None:
        """One cheap authenticated call (``myself``): raises when Jira cannot be used."""
        self.session.call("checking Jira", lambda: self.session.rest.get("myself"))

    def own_accounts(self) -> frozenset[str]:
        """The account id (Cloud) or name and key (Data Center) sop-sync writes as."""
        me = self.session.me()
        found = {str(me.get(field) or "") for field in ("accountId", "name", "key")}
        return frozenset(found - {""})

    def close(self) -> None:
        """Stop the session's worker threads."""
        self.session.close()
