"""Rich renderings of SOPs and schedules for the terminal (no logic, only layout)."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sop_sync.schedule.timeline import Schedule
from sop_sync.sop.model import Sop, Step


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


def _remarks(step: Step) -> list[str]:
    remarks = [step.remarks or ""]
    if step.decision is not None:
        d = step.decision
        remarks.append(f"{d.question} Ya → {d.yes}; Tidak → {d.no}")
    if step.correction is not None:
        remarks.append(f"Koreksi → langkah {step.correction.to}")
    return [r for r in remarks if r]


def _role_names(sop: Sop, step: Step) -> str:
    return ", ".join(sop.role(r).name for r in step.roles)


def sop_procedure(sop: Sop) -> Table:
    """The procedure table as the SOP AP form has it: one column per role with a mark."""
    columns = [role for role in sop.roles if role.column]
    table = Table(title=f"Prosedur {sop.name}", show_lines=True)
    table.add_column("No", justify="right")
    table.add_column("Kegiatan", ratio=3)
    for role in columns:
        table.add_column(role.name, justify="center")
    for header in ("Kelengkapan", "Waktu", "Output", "Keterangan"):
        table.add_column(header, ratio=1)
    for step in sop.steps:
        marks = ["●" if role.id in step.roles else "" for role in columns]
        others = [sop.role(r).name for r in step.roles if not sop.role(r).column]
        remarks = _remarks(step) + ([f"Pelaksana lain: {', '.join(others)}"] if others else [])
        remarks += [f"Catatan: {step.note}"] if step.note else []
        table.add_row(
            str(step.number),
            step.activity,
            *marks,
            "\n".join(step.inputs) or "—",
            step.time.display(),
            step.output or "—",
            "\n".join(remarks),
        )
    return table


def sop_steps(sop: Sop) -> Table:
    """The procedure for a narrow screen or a pipe: a row per step, its details beneath it."""
    table = Table(title=f"Prosedur {sop.name}", show_lines=True, expand=True)
    table.add_column("No", justify="right", no_wrap=True)
    table.add_column("Kegiatan", ratio=3)
    table.add_column("Pelaksana", ratio=2)
    table.add_column("Waktu", ratio=1)
    for step in sop.steps:
        details = Text(step.activity)
        lines = [
            ("Kelengkapan", "; ".join(step.inputs)),
            ("Output", step.output or ""),
            *(("Keterangan", remark) for remark in _remarks(step)),
            ("Catatan", step.note or ""),
        ]
        for label, value in lines:
            if value:
                details.append(f"\n{label}: {value}", style="dim")
        table.add_row(str(step.number), details, _role_names(sop, step), step.time.display())
    return table


FORM_WIDTH_PER_ROLE = 9
"""Room a role column needs in the SOP AP form before its name and marks stay readable."""


def sop_card(sop: Sop, width: int = 200) -> RenderableType:
    """Identity page and procedure: the SOP AP form where it fits, else a row per step."""
    columns = sum(1 for role in sop.roles if role.column)
    fits = width >= 100 + FORM_WIDTH_PER_ROLE * columns
    procedure = sop_procedure(sop) if fits else sop_steps(sop)
    return Group(sop_identity(sop), Text(""), procedure)


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
