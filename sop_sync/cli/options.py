"""Options shared by the commands, and opening the configured tracker for one command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.config import Settings
from sop_sync.errors import InputError
from sop_sync.resources import default_mappings_dir
from sop_sync.sop.flow import PathError, path
from sop_sync.sop.model import Sop
from sop_sync.trackers.base import Connection
from sop_sync.trackers.factory import connect

MappingsOption = Annotated[
    Path | None,
    typer.Option(
        "--mappings",
        envvar="SOP_SYNC_MAPPINGS",
        help="Folder of SOP files [default: ./mappings, else the bundled seed SOPs].",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", envvar="SOP_SYNC_CONFIG", help="Configuration file [default: ./sop-sync.yaml]."
    ),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")]
TrackerOption = Annotated[
    str | None,
    typer.Option("--tracker", help="local, gitlab or jira [default: sop-sync.yaml, else local]."),
]


def folder(mappings: Path | None) -> Path:
    """The mappings folder an option names, else the default."""
    return mappings if mappings is not None else default_mappings_dir()


@contextmanager
def connected(
    settings: Settings, person: str | None = None, *, read_only: bool = False
) -> Iterator[Connection]:
    """Open the configured tracker (acting as ``person`` if given) and close it afterwards.

    ``read_only`` for commands that only read: the local tracker then creates nothing.
    """
    connection = connect(settings, person, read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def parse_answers(items: list[str], sop: Sop | None = None) -> dict[int, bool]:
    """``["2=tidak", "8=ya"]`` -> ``{2: False, 8: True}`` (checked against ``sop``'s steps)."""
    answers: dict[int, bool] = {}
    for item in items:
        number, _, answer = item.partition("=")
        if not number.strip().isdigit() or answer.strip().lower() not in ("ya", "tidak"):
            raise InputError(f"malformed --keputusan {item!r}: write it as <no>=ya|tidak")
        answers[int(number)] = answer.strip().lower() == "ya"
    if sop is not None:
        try:
            path(sop, answers)
        except PathError as error:
            raise InputError(f"--keputusan: {error}") from None
    return answers


def parse_people(items: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``["analis-sistem=sari", "tim-pengembang=budi,citra"]`` -> role/usernames pairs."""
    people: dict[str, list[str]] = {}
    for item in items:
        role, _, names = item.partition("=")
        users = [n.strip() for n in names.split(",") if n.strip()]
        if not role.strip() or not users:
            raise InputError(f"malformed --peran {item!r}: write it as <role-id>=<username>")
        people.setdefault(role.strip(), []).extend(users)
    return tuple((role, tuple(users)) for role, users in people.items())
