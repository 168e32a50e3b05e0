"""Closing a step is a role's act: who closed it, and whether they may.

A step closed by someone who holds none of its roles (nor a supervising role the agency names
in its settings) is closed against the SOP. The closer is the tracker's record of the close
(the newest ``closed`` event), never anything written in text. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Issue, State, last_close
from sop_sync.sop.model import Sop, Step


@dataclass(frozen=True)
class ClosingPolicy:
    """Who may close a step: its role holders and the supervisors (off where not enforced)."""

    by_role: bool = True
    supervisors: frozenset[str] = frozenset()
    """Role ids whose holders may close any step (e.g. the head of section)."""


def closer(issue: Issue) -> str | None:
    """Who closed the issue last, from its history (None when the tracker gave no history)."""
    close = last_close(issue)
    return close.actor if close is not None else None


def may_close(step: Step, request: RequestInput, policy: ClosingPolicy) -> set[str]:
    """The people who may close ``step``."""
    roles = set(step.roles) | set(policy.supervisors)
    return {name for role in roles for name in request.people_for(role)}


def closing_reason(
    sop: Sop, step: Step, issue: Issue, request: RequestInput, policy: ClosingPolicy
) -> str | None:
    """Why this close does not count (None when it does, or when nobody can tell)."""
    if not policy.by_role or issue.state is not State.CLOSED:
        return None
    who = closer(issue)
    allowed = may_close(step, request, policy)
    if who is None or who in allowed or not allowed:
        return None
    names = [sop.role(role).name for role in step.roles]
    names += [
        sop.role(r).name
        for r in sorted(policy.supervisors)
        if r not in step.roles and _known(sop, r)
    ]
    return (
        f"ditutup oleh @{who}, yang tidak memegang peran langkah ini; "
        f"yang boleh menutup: {' atau '.join(names)}"
    )


def _known(sop: Sop, role_id: str) -> bool:
    return any(role.id == role_id for role in sop.roles)
