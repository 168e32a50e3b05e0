"""Rich renderings of requests: the status tree and overview, and the verdicts of ``check``."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from sop_sync.model.text import shorten
from sop_sync.model.tracker import ObservedRequest
from sop_sync.reports.milestones import PhaseMilestone
from sop_sync.rules.evaluate import Evaluation
from sop_sync.rules.progress import RequestProgress, StepProgress, StepState, step_state

STYLES = {
    StepState.MISSING: "red",
    StepState.OPEN: "yellow",
    StepState.DONE: "green",
    StepState.SKIPPED: "dim",
}


def _state(step: StepProgress) -> Text:
    return Text(step.state.value, style=STYLES[step.state])


def _summary(status: RequestProgress) -> str:
    """``5/12 langkah selesai (2 dilewati)``."""
    text = f"{status.done}/{status.on_path} langkah selesai"
    return text + (f" ({status.skipped} dilewati)" if status.skipped else "")


def _deadline(status: RequestProgress) -> Text:
    if status.deadline is None:
        return Text("")
    text = Text(f" · batas waktu SOP {status.deadline:%d-%m-%Y}")
    if status.late:
        text.append(" TERLAMBAT", style="bold red")
    return text


def _step_line(step: StepProgress) -> Text:
    line = Text(f"{step.number:02d} ")
    line.append(shorten(step.activity, 61))
    line.append(f"  [{', '.join(step.roles)}]", style="cyan")
    if step.assignees:
        line.append(f" @{', @'.join(step.assignees)}", style="cyan")
    line.append("  ")
    line.append_text(_state(step))
    if step.due:
        line.append(f"  tenggat {step.due:%d-%m-%Y}")
    if step.overdue:
        late = f" {step.late_days} hari kerja" if step.late_days else ""
        line.append(f"  TERLAMBAT{late}", style="bold red")
    return line


def _phase_line(phase: PhaseMilestone) -> Text:
    """``fase Perancangan: tenggat 08-12-2026 · terlambat 2 hari kerja``."""
    line = Text(f"fase {phase.phase.name}: ")
    line.append(f"tenggat {phase.due:%d-%m-%Y} · " if phase.due else "")
    line.append(phase.verdict(), style="bold red" if phase.late else "")
    return line


def status_tree(status: RequestProgress, phases: tuple[PhaseMilestone, ...] = ()) -> Tree:
    """The request with each step (role, state, due, lateness, evidence), then its phases."""
    head = Text(f"{status.key}", style="bold")
    head.append(f" · {status.request.title} · SOP {status.sop.id}")
    head.append(f" · {_summary(status)}")
    head.append_text(_deadline(status))
    tree = Tree(head)
    for step in status.steps:
        node = tree.add(_step_line(step))
        for item in step.evidence:
            mark = Text("✔ ada", style="green") if item.present else Text("✘ kurang", style="red")
            label = Text(f"bukti: {item.item.name} — ")
            label.append_text(mark)
            if item.found:
                label.append(f" ({item.found})")
            node.add(label)
    for phase in phases:
        tree.add(_phase_line(phase))
    return tree


def overview_table(statuses: list[RequestProgress]) -> Table:
    """One line per request."""
    table = Table(title="Permohonan")
    for header in ("Kunci", "SOP", "Judul", "Selesai", "Langkah sekarang", "Terlambat"):
        table.add_column(header)
    for status in statuses:
        current = status.current
        table.add_row(
            status.key,
            status.sop.id,
            status.request.title,
            f"{status.done}/{status.on_path}",
            f"{current.number:02d} {shorten(current.activity, 41)}" if current else "—",
            ", ".join(
                [f"{status.overdue} langkah"] * bool(status.overdue)
                + ["batas waktu SOP"] * status.late
            ),
        )
    return table


def verdict_table(observed: ObservedRequest, evaluation: Evaluation) -> Table:
    """One row per step: state, verdict, reasons."""
    table = Table(title=f"Pemeriksaan SOP · {observed.key}", show_lines=True)
    for header in ("No", "Langkah", "Status", "Vonis", "Alasan"):
        table.add_column(header)
    for verdict in evaluation.verdicts:
        state = step_state(verdict, observed.steps.get(verdict.number)).value
        word = "MELANGGAR" if verdict.violated else ("belum" if verdict.reasons else "ok")
        table.add_row(
            str(verdict.number), verdict.title[5:], state, word, "\n".join(verdict.reasons)
        )
    return table
