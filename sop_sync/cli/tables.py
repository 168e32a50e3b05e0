"""Rich renderings of SOPs and schedules for the terminal (no logic, only layout)."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sop_sync.schedule.timeline import Schedule
from sop_sync.sop.model import Sop


def moment(value: dt.datetime | None) -> str:
    """``01-12-2026 07:30``; a dash for "no due" (ongoing steps)."""
    if value is None:
        return "—"
    return f"{value:%d-%m-%Y %H:%M}"


def _lines(items: tuple[str, ...]) -> str:
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1)) or "—"


def sop_identity(sop: Sop) -> Table:
    """The SOP AP identity page as a two-column table."""
    table = Table(title="\n".join(sop.agency), show_header=False, expand=False)
    table.add_column(style="bold")
    table.add_column()
    approver = sop.approved_by
    signed = " — ".join(x for x in (approver.office, approver.name, approver.nip) if x)
    rows = [
        ("Nomor SOP", sop.number or "—"),
        ("Tgl. Pembuatan", sop.dates.created or "—"),
        ("Tgl. Revisi", sop.dates.revised or "—"),
        ("Tgl. Efektif", sop.dates.effective or sop.dates.ratified or "—"),
        ("Disahkan oleh", signed or "—"),
        ("Nama SOP", sop.name),
        ("Dasar Hukum", _lines(sop.legal_basis)),
        ("Kualifikasi Pelaksana", _lines(sop.qualifications)),
        ("Keterkaitan", _lines(sop.related)),
        ("Peralatan/Perlengkapan", _lines(sop.equipment)),
        ("Peringatan", _lines(sop.warnings)),
        ("Pencatatan dan Pendataan", _lines(sop.records)),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


def sop_procedure(sop: Sop) -> Table:
    """The procedure table: one column per role with a mark, then the Mutu Baku."""
    table = Table(title=f"Prosedur {sop.name}", show_lines=True)
    table.add_column("No", justify="right")
    table.add_column("Kegiatan", ratio=3)
    for role in sop.roles:
        table.add_column(role.name, justify="center")
    for header in ("Kelengkapan", "Waktu", "Output", "Keterangan"):
        table.add_column(header, ratio=1)
    for step in sop.steps:
        marks = ["●" if role.id in step.roles else "" for role in sop.roles]
        remarks = [step.remarks or ""]
        if step.decision is not None:
            d = step.decision
            remarks.append(f"{d.question} Ya → {d.yes}; Tidak → {d.no}")
        if step.correction is not None:
            remarks.append(f"Koreksi → langkah {step.correction.to}")
        table.add_row(
            str(step.number),
            step.activity,
            *marks,
            "\n".join(step.inputs) or "—",
            step.time.display(),
            step.output or "—",
            "\n".join(r for r in remarks if r) or "",
        )
    return table


def sop_card(sop: Sop) -> RenderableType:
    """Identity page and procedure table together."""
    return Group(sop_identity(sop), Text(""), sop_procedure(sop))


def schedule_table(plan: Schedule) -> Table:
    """One row per step on the path: no, kegiatan, pelaksana, waktu, start, due, fase."""
    table = Table(title=f"Jadwal {plan.sop.name}")
    table.add_column("No", justify="right", no_wrap=True)
    table.add_column("Kegiatan", ratio=4)
    table.add_column("Pelaksana", ratio=2)
    table.add_column("Waktu", max_width=12)
    table.add_column("Mulai", no_wrap=True)
    table.add_column("Tenggat", no_wrap=True)
    table.add_column("Fase", ratio=1)
    for row in plan.steps:
        roles = ", ".join(plan.sop.role(r).name for r in row.step.roles)
        waktu = row.step.time.display() + (" (asumsi)" if row.assumed else "")
        table.add_row(
            str(row.step.number),
            row.step.activity,
            roles,
            waktu,
            moment(row.start),
            moment(row.due),
            row.phase.name if row.phase else "—",
        )
    return table
