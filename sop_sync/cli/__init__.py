"""Command line: parse arguments, call one use case, print. Split by command group.

Errors become exit codes in one place (:func:`sop_sync.cli.output.run`).
"""

from __future__ import annotations

import sys

import typer

from sop_sync.cli import demo, enforce, gitlab, issue, output, requests, sop

app = typer.Typer(
    help="Run an application-development SOP (SOP AP) inside your issue tracker.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for group in (sop, requests, enforce, issue, demo, gitlab):
    group.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    return output.run(app, argv)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
