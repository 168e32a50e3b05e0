"""The typer app: every command group, registered in one place.

Imported by :func:`sop_sync.cli.run` when a command runs, after :func:`sop_sync.cli.main`
has taken over Ctrl-C (importing the commands takes a noticeable part of a run).
"""

from __future__ import annotations

import typer

from sop_sync.cli import (
    demo,
    documents,
    enforce,
    gitlab,
    issue,
    jira,
    reports,
    requests,
    service,
    sop,
)

app = typer.Typer(
    help="Run an application-development SOP (SOP AP) inside your issue tracker.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for group in (sop, requests, enforce, issue, documents, reports, demo, gitlab, jira, service):
    group.register(app)
