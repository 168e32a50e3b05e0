"""Request commands: ``open``, ``status``, ``sync``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.app import requests as use
from sop_sync.app.apply import Outcome
from sop_sync.app.enforce import progress
from sop_sync.app.requestfile import RequestFile, load_request_file
from sop_sync.app.sops import find_sop
from sop_sync.cli.options import (
    ConfigOption,
    DryRunOption,
    MappingsOption,
    TrackerOption,
    connected,
    parse_people,
)
from sop_sync.cli.output import console, print_changes, progress_bar, report
from sop_sync.cli.request_tables import overview_table, status_tree
from sop_sync.config import load_settings
from sop_sync.errors import InputError
from sop_sync.model.request import parse_date
from sop_sync.render.tracker import TrackerTexts


def open_command(
    sop_id: Annotated[str, typer.Argument(help="SOP id, e.g. karanganyar (see `sop list`).")],
    judul: Annotated[str | None, typer.Option(help="Title of the application request.")] = None,
    kunci: Annotated[
        str | None, typer.Option(help="Short key [default: derived from the title].")
    ] = None,
    pemohon: Annotated[str | None, typer.Option(help="The requesting agency (PD/OPD).")] = None,
    mulai: Annotated[
        str | None, typer.Option(help="Start date YYYY-MM-DD [default: next working day].")
    ] = None,
    peran: Annotated[
        list[str] | None, typer.Option(help="Person for a role: role-id=username (repeatable).")
    ] = None,
    repo: Annotated[
        str | None, typer.Option(help="The application's source repository URL.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Request file (YAML) with the same fields.")
    ] = None,
    jadwal_ulang: Annotated[
        bool,
        typer.Option(
            "--jadwal-ulang",
            help="Move the start of a request whose work has begun (open steps' dates move).",
        ),
    ] = False,
    dry_run: DryRunOption = False,
    mappings: MappingsOption = None,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Open a request: an epic, one issue per step, labels, phase milestones, links.

    Running it again converges on the same request (found by --kunci, else by SOP and title):
    nothing is duplicated, and what the command does not say is kept.

    Example: sop-sync open karanganyar --judul "Aplikasi Absensi" --pemohon BKD
    --mulai 2026-12-01 --peran analis-sistem=sari --peran tim-pengembang=budi
    """
    settings = load_settings(config, tracker_kind=tracker, mappings=mappings)
    sop = find_sop(settings.mappings_dir, sop_id)
    form = load_request_file(file) if file else RequestFile()
    if form.sop and form.sop != sop_id:
        raise InputError(f"{file} is for SOP {form.sop!r}, not {sop_id!r}")
    overrides = {"judul": judul, "kunci": kunci, "pemohon": pemohon, "repo": repo}
    fields = {k: v for k, v in overrides.items() if v is not None}
    if mulai is not None:
        fields["mulai"] = parse_date(mulai).isoformat()
    form = RequestFile.model_validate({**form.model_dump(by_alias=True), **fields})
    out = console()
    with connected(settings, read_only=dry_run) as connection:
        opened = connection.tracker
        people = parse_people(peran or [])
        request = use.build_request(sop, settings, opened, form, people, reschedule=jadwal_ulang)
        texts = TrackerTexts()
        if dry_run:
            changes = use.pending_changes(opened, sop, request, settings, texts)
            print_changes(out, changes)
            out.print(f"dry run: {len(changes)} changes planned for {request.key}; nothing written")
            return
        with progress_bar(f"opening {request.key}") as advance:
            outcome = use.converge(opened, sop, request, settings, texts, advance)
    report(out, outcome)
    if outcome.ok:
        out.print(f"opened {request.key}: sop-sync status {request.key}")


def status_command(
    kunci: Annotated[
        str | None, typer.Argument(help="Request key [default: all, one line each].")
    ] = None,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Show requests: one line each, or one request as a tree of its steps.

    Example: sop-sync status absensi
    """
    settings = load_settings(config, tracker_kind=tracker)
    out = console()
    with connected(settings, read_only=True) as connection:
        found = progress(connection, settings, kunci, dt.date.today())
    if kunci:
        out.print(status_tree(found[0].progress, found[0].phases))
    elif found:
        out.print(overview_table([status.progress for status in found]))
    else:
        out.print("no requests yet: sop-sync open <sop-id> --judul '...'")
    for duplicate in (d for status in found for d in status.duplicates):
        out.print(f"warning: {duplicate.describe()}", markup=False, highlight=False)


def sync_command(
    kunci: Annotated[
        str | None, typer.Argument(help="Request key [default: every open request].")
    ] = None,
    dry_run: DryRunOption = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Reconcile requests with their SOP files (new steps, changed times, renamed roles).

    Example: sop-sync sync            # every open request
    """
    settings = load_settings(config, tracker_kind=tracker)
    out = console()
    texts = TrackerTexts()
    failed: list[Outcome] = []
    with connected(settings, read_only=dry_run) as connection:
        opened = connection.tracker
        summaries = use.open_requests(opened, kunci)
        with progress_bar("syncing") as advance:
            for summary in summaries:
                if dry_run:
                    request = use.request_of(summary)
                    sop = find_sop(settings.mappings_dir, request.sop_id)
                    changes = use.pending_changes(opened, sop, request, settings, texts)
                    out.print(f"{summary.key}: {len(changes)} changes planned")
                    print_changes(out, changes)
                    continue
                outcome = use.sync_request(opened, summary, settings, texts, advance)
                if outcome.applied:
                    out.print(f"{summary.key}: {len(outcome.applied)} changes applied")
                    print_changes(out, outcome.applied)
                if not outcome.ok:
                    failed.append(outcome)
    out.print(f"{len(summaries)} requests checked")
    for outcome in failed:
        report(out, outcome)


def register(app: typer.Typer) -> None:
    """Add the request commands to the main app."""
    app.command("open")(open_command)
    app.command("status")(status_command)
    app.command("sync")(sync_command)
