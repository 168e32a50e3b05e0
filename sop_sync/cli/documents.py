"""``sop-sync dokumen``: a request's paperwork (KAK, Berita Acara) as DOCX, PDF, Markdown."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.app.documents import Produced, produce
from sop_sync.cli.options import ConfigOption, TrackerOption, connected
from sop_sync.cli.output import console
from sop_sync.config import load_settings
from sop_sync.errors import InputError, TrackerError, ViolationError
from sop_sync.sop.model import DocumentKind


class Format(enum.Enum):
    """The file formats ``--format`` names."""

    DOCX = "docx"
    PDF = "pdf"
    MD = "md"


def dokumen(
    jenis: Annotated[DocumentKind, typer.Argument(help="Which document.", show_default=False)],
    kunci: Annotated[str, typer.Argument(help="Request key.", show_default=False)],
    formats: Annotated[
        list[Format] | None,
        typer.Option("--format", help="docx, pdf or md; repeat for several [default: all]."),
    ] = None,
    keluar: Annotated[
        Path, typer.Option("--keluar", help="Folder to write the files to.")
    ] = Path(),
    lampirkan: Annotated[
        bool,
        typer.Option(
            "--lampirkan",
            help="Attach the files to the step that produces the document, replacing the "
            "earlier version (an unchanged document is not attached twice).",
        ),
    ] = False,
    ketat: Annotated[
        bool,
        typer.Option(
            "--ketat", help="Exit 1 (and attach nothing) while anything is still missing."
        ),
    ] = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Write a request's KAK or Berita Acara from the tracker's data.

    The number is given once (from the agency's pattern) and kept in the request; missing
    data shows in the document as [belum diisi: ...] and is listed here.

    Example: sop-sync dokumen berita-acara-uat absensi --format pdf --lampirkan
    """
    chosen = [f.value for f in dict.fromkeys(formats or list(Format))]
    if keluar.exists() and not keluar.is_dir():
        raise InputError(f"--keluar {keluar}: not a folder")
    settings = load_settings(config, tracker_kind=tracker)
    with connected(settings) as connection:
        made = produce(
            connection.tracker,
            settings,
            settings.documents,
            jenis,
            kunci,
            chosen,
            dt.date.today(),
            attach=lampirkan,
            strict=ketat,
            discussions=connection.discussions,
        )
    keluar.mkdir(parents=True, exist_ok=True)
    for name, content in made.files.items():
        (keluar / name).write_bytes(content)
    _report(made, keluar)
    if ketat and made.missing:
        raise ViolationError(
            f"{jenis.value} {kunci}: {len(made.missing)} isian belum diisi (--ketat)"
        )


def _report(made: Produced, folder: Path) -> None:
    out = console()
    document = made.document
    number = "".join(run.text for run in document.number)
    given = " (given now, kept in the request)" if made.new_number else ""
    out.print(f"{document.kind.value} {document.key}: {number}{given}", markup=False)
    for name in made.files:
        out.print(f"  written: {folder / name}", markup=False, highlight=False)
    if made.attached is not None:
        for change in made.attached.changes:
            out.print(f"  attached to step {document.step}: {change.filename}", markup=False)
        for name in made.attached.present:
            out.print(f"  already attached (same bytes): {name}", markup=False)
        detached = {change.filename for change in made.detached}
        for old in made.attached.superseded:
            done = "detached" if old.filename in detached else "still attached (re-run)"
            out.print(f"  earlier version {done}: {old.filename}", markup=False)
    if made.source_problem:
        out.print(f"  {made.source_problem}", markup=False, highlight=False)
    if made.held_back:
        out.print("  not attached: data is missing (--ketat)", markup=False)
    if made.missing:
        out.print(f"  missing ({len(made.missing)}): belum diisi —", markup=False)
        for label in made.missing:
            out.print(f"    - {label}", markup=False, highlight=False)
    if made.outcome is not None and made.outcome.failures:
        lines = [f"{c.describe()}: {m}" for c, m in made.outcome.failures]
        raise TrackerError("\n".join(["some attachments failed (re-run to retry):", *lines]))


def register(app: typer.Typer) -> None:
    """Add ``dokumen`` to the main app."""
    app.command("dokumen")(dokumen)
