"""``sop-sync jira setup``: check a Jira project and say what an admin must change."""

from __future__ import annotations

from typing import Annotated

import typer

from sop_sync.cli.options import ConfigOption
from sop_sync.cli.output import console
from sop_sync.config import JiraSettings, load_settings
from sop_sync.errors import ViolationError

jira_app = typer.Typer(help="Jira: check a project for sop-sync.", no_args_is_help=True)


@jira_app.command("setup")
def jira_setup(
    project: Annotated[
        str | None, typer.Argument(help="Project key, e.g. APL [default: tracker.project].")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Check a Jira project for sop-sync, changing nothing.

    Checks the Epic and step types, the Epic fields (Data Center), the "Blocks" link type,
    the permissions and the transitions. Exit code 1 with one line per thing a Jira admin
    must change.

    Example: SOP_SYNC_JIRA_URL=https://jira.dinas.go.id SOP_SYNC_JIRA_TOKEN=...
    sop-sync jira setup APL
    """
    # the jira library is loaded only when a Jira command runs
    from sop_sync.trackers.jira.connect import open_session
    from sop_sync.trackers.jira.setup import setup_project

    settings = load_settings(config, tracker_kind="jira")
    assert isinstance(settings.tracker, JiraSettings)  # noqa: S101 - tracker_kind says so
    tracker_settings = settings.tracker
    if project:
        tracker_settings = tracker_settings.model_copy(update={"project": project})
    todo = setup_project(open_session(tracker_settings))
    out = console()
    if not todo:
        out.print(f"{tracker_settings.project}: ready for sop-sync")
        return
    for line in todo:
        out.print(f"  - {line}", markup=False, highlight=False)
    raise ViolationError(
        f"{tracker_settings.project}: {len(todo)} things to change before sop-sync can run here"
    )


def register(app: typer.Typer) -> None:
    """Add the ``jira`` group to the main app."""
    app.add_typer(jira_app, name="jira")
