"""A small reliability campaign (issue 10): kill -9 and Ctrl-C of real runs, at random moments.

``python -m benchmarks.reliability_local`` runs the full one (50 + 50 kills, 30 interrupts).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.campaign import (
    Campaign,
    Figures,
    interrupt_open,
    kill_attach,
    kill_open,
    moments,
)
from tests.reliability.harness import Workspace

SMALL = Campaign(kills_open=10, kills_attach=10, interrupts=10, steps=20, seed=10)


def assert_clean(figures: Figures) -> None:
    """Every problem count is zero, and the signals did land on running processes."""
    report = "\n".join(figures.lines())
    assert figures.problems == 0, report
    assert figures.signalled >= figures.runs // 2, report


@pytest.mark.timeout(240)
def test_kill_9_of_open_leaves_no_duplicate_and_converges(tmp_path: Path) -> None:
    """10 `open` runs killed (random moments, some inside a write), each run again."""
    workspace = Workspace(tmp_path, steps=SMALL.steps)
    figures = kill_open(workspace, SMALL.kills_open, moments(1))
    assert_clean(figures)
    assert figures.placed >= 3


@pytest.mark.timeout(240)
def test_kill_9_of_attach_leaves_no_orphan_file(tmp_path: Path) -> None:
    """10 `issue attach` runs killed (some between storing the bytes and the commit)."""
    workspace = Workspace(tmp_path, steps=4)
    figures = kill_attach(workspace, SMALL.kills_attach, moments(2), size=1 << 20)
    assert_clean(figures)
    assert figures.placed >= 3


@pytest.mark.timeout(240)
def test_every_ctrl_c_of_open_exits_130_with_one_line(tmp_path: Path) -> None:
    """10 `open` runs interrupted at random moments: 130 and `interrupted`, every one."""
    workspace = Workspace(tmp_path, steps=SMALL.steps)
    figures = interrupt_open(workspace, SMALL.interrupts, moments(3))
    assert_clean(figures)
    assert len(figures.seconds_to_exit) == figures.signalled
