"""The shape of the package, computed from its imports: layers, purity, no cycles.

Every edge is read from the source (every ``import`` anywhere in a module, including those
inside functions and ``TYPE_CHECKING`` blocks), so a new module cannot slip past a hand list.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sop_sync"

LAYERS: list[set[str]] = [
    {"errors", "resources", "secrets", "yamlfile"},
    {"model"},
    {"sop"},
    {"schedule"},
    {"plan"},
    {"rules", "documents"},
    {"reports"},
    {"config"},
    {"render", "documents.writers"},
    {"trackers"},
    {"app"},
    {"reports.writers"},
    {"service"},
    {"cli", "__main__"},
]
"""Top-level parts of ``sop_sync`` from the bottom up: each imports only from its own layer
and those below (docs/architecture.md shows the same table)."""

SPLIT = {"reports": "writers", "documents": "writers"}
"""Packages with a pure data half and an I/O half: the subpackage that is the I/O half counts
as a part of its own: ``reports.writers`` above ``app``, ``documents.writers`` beside
``render`` (the app's document use case writes the files)."""
CORE = {"model", "sop", "schedule", "plan", "rules", "reports", "documents"}
"""The pure core: no I/O, no tracker, HTTP, database, template or terminal library."""
FORBIDDEN_IN_CORE = {
    "gitlab", "jira", "requests", "httpx", "urllib3", "sqlite3", "socket", "http", "urllib",
    "jinja2", "rich", "typer", "psycopg", "uvicorn", "starlette", "docx", "weasyprint",
}  # fmt: skip
OUTSIDE_CORE = {
    "app", "cli", "trackers", "render", "config", "reports.writers", "documents.writers",
    "service",
}  # fmt: skip


def module_name(path: Path) -> str:
    """``sop_sync/plan/diff.py`` -> ``sop_sync.plan.diff``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The module an import of ``name`` loads (a submodule, else its package)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every name ``module`` imports: ``sop_sync`` modules resolved, others by top name."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.startswith("sop_sync."):
                resolved = _resolve(name)
                if resolved and resolved != module:
                    found.add(resolved)
            else:
                found.add(name.split(".")[0])
    return frozenset(found)


def part_of(module: str) -> str:
    """``sop_sync.plan.diff`` -> ``plan``; ``sop_sync.reports.writers.x`` -> ``reports.writers``."""
    parts = module.split(".")
    if len(parts) > 2 and SPLIT.get(parts[1]) == parts[2]:
        return f"{parts[1]}.{parts[2]}"
    return parts[1] if len(parts) > 1 else ""


def layer_of(part: str) -> int:
    """The layer index of a top-level part."""
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def internal(module: str) -> list[str]:
    """The ``sop_sync`` modules ``module`` imports."""
    return sorted(name for name in imports_of(module) if name.startswith("sop_sync"))


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One import cycle in ``graph`` (a list of modules ending where it starts), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, []):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_every_part_of_the_package_has_a_layer() -> None:
    """A new top-level module or package must be placed in the layer table."""
    parts = {part_of(module) for module in modules() if module != "sop_sync"}
    placed = set().union(*LAYERS)
    assert parts <= placed, f"add {sorted(parts - placed)} to LAYERS"


def test_no_import_cycles() -> None:
    """No module reaches itself through its imports (inside functions included)."""
    graph = {module: internal(module) for module in modules()}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_cycles() -> None:
    """The check above can fail: a two-module loop and a longer one are found."""
    assert find_cycle({"a": ["b"], "b": ["a"]}) == ["a", "b", "a"]
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["b"], "d": []}) == ["b", "c", "b"]
    assert find_cycle({"a": ["b"], "b": [], "c": ["a"]}) is None


def test_layers_import_only_downwards() -> None:
    """Each module imports only from its own layer and the layers below it."""
    crossings = [
        f"{module} -> {target}"
        for module in modules()
        if module != "sop_sync"
        for target in internal(module)
        if target != "sop_sync" and layer_of(part_of(target)) > layer_of(part_of(module))
    ]
    assert crossings == []


@pytest.mark.parametrize(
    "module", [m for m in sorted(modules()) if part_of(m) in CORE], ids=lambda m: m
)
def test_core_is_pure(module: str) -> None:
    """The core imports no I/O library (tracker, HTTP, database, template, terminal).

    Nor anything from the layers that do I/O.
    """
    imported = imports_of(module)
    assert not imported & FORBIDDEN_IN_CORE
    assert not {part_of(name) for name in imported if name.startswith("sop_sync.")} & OUTSIDE_CORE


def test_tracker_protocol_knows_no_rules() -> None:
    """``trackers/base.py`` is the protocol only: plain values, no rules, no adapters."""
    assert {part_of(name) for name in internal("sop_sync.trackers.base")} <= {"model"}


def test_adapters_are_reached_only_through_the_factory() -> None:
    """Outside its own package, only the factory imports an adapter's facade.

    And the CLI names no concrete tracker.
    """
    for adapter in ("local", "gitlab", "jira"):
        facade = f"sop_sync.trackers.{adapter}.facade"
        users = {
            module
            for module in modules()
            if facade in imports_of(module)
            and not module.startswith(f"sop_sync.trackers.{adapter}")
        }
        assert users <= {"sop_sync.trackers.factory"}, users
    for module in (m for m in modules() if part_of(m) == "cli"):
        source = modules()[module].read_text(encoding="utf-8")
        assert "GitLabTracker" not in source
        assert "LocalTracker" not in source
        assert "JiraTracker" not in source


def test_every_adapter_handles_every_change_type() -> None:
    """Each tracker's dispatch table covers exactly the Change types."""
    from sop_sync.model.changes import CHANGE_TYPES
    from sop_sync.trackers.gitlab.write import HANDLERS as GITLAB
    from sop_sync.trackers.jira.write import HANDLERS as JIRA
    from sop_sync.trackers.local.write import HANDLERS as LOCAL

    for table in (LOCAL, GITLAB, JIRA):
        assert set(table) == set(CHANGE_TYPES)


LOADED = """
import sys
from sop_sync.cli import run
code = run(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"gitlab", "holidays"})
print("LOADED", ",".join(heavy))
"""


def _loaded(tmp_path: Path, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"SOP_SYNC_DB": str(tmp_path / "t.db"), "PATH": "/usr/bin:/bin"},
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("LOADED"))
    return [name for name in line.removeprefix("LOADED ").split(",") if name]


def test_local_commands_load_no_gitlab_and_no_holiday_tables(tmp_path: Path) -> None:
    """``--help``, ``status`` and ``check`` on the local tracker load no python-gitlab.

    Nor the holiday tables: both cost start-up time and are not needed there.
    """
    assert _loaded(tmp_path, "--help") == []
    assert "gitlab" not in _loaded(tmp_path, "status")
    assert "holidays" not in _loaded(tmp_path, "status")
    assert "gitlab" not in _loaded(tmp_path, "check")
