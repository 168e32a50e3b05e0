"""The flow of an SOP: successors, decisions, corrections, reachability and the path taken.

Pure functions over :class:`~sop_sync.sop.model.Sop`. A step's successor is, in order of
precedence: its ``keputusan`` (Ya and Tidak targets), its ``lanjut``, or the next row of the
table; the last row leads to the end. ``koreksi`` adds a backward edge that is followed only
when a reviewer rejects the work.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sop_sync.sop.model import END, Sop, Step, Target


class EdgeKind(enum.Enum):
    """Why one step leads to another."""

    NEXT = "lanjut"
    YES = "ya"
    NO = "tidak"
    CORRECTION = "koreksi"


@dataclass(frozen=True)
class Edge:
    """One arrow of the flowchart."""

    source: int
    target: Target
    kind: EdgeKind


def ordered(sop: Sop) -> tuple[Step, ...]:
    """The steps sorted by number (the table order)."""
    return tuple(sorted(sop.steps, key=lambda step: step.number))


def default_next(sop: Sop, step: Step) -> Target:
    """The row after ``step`` in the table, or the end after the last row."""
    after = sop.number_after(step.number)
    return END if after is None else after


def edges(sop: Sop, step: Step) -> tuple[Edge, ...]:
    """Every arrow leaving ``step``: forward ones first, then the correction."""
    if step.decision is not None:
        out = [
            Edge(step.number, step.decision.yes, EdgeKind.YES),
            Edge(step.number, step.decision.no, EdgeKind.NO),
        ]
    else:
        target = step.next if step.next is not None else default_next(sop, step)
        out = [Edge(step.number, target, EdgeKind.NEXT)]
    if step.correction is not None:
        out.append(Edge(step.number, step.correction.to, EdgeKind.CORRECTION))
    return tuple(out)


def all_edges(sop: Sop) -> tuple[Edge, ...]:
    """Every arrow of the SOP, in table order."""
    return tuple(edge for step in ordered(sop) for edge in edges(sop, step))


def first_step(sop: Sop) -> Step:
    """Where every request starts: the lowest step number."""
    return min(sop.steps, key=lambda step: step.number)


def reachable(sop: Sop, answers: Mapping[int, bool] | None = None) -> frozenset[int]:
    """Step numbers some run can reach from the first step.

    Without ``answers`` every edge counts, corrections included. With them, answered decisions
    take only their branch, open ones both, and corrections are not followed.
    """
    known = {step.number: step for step in sop.steps}
    seen: set[int] = set()
    todo = [first_step(sop).number]
    while todo:
        number = todo.pop()
        if number in seen or number not in known:
            continue
        seen.add(number)
        for edge in edges(sop, known[number]):
            if not isinstance(edge.target, int):
                continue
            if answers is not None and not _taken(edge, answers.get(number)):
                continue
            todo.append(edge.target)
    return frozenset(seen)


def _taken(edge: Edge, answer: bool | None) -> bool:
    """Whether a run with this decision answer follows ``edge`` (corrections: never)."""
    if edge.kind is EdgeKind.CORRECTION:
        return False
    if answer is None or edge.kind is EdgeKind.NEXT:
        return True
    return (edge.kind is EdgeKind.YES) == answer


class PathError(ValueError):
    """The answers given do not describe a run of the procedure."""


def path(sop: Sop, answers: Mapping[int, bool] | None = None) -> tuple[int, ...]:
    """The steps actually taken, in order, for the decision answers given.

    ``answers`` maps a decision step's number to True (Ya) or False (Tidak); decisions not
    answered take Ya. Corrections are not followed (the work is taken as approved).
    """
    answers = dict(answers or {})
    known = {step.number: step for step in sop.steps}
    numbers = ", ".join(str(s.number) for s in sop.steps if s.decision is not None)
    decisions = f"its decision steps: {numbers}" if numbers else "it has no decision step"
    for number in answers:
        if number not in known:
            raise PathError(f"SOP {sop.id!r} has no step {number} ({decisions})")
        if known[number].decision is None:
            raise PathError(f"step {number} of SOP {sop.id!r} is not a decision step ({decisions})")
    taken: dict[int, None] = {}  # in order, and a quick "been here?"
    current: Target = first_step(sop).number
    while isinstance(current, int):
        if current in taken:
            raise PathError(f"the flow returns to step {current} without a koreksi")
        taken[current] = None
        step = known[current]
        if step.decision is not None:
            yes = answers.get(current, True)
            current = step.decision.yes if yes else step.decision.no
        else:
            current = step.next if step.next is not None else default_next(sop, step)
    return tuple(taken)


def skipped(sop: Sop, taken: Iterable[int]) -> tuple[int, ...]:
    """Steps not on the path taken (the branches not chosen), in table order."""
    on_path = set(taken)
    return tuple(step.number for step in ordered(sop) if step.number not in on_path)


def decision_steps(sop: Sop) -> tuple[Step, ...]:
    """Steps carrying a Ya/Tidak question."""
    return tuple(step for step in ordered(sop) if step.decision is not None)


def predecessors(sop: Sop, within: frozenset[int]) -> dict[int, set[int]]:
    """Step -> the steps within ``within`` that lead straight to it (corrections left out)."""
    parents: dict[int, set[int]] = {}
    for edge in all_edges(sop):
        forward = edge.kind is not EdgeKind.CORRECTION and isinstance(edge.target, int)
        if forward and edge.source in within:
            parents.setdefault(int(edge.target), set()).add(edge.source)
    return parents


def ancestors(
    sop: Sop, number: int, within: frozenset[int], parents: dict[int, set[int]] | None = None
) -> set[int]:
    """Steps within ``within`` from which step ``number`` can be reached (its predecessors).

    ``parents`` is :func:`predecessors` of the same ``within``, when the caller has it already.
    """
    graph = parents if parents is not None else predecessors(sop, within)
    found: set[int] = set()
    todo = list(graph.get(number, ()))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo.extend(graph.get(parent, ()))
    return found
