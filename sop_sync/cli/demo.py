"""``sop-sync demo``: the product end to end on a fresh local tracker (``make run``)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.app.enforce import progress
from sop_sync.app.requestfile import RequestFile
from sop_sync.app.requests import build_request, converge
from sop_sync.app.sops import find_sop
from sop_sync.cli.options import connected, parse_people
from sop_sync.cli.output import console, report
from sop_sync.cli.request_tables import status_tree
from sop_sync.config import load_settings
from sop_sync.errors import InputError
from sop_sync.model.changes import Attach, Change, Close, Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.trackers.factory import connect

DEMO_PEOPLE = (
    "analis-sistem=sari",
    "tim-pengembang=budi",
    "seksi-psi=andi",
    "pd-pengampu=dewi",
    "seksi-egov=eko",
)


def demo_command(
    folder: Annotated[
        Path | None,
        typer.Option(help="Folder for the demo tracker [default: a new temporary folder]."),
    ] = None,
) -> None:
    """Run the product end to end on a fresh local tracker and print the status tree.

    Opens a sample request on the Karanganyar SOP, walks a few steps as different people,
    attaches a DFD, and shows where the request stands.

    Example: sop-sync demo --folder /tmp/sop-demo
    """
    base = folder or Path(tempfile.mkdtemp(prefix="sop-sync-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    db = base / "tracker.db"
    if db.exists():
        raise InputError(f"{db} exists: give an empty --folder for a fresh demo")
    out = console()
    out.print(f"demo tracker: {db}")
    settings = load_settings(environ={"SOP_SYNC_DB": str(db), "SOP_SYNC_TRACKER": "local"})
    sop = find_sop(settings.mappings_dir, "karanganyar")
    form = RequestFile.model_validate(
        {
            "judul": "Aplikasi Absensi Pegawai",
            "kunci": "absensi",
            "pemohon": "Badan Kepegawaian Daerah",
            "mulai": "2026-12-01",
            "repo": "https://git.karanganyarkab.go.id/bkd/absensi",
        }
    )
    dfd = base / "absensi-dfd.png"
    dfd.write_bytes(b"\x89PNG demo DFD")
    walk: list[tuple[Change, str]] = [
        (
            Comment(Ref("absensi", 1), "Kebutuhan aplikasi sudah diidentifikasi bersama BKD."),
            "andi",
        ),
        (Close(Ref("absensi", 1)), "andi"),
        (Close(Ref("absensi", 2)), "andi"),
        (Close(Ref("absensi", 3)), "andi"),
        (Attach(Ref("absensi", 7), dfd.name, dfd.read_bytes()), "sari"),
    ]
    with connected(settings) as connection:
        tracker = connection.tracker
        request = build_request(sop, settings, tracker, form, parse_people(list(DEMO_PEOPLE)))
        report(out, converge(tracker, sop, request, settings, TrackerTexts()))
        for change, actor in walk:
            person = connect(settings, actor)
            try:
                person.tracker.apply(change)
            finally:
                person.close()
            out.print(f"  {actor}: {change.describe()}", markup=False, highlight=False)
        found = progress(connection, settings, "absensi", dt.date.today())
    out.print(status_tree(found[0].progress, found[0].phases))
    out.print(f"try: SOP_SYNC_DB={db} sop-sync status absensi")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the main app."""
    app.command("demo")(demo_command)
