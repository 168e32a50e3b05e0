"""Checks that span several fields of an SOP: roles, step numbers, targets, phases, loops.

Pure: each problem is a key path (as a tuple, like pydantic's ``loc``) and a message; the
loader turns key paths into file lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from sop_sync.sop.flow import EdgeKind, edges, first_step, reachable
from sop_sync.sop.index import first_cover
from sop_sync.sop.model import Sop
from sop_sync.yamlfile import KeyPath

Problem = tuple[KeyPath, str]


def check_sop(sop: Sop) -> list[Problem]:
    """Every cross-field problem of ``sop``, in file order."""
    problems = [*_roles(sop), *_numbers(sop), *_targets(sop)]
    if not problems:
        # reachability and loops only make sense once every target exists
        problems += [*_loops(sop), *_reachability(sop)]
    return [*problems, *_phases(sop), *_deadline(sop)]


def _deadline(sop: Sop) -> Iterator[Problem]:
    if sop.deadline is not None and not sop.deadline.fixed:
        yield ("batas_waktu",), "batas_waktu needs a fixed time such as '28 hari kerja'"


def _roles(sop: Sop) -> Iterator[Problem]:
    ids: dict[str, int] = {}
    for index, role in enumerate(sop.roles):
        if role.id in ids:
            yield ("pelaksana", index, "id"), f"role id {role.id!r} is used twice"
        ids.setdefault(role.id, index)
    known = ", ".join(role.id for role in sop.roles)
    for index, step in enumerate(sop.steps):
        for position, role_id in enumerate(step.roles):
            if role_id not in ids:
                where: KeyPath = ("langkah", index, "pelaksana", position)
                yield where, f"unknown role {role_id!r} (roles: {known})"
        for position, item in enumerate(step.evidence):
            where = ("langkah", index, "bukti", position, "peran")
            if item.kind.value == "persetujuan" and item.role is None:
                yield where[:-1], "a 'persetujuan' needs 'peran': the role that signs off"
            elif item.role is not None and item.role not in ids:
                yield where, f"unknown role {item.role!r} (roles: {known})"


def _numbers(sop: Sop) -> Iterator[Problem]:
    first_index: dict[int, int] = {}
    for index, step in enumerate(sop.steps):
        if step.number in first_index:
            other = first_index[step.number]
            yield (
                ("langkah", index, "no"),
                f"step number {step.number} is used twice (also langkah[{other}])",
            )
        else:
            first_index[step.number] = index


def _targets(sop: Sop) -> Iterator[Problem]:
    numbers = {step.number for step in sop.steps}
    for index, step in enumerate(sop.steps):
        here: KeyPath = ("langkah", index)
        if step.decision is not None and step.next is not None:
            yield (*here, "lanjut"), "a decision step continues by 'ya'/'tidak'; remove 'lanjut'"
        targets: list[tuple[KeyPath, object]] = [((*here, "lanjut"), step.next)]
        if step.decision is not None:
            targets.append(((*here, "keputusan", "ya"), step.decision.yes))
            targets.append(((*here, "keputusan", "tidak"), step.decision.no))
        if step.correction is not None:
            targets.append(((*here, "koreksi", "ke"), step.correction.to))
        missing = False
        for where, target in targets:
            if isinstance(target, int) and target not in numbers:
                missing = True
                yield where, f"step {target} does not exist"
        if not missing and step.correction is not None and step.correction.to > step.number:
            yield (
                (*here, "koreksi", "ke"),
                f"a correction returns to this or an earlier step, not to step "
                f"{step.correction.to}",
            )


def _loops(sop: Sop) -> Iterator[Problem]:
    keys = {EdgeKind.NEXT: ("lanjut",), EdgeKind.YES: ("keputusan", "ya")}
    keys[EdgeKind.NO] = ("keputusan", "tidak")
    for index, step in enumerate(sop.steps):
        for edge in edges(sop, step):
            if edge.kind is EdgeKind.CORRECTION or not isinstance(edge.target, int):
                continue
            if edge.target <= step.number:
                yield (
                    ("langkah", index, *keys[edge.kind]),
                    f"goes back to step {edge.target}: a loop must be declared as "
                    f"'koreksi: {{ke: {edge.target}}}'",
                )


def _reachability(sop: Sop) -> Iterator[Problem]:
    seen = reachable(sop)
    start = first_step(sop).number
    for index, step in enumerate(sop.steps):
        if step.number not in seen:
            yield ("langkah", index), f"step {step.number} can never be reached from step {start}"


def _phases(sop: Sop) -> Iterator[Problem]:
    if not sop.phases:
        return
    numbers = sorted({step.number for step in sop.steps})
    present = set(numbers)
    cover = first_cover(numbers, [(phase.first, phase.last) for phase in sop.phases])
    overlaps = {index: (number, count) for index, number, count in cover.overlaps}
    for index, phase in enumerate(sop.phases):
        if phase.first > phase.last:
            yield ("fase", index, "sampai"), f"'sampai' ({phase.last}) is before 'dari'"
            continue
        for number in (phase.first, phase.last):
            if number not in present:
                key = "dari" if number == phase.first else "sampai"
                yield ("fase", index, key), f"step {number} does not exist"
        if index in overlaps:
            number, count = overlaps[index]
            owner = sop.phases[cover.owner[number]].id
            more = f" ({count} of its steps are in earlier phases)" if count > 1 else ""
            yield ("fase", index), f"step {number} is already in phase {owner!r}{more}"
    for index, step in enumerate(sop.steps):
        if step.number not in cover.owner:
            yield ("langkah", index, "no"), f"step {step.number} is in no phase ('fase')"
