"""A stateful Jira REST emulator on 127.0.0.1 for the real ``jira`` client (test infrastructure).

Two flavours, as sop-sync meets them: ``cloud`` (REST v2 and v3, ADF on v3, users by
``accountId``, epics through ``parent``, ``/search/jql`` token pages) and ``dc`` (REST v2,
users by ``name``, Epic Name / Epic Link custom fields, ``/search`` offset pages).

Modules: :mod:`.fake` (``FakeJira``: lifecycle, seeding, faults, request log),
:mod:`.server` (routing table, authentication, HTTP), :mod:`.api` (errors, pages, bodies),
:mod:`.state` (data), :mod:`.render` and :mod:`.view` (REST shapes), :mod:`.fields` (writes),
:mod:`.jql` and :mod:`.jql_fields` (the JQL subset), handlers in :mod:`.issues`,
:mod:`.search`, :mod:`.activity`, :mod:`.links` and :mod:`.project`.
"""

from tests.fakes.jira.fake import EMAIL, TOKEN, FakeJira, Logged

__all__ = ["EMAIL", "TOKEN", "FakeJira", "Logged"]
