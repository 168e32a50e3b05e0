"""``sop-sync jira setup``: check a Jira project and say what an admin must change."""

from __future__ import annotations

from typing import Annotated

import typer

from sop_sync.cli.options import ConfigOption
from sop_sync.cli.output import console
from sop_sync.config import JiraSettings, load_settings
from sop_sync.errors import InputError, ViolationError
from sop_sync.secrets import WEBHOOK_SECRET, webhook_secret

jira_app = typer.Typer(
    help="Jira: check a project for sop-sync, register its webhook.", no_args_is_help=True
)


@jira_app.command("setup")
def jira_setup(
    project: Annotated[
        str | None, typer.Argument(help="Project key, e.g. APL [default: tracker.project].")
    ] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option(help="Register the admin webhook to this URL (needs a Jira admin)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Check a Jira project for sop-sync; with --webhook-url, register the webhook too.

    Checks the Epic and step types, the Epic fields (Data Center), the "Blocks" link type,
    the permissions and the transitions. Exit code 1 with one line per thing a Jira admin
    must change. --webhook-url registers (or corrects) the webhook of the project's issue and
    comment events, signed with the secret in SOP_SYNC_WEBHOOK_SECRET (never from a file or
    an option); an account that is not a Jira admin gets the steps for an admin instead.

    Example: SOP_SYNC_JIRA_URL=https://jira.dinas.go.id SOP_SYNC_JIRA_TOKEN=...
    SOP_SYNC_WEBHOOK_SECRET=... sop-sync jira setup APL
    --webhook-url https://sop.dinas.go.id/hook/jira
    """
    # the jira library is loaded only when a Jira command runs
    from sop_sync.trackers.jira.connect import open_session
    from sop_sync.trackers.jira.setup import register_webhook, setup_project

    settings = load_settings(config, tracker_kind="jira")
    assert isinstance(settings.tracker, JiraSettings)  # noqa: S101 - tracker_kind says so
    tracker_settings = settings.tracker
    if project:
        tracker_settings = tracker_settings.model_copy(update={"project": project})
    secret = webhook_secret()
    if webhook_url and not secret:
        raise InputError(f"--webhook-url needs the secret in {WEBHOOK_SECRET}")
    session = open_session(tracker_settings)
    todo = setup_project(session)
    out = console()
    steps: tuple[str, ...] = ()
    if webhook_url and secret:
        outcome = register_webhook(session, webhook_url, secret)
        if outcome.done:
            out.print(f"  {outcome.done}", markup=False, highlight=False)
        steps = outcome.steps
    if not todo and not steps:
        out.print(f"{tracker_settings.project}: ready for sop-sync")
        return
    for line in todo:
        out.print(f"  - {line}", markup=False, highlight=False)
    for n, line in enumerate(steps):  # the webhook an admin registers: one thing, its steps
        out.print(f"  - {line}" if n == 0 else f"      {line}", markup=False, highlight=False)
    count = len(todo) + bool(steps)
    raise ViolationError(
        f"{tracker_settings.project}: {count} things to change before sop-sync can run here"
    )


def register(app: typer.Typer) -> None:
    """Add the ``jira`` group to the main app."""
    app.add_typer(jira_app, name="jira")
