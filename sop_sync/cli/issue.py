"""``sop-sync issue ...``: act on step issues of the local tracker as a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sop_sync.app.requests import act
from sop_sync.cli.options import ConfigOption, connected
from sop_sync.cli.output import console
from sop_sync.config import LocalSettings, load_settings
from sop_sync.errors import InputError
from sop_sync.model.changes import Attach, Change, Close, Comment, Ref, Reopen

issue_app = typer.Typer(
    help="Act on step issues of the local tracker as a person would.", no_args_is_help=True
)
Actor = Annotated[str, typer.Option("--as", help="Who acts (a username).")]


def _act(config: Path | None, change: Change, actor: str) -> None:
    settings = load_settings(config)
    if not isinstance(settings.tracker, LocalSettings):
        raise InputError(
            f"`sop-sync issue` acts on the local tracker; on {settings.tracker.kind} "
            "people use the tracker itself"
        )
    with connected(settings, person=actor) as connection:
        act(connection.tracker, change)
    console().print(f"{change.describe()} (as {actor})", markup=False, highlight=False)


@issue_app.command("close")
def issue_close(kunci: str, no: int, actor: Actor, config: ConfigOption = None) -> None:
    """Close a step issue.

    Example: sop-sync issue close absensi 1 --as andi
    """
    _act(config, Close(Ref(kunci, no)), actor)


@issue_app.command("reopen")
def issue_reopen(kunci: str, no: int, actor: Actor, config: ConfigOption = None) -> None:
    """Reopen a step issue.

    Example: sop-sync issue reopen absensi 1 --as andi
    """
    _act(config, Reopen(Ref(kunci, no)), actor)


@issue_app.command("comment")
def issue_comment(
    kunci: str, no: int, text: str, actor: Actor, config: ConfigOption = None
) -> None:
    """Comment on a step issue.

    Example: sop-sync issue comment absensi 2 "Sudah dibahas" --as sari
    """
    if not text.strip():
        raise InputError("the comment is empty")
    _act(config, Comment(Ref(kunci, no), text), actor)


@issue_app.command("attach")
def issue_attach(
    kunci: str, no: int, path: Path, actor: Actor, config: ConfigOption = None
) -> None:
    """Attach a file to a step issue.

    Example: sop-sync issue attach absensi 7 dfd.png --as sari
    """
    try:
        content = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror})") from None
    _act(config, Attach(Ref(kunci, no), path.name, content), actor)


def register(app: typer.Typer) -> None:
    """Add the ``issue`` group to the main app."""
    app.add_typer(issue_app, name="issue")
