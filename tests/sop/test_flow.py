"""The flow graph: successors, decisions, corrections, reachability, the path taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_sync.sop.flow import Edge, EdgeKind, PathError, edges, path, reachable, skipped
from sop_sync.sop.loader import load_sop
from sop_sync.sop.mermaid import flowchart
from sop_sync.sop.model import Sop
from tests.sop.test_loader import VALID


@pytest.fixture
def sop(tmp_path: Path) -> Sop:
    """The four-step example: 2 decides between 3 and 4; 3 corrects back to 1."""
    file = tmp_path / "contoh.yaml"
    file.write_text(VALID, encoding="utf-8")
    return load_sop(file)


def test_edges_of_decision_and_correction(sop: Sop) -> None:
    """A decision has Ya and Tidak edges; a review adds a koreksi edge back."""
    assert edges(sop, sop.step(2)) == (
        Edge(2, 3, EdgeKind.YES),
        Edge(2, 4, EdgeKind.NO),
    )
    assert edges(sop, sop.step(3)) == (
        Edge(3, 4, EdgeKind.NEXT),
        Edge(3, 1, EdgeKind.CORRECTION),
    )
    assert edges(sop, sop.step(4)) == (Edge(4, "selesai", EdgeKind.NEXT),)


def test_path_defaults_to_ya(sop: Sop) -> None:
    """Unanswered decisions take Ya."""
    assert path(sop) == (1, 2, 3, 4)


def test_path_with_tidak_skips_the_ya_branch(sop: Sop) -> None:
    """Answering Tidak jumps to the Tidak target; the skipped steps are listed."""
    taken = path(sop, {2: False})
    assert taken == (1, 2, 4)
    assert skipped(sop, taken) == (3,)


def test_answer_for_non_decision_is_refused(sop: Sop) -> None:
    """Only decision steps take answers."""
    with pytest.raises(PathError, match=r"step 3 of SOP .* is not a decision step"):
        path(sop, {3: True})


def test_reachable(sop: Sop) -> None:
    """Every step of a valid SOP is reachable."""
    assert reachable(sop) == {1, 2, 3, 4}


def test_mermaid_swimlanes_shapes_and_edges(sop: Sop) -> None:
    """Lanes per role, capsules at both ends, a diamond, Ya/Tidak labels, dashed koreksi."""
    assert flowchart(sop) == (
        "flowchart TB\n"
        '  subgraph lane0["Analis Sistem"]\n'
        "    direction TB\n"
        '    mulai(["Mulai"])\n'
        '    s1["1. Identifikasi kebutuhan"]\n'
        '    s3["3. Rancang sistem"]\n'
        "  end\n"
        '  subgraph lane1["Kasi"]\n'
        "    direction TB\n"
        '    s2{"2. Periksa kebutuhan"}\n'
        '    s4["4. Tutup"]\n'
        '    selesai(["Selesai"])\n'
        "  end\n"
        "  mulai --> s1\n"
        "  s1 --> s2\n"
        "  s2 -->|Ya| s3\n"
        "  s2 -->|Tidak| s4\n"
        "  s3 --> s4\n"
        "  s3 -.->|Koreksi| s1\n"
        "  s4 --> selesai\n"
    )


def test_mermaid_escapes_quotes_and_cuts_long_labels(tmp_path: Path) -> None:
    """User text cannot break out of a Mermaid label."""
    text = VALID.replace("Tutup", 'Tutup "akhir" <b>' + "x" * 80)
    file = tmp_path / "contoh.yaml"
    file.write_text(text, encoding="utf-8")
    chart = flowchart(load_sop(file))
    assert 's4["4. Tutup #quot;akhir#quot; #lt;b#gt;' in chart
    assert "…" in chart
    assert "<b>" not in chart
