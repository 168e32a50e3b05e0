"""``sop-sync serve`` and ``sop-sync service ...``: the sync service and its inbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.cli.options import ConfigOption, TrackerOption
from sop_sync.cli.output import console
from sop_sync.config import Settings, load_settings
from sop_sync.secrets import mask_url

HostOption = Annotated[
    str | None, typer.Option("--host", help="Address to listen on (default: service.host).")
]
PortOption = Annotated[
    int | None, typer.Option("--port", help="Port to listen on (default: service.port).")
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=0, max=64, help="Worker threads (default: service.workers)."),
]


def serve_command(
    host: HostOption = None,
    port: PortOption = None,
    workers: WorkersOption = None,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Run the sync service: webhooks from GitLab and Jira enforce the SOP as people work.

    Listens on POST /hooks/gitlab and /hooks/jira (secret in SOP_SYNC_WEBHOOK_SECRET), GET
    /healthz and /metrics. Events are stored in the inbox (service.inbox: a SQLite file, or
    postgresql://... for several hosts) before they are acknowledged; worker threads reconcile
    each named request as `check --fix` does. Stop with Ctrl-C or SIGTERM.

    Example: SOP_SYNC_WEBHOOK_SECRET=... sop-sync serve --tracker gitlab --port 8080
    """
    from sop_sync.service.runner import serve

    settings = load_settings(config, tracker_kind=tracker)
    service = settings.service
    serve(
        settings,
        host=host or service.host,
        port=port or service.port,
        workers=service.workers if workers is None else workers,
    )


service_app = typer.Typer(help="The sync service's inbox: status, reconcile, workers, retry.")


@service_app.command("status")
def status_command(config: ConfigOption = None) -> None:
    """Show the inbox: jobs waiting, running and parked, and the oldest wait.

    Example: sop-sync service status
    """
    from sop_sync.service.inbox import POSTGRES_SCHEMES
    from sop_sync.service.runner import inbox_of

    settings = load_settings(config)
    where = settings.service.inbox
    out = console()
    if not where.lower().startswith(POSTGRES_SCHEMES) and not Path(where).exists():
        out.print(f"inbox {where}: not created yet (no service has run here)", markup=False)
        return
    inbox = inbox_of(settings)
    try:
        stats = inbox.stats()
        parked = inbox.parked()
    finally:
        inbox.close()
    out.print(f"inbox {mask_url(settings.service.inbox)}", markup=False, highlight=False)
    out.print(
        f"  pending {stats.pending} (running {stats.running}), parked {stats.parked}, "
        f"oldest waiting {stats.oldest_pending_age:.0f} s",
        markup=False,
    )
    out.print(
        f"  processed {stats.processed}, failed attempts {stats.failed}, "
        f"deliveries remembered {stats.deliveries}",
        markup=False,
    )
    for job in parked:
        since = dt.datetime.fromtimestamp(job.since, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        out.print(
            f"  PARKED {job.job} after {job.attempts} attempts (since {since}): {job.error}",
            markup=False,
            highlight=False,
        )
    if parked:
        out.print("  retry with: sop-sync service retry [JOB]", markup=False)


@service_app.command("reconcile")
def reconcile_command(
    workers: Annotated[int, typer.Option("--workers", min=1, max=16)] = 1,
    enqueue_only: Annotated[
        bool, typer.Option("--enqueue-only", help="Only enqueue; the running service works.")
    ] = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Reconcile every open request once (what the service does every N minutes).

    Example: sop-sync service reconcile --tracker gitlab
    """
    from sop_sync.service.runner import reconcile_once

    settings = load_settings(config, tracker_kind=tracker)
    count = reconcile_once(settings, workers=workers, enqueue_only=enqueue_only)
    verb = "enqueued" if enqueue_only else "reconciled"
    console().print(f"{count} open requests {verb}", markup=False)


@service_app.command("worker")
def worker_command(
    workers: WorkersOption = None,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Run workers only (no web server): scale out on a shared PostgreSQL inbox.

    Example: SOP_SYNC_INBOX=postgresql://sop@db/sop sop-sync service worker --workers 4
    """
    from sop_sync.service.runner import run_workers

    settings = load_settings(config, tracker_kind=tracker)
    run_workers(settings, settings.service.workers if workers is None else workers)


@service_app.command("retry")
def retry_command(
    job: Annotated[str | None, typer.Argument(help="Job key (default: every parked job).")] = None,
    config: ConfigOption = None,
) -> None:
    """Make parked jobs due again.

    Example: sop-sync service retry request:absensi
    """
    from sop_sync.service.runner import inbox_of

    settings: Settings = load_settings(config)
    inbox = inbox_of(settings)
    try:
        count = inbox.retry_parked(job)
    finally:
        inbox.close()
    console().print(f"{count} parked jobs due again", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``service`` group to the main app."""
    app.command("serve")(serve_command)
    app.add_typer(service_app, name="service")
