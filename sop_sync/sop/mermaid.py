"""The SOP AP flowchart as Mermaid: one swimlane per role, capsules, diamonds, dashed koreksi."""

from __future__ import annotations

from sop_sync.sop.flow import EdgeKind, all_edges, first_step, ordered
from sop_sync.sop.model import END, Sop, Step

_MAX_LABEL = 60
_ARROWS = {
    EdgeKind.NEXT: "-->",
    EdgeKind.YES: "-->|Ya|",
    EdgeKind.NO: "-->|Tidak|",
    EdgeKind.CORRECTION: "-.->|Koreksi|",
}


def _escape(text: str) -> str:
    """Mermaid labels: quotes and angle brackets as entity codes, one line, cut short."""
    text = " ".join(text.split())
    if len(text) > _MAX_LABEL:
        text = text[: _MAX_LABEL - 1].rstrip() + "…"
    for raw, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, code)
    return text


def _node(sop: Sop, step: Step) -> str:
    label = f"{step.number}. {step.activity}"
    if len(step.roles) > 1:
        others = ", ".join(sop.role(role_id).name for role_id in step.roles[1:])
        label += f" (bersama {others})"
    label = _escape(label)
    if step.decision is not None:
        return f's{step.number}{{"{label}"}}'
    return f's{step.number}["{label}"]'


def flowchart(sop: Sop) -> str:
    """Mermaid source of the SOP's flowchart, lanes in the order of the pelaksana columns."""
    steps = ordered(sop)
    ends = {edge.source for edge in all_edges(sop) if edge.target == END}
    first = first_step(sop)
    lines = ["flowchart TB"]
    for index, role in enumerate(sop.roles):
        lane = [step for step in steps if step.roles[0] == role.id]
        starts_here = first.roles[0] == role.id
        last_end = max(ends) if ends else steps[-1].number
        ends_here = sop.step(last_end).roles[0] == role.id
        if not (lane or starts_here or ends_here):
            continue
        lines.append(f'  subgraph lane{index}["{_escape(role.name)}"]')
        lines.append("    direction TB")
        if starts_here:
            lines.append('    mulai(["Mulai"])')
        lines.extend(f"    {_node(sop, step)}" for step in lane)
        if ends_here:
            lines.append('    selesai(["Selesai"])')
        lines.append("  end")
    lines.append(f"  mulai --> s{first.number}")
    for edge in all_edges(sop):
        target = "selesai" if edge.target == END else f"s{edge.target}"
        lines.append(f"  s{edge.source} {_ARROWS[edge.kind]} {target}")
    return "\n".join(lines) + "\n"
