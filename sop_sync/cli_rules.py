"""Enforcement commands: `check` (verdicts, `--fix`) and `gate merge-request` (GitLab CI)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sop_sync import engine
from sop_sync.cli_requests import ConfigOption, TrackerOption, print_changes, tracker_for
from sop_sync.config import Settings, load_settings
from sop_sync.enforce import check, fix
from sop_sync.errors import ConfigError, InputError, TrackerError, ViolationError
from sop_sync.gate import gate, key_from_description
from sop_sync.rules import Evaluation
from sop_sync.sop.registry import find_sop
from sop_sync.trackers.base import Tracker
from sop_sync.trackers.gitlab import GitLabTracker

STATE_WORDS = {"opened": "terbuka", "closed": "selesai"}


def verdict_table(key: str, evaluation: Evaluation) -> Table:
    """One row per step: state, verdict, reasons."""
    table = Table(title=f"Pemeriksaan SOP · {key}", show_lines=True)
    for header in ("No", "Langkah", "Status", "Vonis", "Alasan"):
        table.add_column(header)
    for verdict in evaluation.verdicts:
        if verdict.skipped:
            state = "dilewati"
        elif verdict.state is None:
            state = "belum ada"
        else:
            state = STATE_WORDS[verdict.state.value]
        word = "MELANGGAR" if verdict.violated else ("belum" if verdict.reasons else "ok")
        table.add_row(
            str(verdict.number), verdict.title[5:], state, word, "\n".join(verdict.reasons)
        )
    return table


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
    console = Console()
    violated: list[str] = []
    with tracker_for(settings) as opened:
        for summary in engine.open_requests(opened, kunci):
            request = engine.request_of(summary)
            sop = find_sop(settings.mappings_dir, request.sop_id)
            evaluation = check(opened, sop, request)
            console.print(verdict_table(summary.key, evaluation))
            if evaluation.corrections:
                counts = ", ".join(
                    f"langkah {n}: {c}×" for n, c in sorted(evaluation.corrections.items())
                )
                console.print(f"koreksi: {counts}")
            if evaluation.violated:
                violated.append(summary.key)
            if fix_it and evaluation.changes:
                failures = fix(opened, evaluation)
                print_changes(console, list(evaluation.changes))
                if failures:
                    lines = [f"{c.describe()}: {m}" for c, m in failures]
                    raise TrackerError("\n".join(["some fixes failed (re-run to retry):", *lines]))
            elif evaluation.changes:
                console.print(f"{len(evaluation.changes)} corrective changes: run with --fix")
    if violated:
        raise ViolationError(f"SOP violated in: {', '.join(violated)}")


def _merge_request_key(opened: Tracker, env: Mapping[str, str]) -> str:
    """The request an MR belongs to: a `SOP: <kunci>` line, else the issues it closes."""
    key = key_from_description(env.get("CI_MERGE_REQUEST_DESCRIPTION"))
    if key:
        return key
    project_id = env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID")
    iid = env.get("CI_MERGE_REQUEST_IID")
    if not (project_id and iid):
        raise InputError(
            "not in a merge-request pipeline: CI_MERGE_REQUEST_IID is not set "
            '(run the job with `rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`)'
        )
    if not isinstance(opened, GitLabTracker):
        raise ConfigError("the merge-request gate needs the GitLab tracker")
    key = opened.merge_request_key(project_id, int(iid))
    if key:
        return key
    raise InputError(
        f"merge request !{iid} names no request: add a line `SOP: <kunci>` to its description "
        "or close a step issue with it ('Closes #12')"
    )


def gate_settings(config: Path | None, env: Mapping[str, str]) -> Settings:
    """GitLab settings from CI variables: CI_API_V4_URL and the project of the requests."""
    settings = load_settings(config, tracker_kind="gitlab")
    url = settings.tracker.url or env.get("CI_API_V4_URL", "").removesuffix("/api/v4") or None
    project = settings.tracker.project or env.get("CI_PROJECT_PATH")
    tracker_settings = settings.tracker.model_copy(update={"url": url, "project": project})
    return settings.model_copy(update={"tracker": tracker_settings})


def gate_merge_request(config: ConfigOption = None) -> None:
    """GitLab CI: fail the merge-request pipeline until the request's UAT is signed off.

    Reads CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_PROJECT_ID, CI_MERGE_REQUEST_DESCRIPTION and
    CI_API_V4_URL; the token comes from SOP_SYNC_GITLAB_TOKEN (a masked variable, read_api).

    Example (in .gitlab-ci.yml): include templates/ci/sop-gate.gitlab-ci.yml
    """
    env = os.environ
    settings = gate_settings(config, env)
    console = Console()
    with tracker_for(settings) as opened:
        key = _merge_request_key(opened, env)
        summary = next((s for s in opened.requests() if s.key == key), None)
        if summary is None:
            raise InputError(f"no request {key!r} in {settings.tracker.project}")
        request = engine.request_of(summary)
        sop = find_sop(settings.mappings_dir, request.sop_id)
        result = gate(sop, check(opened, sop, request))
    if result.passed:
        console.print(
            f"sop-sync gate: permohonan {key}: UAT disetujui, boleh digabung "
            "(UAT signed off: may merge)"
        )
        return
    console.print(f"sop-sync gate: permohonan {key} BELUM boleh digabung:", markup=False)
    for reason in result.reasons_id:
        console.print(f"  - {reason}", markup=False, highlight=False)
    console.print(f"sop-sync gate: request {key} may NOT merge yet:", markup=False)
    for reason in result.reasons_en:
        console.print(f"  - {reason}", markup=False, highlight=False)
    raise ViolationError(f"merge request blocked: request {key!r} is not signed off (UAT)")


gate_app = typer.Typer(help="Gates for CI pipelines.", no_args_is_help=True)
gate_app.command("merge-request")(gate_merge_request)


def register(app: typer.Typer) -> None:
    """Add the enforcement commands to the main app."""
    app.command("check")(check_command)
    app.add_typer(gate_app, name="gate")
