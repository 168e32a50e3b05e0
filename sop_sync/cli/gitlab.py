"""``sop-sync gitlab setup``: prepare a GitLab project for sop-sync."""

from __future__ import annotations

from typing import Annotated

import typer

from sop_sync.cli.options import ConfigOption
from sop_sync.cli.output import console
from sop_sync.config import GitLabSettings, load_settings
from sop_sync.errors import InputError
from sop_sync.resources import request_template
from sop_sync.secrets import WEBHOOK_SECRET, webhook_secret, webhook_signing_token
from sop_sync.sop.loader import load_sop, sop_files

gitlab_app = typer.Typer(
    help="GitLab: prepare a project for sop-sync (labels, webhook, template).", no_args_is_help=True
)


@gitlab_app.command("setup")
def gitlab_setup(
    project: Annotated[str, typer.Argument(help="Project path, e.g. diskominfo/aplikasi.")],
    group: Annotated[str | None, typer.Option(help="Group of the project (for epics).")] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Register the project webhook to this URL.")
    ] = None,
    issue_template: Annotated[
        bool,
        typer.Option(
            "--issue-template",
            help="Commit the request template to .gitlab/issue_templates/ (default branch).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Create the labels, turn on "Pipelines must succeed", register the webhook. Idempotent.

    With --issue-template, also install the request template ("Permohonan Aplikasi") that
    `/sop buka <sop-id>` opens requests from (committed only when it differs).

    The webhook secret comes from SOP_SYNC_WEBHOOK_SECRET (never from a file or an option);
    GitLab's signing token, if you use one, from SOP_SYNC_WEBHOOK_SIGNING_TOKEN.

    Example: SOP_SYNC_WEBHOOK_SECRET=... sop-sync gitlab setup diskominfo/aplikasi
    --webhook-url https://sop.diskominfo.go.id/hook
    """
    # python-gitlab is loaded only when a GitLab command runs
    from sop_sync.trackers.gitlab.connect import open_session
    from sop_sync.trackers.gitlab.setup import setup_project

    settings = load_settings(config, tracker_kind="gitlab")
    assert isinstance(settings.tracker, GitLabSettings)  # noqa: S101 - tracker_kind says so
    tracker_settings = settings.tracker.model_copy(
        update={"project": project, "group": group or settings.tracker.group}
    )
    secret = webhook_secret()
    if webhook_url and not secret:
        raise InputError(f"--webhook-url needs the secret in {WEBHOOK_SECRET}")
    sops = [load_sop(path) for path in sop_files([settings.mappings_dir])]
    template = request_template().read_text(encoding="utf-8") if issue_template else None
    signing = webhook_signing_token()
    if signing:
        from sop_sync.service.web import signing_key_of

        signing_key_of(signing)  # a malformed one is refused here, not by GitLab
    done = setup_project(
        open_session(tracker_settings), sops, webhook_url, secret, template, signing
    )
    out = console()
    for line in done:
        out.print(f"  {line}", markup=False, highlight=False)
    out.print(f"{project}: {len(done)} changes" if done else f"{project}: already set up")


def register(app: typer.Typer) -> None:
    """Add the ``gitlab`` group to the main app."""
    app.add_typer(gitlab_app, name="gitlab")
