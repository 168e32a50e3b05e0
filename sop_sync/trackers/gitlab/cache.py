"""What one GitLab run knows: the objects sop-sync owns and the run's cache (plain data).

The session (:mod:`.session`) fills and guards it; :mod:`.listing` builds its entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sop_sync.model.changes import Label
from sop_sync.trackers.gitlab.marker import Marker


@dataclass
class MarkedIssue:
    """An epic or issue sop-sync owns, as last seen: GitLab's attributes and its marker."""

    attrs: dict[str, Any]
    marker: Marker
    epic: bool = False
    """True for a group epic (Premium); the Free parent issue is a plain issue."""
    twins: tuple[dict[str, Any], ...] = ()
    """Other objects carrying the same marker (newer: this one, the oldest, is used)."""


@dataclass
class Cache:
    """What this run has read from GitLab, updated from the answers of its own writes."""

    requests: dict[str, MarkedIssue] | None = None
    steps: dict[str, dict[int, MarkedIssue]] = field(default_factory=dict)
    """request key -> step -> issue"""
    listed: set[str] = field(default_factory=set)
    """SOP ids whose step issues were all listed (by their ``sop::<id>`` label)."""
    alone: set[str] = field(default_factory=set)
    """Request keys whose step issues were listed on their own."""
    observed: set[str] = field(default_factory=set)
    labels: dict[str, Label] | None = None
    """Project labels."""
    group_labels: dict[str, Label] = field(default_factory=dict)
    """Group labels the project sees (its group's and the ancestors')."""
    milestones: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every milestone known so far, by title."""
    milestone_keys: set[str] = field(default_factory=set)
    """Request keys whose milestones were all listed."""
    all_milestones: bool = False
    users: dict[str, int] = field(default_factory=dict)
    confirmed_links: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
