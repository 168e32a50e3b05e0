"""Enforcement commands: ``check`` (verdicts, ``--fix``) and ``gate merge-request`` (CI)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.app.gate import merge_request_key, run_gate
from sop_sync.app.reconcile import reconcile
from sop_sync.app.requests import open_requests
from sop_sync.cli.options import ConfigOption, TrackerOption, connected
from sop_sync.cli.output import console, print_changes
from sop_sync.cli.request_tables import verdict_table
from sop_sync.config import GitLabSettings, LocalSettings, Settings, load_settings
from sop_sync.errors import TrackerError, ViolationError
from sop_sync.rules.evaluate import Evaluation


def check_command(
    kunci: Annotated[
        str | None, typer.Argument(help="Request key [default: every open request].")
    ] = None,
    fix_it: Annotated[bool, typer.Option("--fix", help="Apply the corrective changes.")] = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Check requests against their SOP: order, decisions, corrections, evidence, sign-off.

    Exit code 1 when a step is closed against the SOP. With --fix, sop-sync reopens such steps
    with a comment naming what is missing, closes skipped branches, and answers commands.

    Example: sop-sync check absensi --fix
    """
    settings = load_settings(config, tracker_kind=tracker)
    out = console()
    violated: list[str] = []
    with connected(settings, read_only=not fix_it) as connection:
        for summary in open_requests(connection.tracker, kunci):
            done = reconcile(connection, settings, summary.key, fix_it=fix_it)
            evaluation = done.evaluation
            out.print(verdict_table(done.observed, evaluation))
            for duplicate in done.observed.duplicates:
                out.print(f"warning: {duplicate.describe()}", markup=False, highlight=False)
            if evaluation.corrections:
                counts = ", ".join(
                    f"langkah {n}: {c}×" for n, c in sorted(evaluation.corrections.items())
                )
                out.print(f"koreksi: {counts}")
            if done.outcome is not None:
                print_changes(out, list(evaluation.changes))
                if done.outcome.failures:
                    lines = [f"{c.describe()}: {m}" for c, m in done.outcome.failures]
                    raise TrackerError("\n".join(["some fixes failed (re-run to retry):", *lines]))
                out.print(f"{summary.key}: fixed; {_remaining(done.final)}")
            elif evaluation.changes:
                out.print(f"{len(evaluation.changes)} corrective changes: run with --fix")
            for made in done.documents:  # a producing step closed, or `/sop dokumen` asked
                out.print(f"{summary.key}: dokumen {made.describe()}", markup=False)
            if done.final.violated:
                violated.append(summary.key)
    if violated:
        raise ViolationError(f"SOP violated in: {', '.join(violated)}")


def _remaining(evaluation: Evaluation) -> str:
    """What is still against the SOP after a fix (usually nothing)."""
    left = [v.title for v in evaluation.verdicts if v.violated]
    return "still violated: " + "; ".join(left) if left else "no step is closed against the SOP"


def gate_settings(config: Path | None, env: Mapping[str, str]) -> Settings:
    """The configured tracker; on GitLab, its URL and project filled from the CI variables.

    Requests kept in Jira (``tracker.kind: jira`` or ``SOP_SYNC_TRACKER=jira``) stay in Jira:
    the job then reads the MR from its CI variables and needs no GitLab token. With no tracker
    configured at all, the requests are on the GitLab running the pipeline.
    """
    settings = load_settings(config, env)
    if isinstance(settings.tracker, LocalSettings):
        settings = load_settings(config, env, tracker_kind="gitlab")
    if not isinstance(settings.tracker, GitLabSettings):
        return settings
    url = settings.tracker.url or env.get("CI_API_V4_URL", "").removesuffix("/api/v4") or None
    project = settings.tracker.project or env.get("CI_PROJECT_PATH")
    tracker_settings = settings.tracker.model_copy(update={"url": url, "project": project})
    return settings.model_copy(update={"tracker": tracker_settings})


def gate_merge_request(config: ConfigOption = None) -> None:
    """GitLab CI: fail the merge-request pipeline until the request's UAT is signed off.

    Requests on GitLab: reads CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_PROJECT_ID,
    CI_MERGE_REQUEST_DESCRIPTION and CI_API_V4_URL; the token comes from SOP_SYNC_GITLAB_TOKEN
    (a masked variable, read_api). Requests in Jira (SOP_SYNC_TRACKER=jira): a `SOP: <kunci>`
    line or a Jira key in CI_MERGE_REQUEST_TITLE, CI_MERGE_REQUEST_DESCRIPTION or
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME; only the Jira credentials are needed.

    Example (in .gitlab-ci.yml): include templates/ci/sop-gate.gitlab-ci.yml
    """
    env = os.environ
    settings = gate_settings(config, env)
    out = console()
    with connected(settings, read_only=True) as connection:
        key = merge_request_key(connection, env, settings)
        result = run_gate(connection, settings, key)
    if result.passed:
        out.print(
            f"sop-sync gate: permohonan {key}: UAT disetujui, boleh digabung "
            "(UAT signed off: may merge)"
        )
        return
    out.print(f"sop-sync gate: permohonan {key} BELUM boleh digabung:", markup=False)
    for reason in result.reasons_id:
        out.print(f"  - {reason}", markup=False, highlight=False)
    out.print(f"sop-sync gate: request {key} may NOT merge yet:", markup=False)
    for reason in result.reasons_en:
        out.print(f"  - {reason}", markup=False, highlight=False)
    raise ViolationError(f"merge request blocked: request {key!r} is not signed off (UAT)")


gate_app = typer.Typer(help="Gates for CI pipelines.", no_args_is_help=True)
gate_app.command("merge-request")(gate_merge_request)


def register(app: typer.Typer) -> None:
    """Add the enforcement commands to the main app."""
    app.command("check")(check_command)
    app.add_typer(gate_app, name="gate")
