"""The merge-request gate: may this MR merge? Only after the request's UAT is signed off.

Pure decision over an evaluation; finding the request a merge request belongs to is
:mod:`sop_sync.app.gate`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sop_sync.model.tracker import State
from sop_sync.rules.evaluate import Evaluation
from sop_sync.rules.evidence import uat_step
from sop_sync.sop.flow import ancestors, reachable
from sop_sync.sop.model import Sop

KEY_LINE = re.compile(
    r"^\s*SOP:\s*(?P<key>[a-z0-9][a-z0-9-]{1,39})\s*$", re.MULTILINE | re.IGNORECASE
)


@dataclass(frozen=True)
class GateResult:
    """Pass or fail, with the reasons in Bahasa Indonesia and in English."""

    passed: bool
    reasons_id: tuple[str, ...] = ()
    reasons_en: tuple[str, ...] = ()


def key_from_description(text: str | None) -> str | None:
    """The request key from a ``SOP: <kunci>`` line."""
    match = KEY_LINE.search(text or "")
    return match["key"].lower() if match else None


def issue_keys(project: str, *texts: str | None) -> list[str]:
    """Jira issue keys of ``project`` named in the texts (``APL-12``), in order, once each.

    Case-insensitive (branch names are often lower case: ``apl-12-login``), answered upper case.
    """
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(project)}-(\d+)(?!\d)", re.IGNORECASE)
    found: list[str] = []
    for text in texts:
        for match in pattern.finditer(text or ""):
            key = f"{project.upper()}-{int(match[1])}"
            if key not in found:
                found.append(key)
    return found


def gate(sop: Sop, evaluation: Evaluation) -> GateResult:
    """Pass only when the UAT step is closed and signed off and every step before it is done."""
    step = uat_step(sop)
    if step is None:
        return GateResult(
            False,
            (f"SOP {sop.id} tidak memiliki langkah UAT dengan persetujuan",),
            (f"SOP {sop.id} has no UAT step with a sign-off",),
        )
    ids: list[str] = []
    ens: list[str] = []
    before = ancestors(sop, step.number, reachable(sop, evaluation.answers))
    for number in sorted(before):
        verdict = evaluation.verdict(number)
        if verdict.state is not State.CLOSED:
            ids.append(f"langkah {verdict.title} belum selesai")
            ens.append(f"step {verdict.title} is not done")
        elif verdict.violated:  # closed, but against the SOP: not done
            ids.append(f"langkah {verdict.title} ditutup tanpa memenuhi SOP: "
                       + "; ".join(verdict.reasons))  # fmt: skip
            ens.append(f"step {verdict.title} was closed against the SOP")
    uat = evaluation.verdict(step.number)
    missing = [item for item in uat.evidence if not item.present]
    for item in missing:
        ids.append(f"langkah UAT {uat.title}: {item.item.name} — {item.why}")
        ens.append(f"UAT step {uat.title}: missing {item.item.name}")
    if uat.state is not State.CLOSED:
        ids.append(f"langkah UAT {uat.title} belum ditutup")
        ens.append(f"UAT step {uat.title} is not closed")
    if uat.violated:  # the missing evidence is named above; the other reasons here
        evidence_reasons = {f"bukti belum lengkap: {i.item.name} — {i.why}" for i in missing}
        ids += [reason for reason in uat.reasons if reason not in evidence_reasons]
        ens.append(f"UAT step {uat.title} was closed against the SOP")
    return GateResult(not ids, tuple(ids), tuple(ens))
