"""Request commands: open, status, sync, demo, and `issue` for the local tracker."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sop_sync import engine
from sop_sync.changes import Attach, Change, Close, Comment, Ref, Reopen
from sop_sync.config import Settings, load_settings
from sop_sync.enforce import repositories
from sop_sync.errors import InputError, NotFoundError, TrackerError
from sop_sync.request import KEY_PATTERN, RequestInput, derive_key, parse_date
from sop_sync.requestfile import RequestFile, load_request_file
from sop_sync.sop.model import Sop
from sop_sync.sop.registry import find_sop
from sop_sync.status import RequestStatus, request_status
from sop_sync.texts import JinjaTexts
from sop_sync.trackers.base import Tracker
from sop_sync.trackers.factory import open_tracker
from sop_sync.views_status import overview_table, status_tree

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", envvar="SOP_SYNC_CONFIG", help="Configuration file [default: ./sop-sync.yaml]."
    ),
]


DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")]
TrackerOption = Annotated[
    str | None,
    typer.Option("--tracker", help="local or gitlab [default: sop-sync.yaml, else local]."),
]


def print_changes(console: Console, changes: list[Change]) -> None:
    """One line per planned or applied change."""
    for change in changes:
        console.print(f"  {change.describe()}", markup=False, highlight=False)


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


@contextmanager
def tracker_for(settings: Settings) -> Iterator[Tracker]:
    """Open the configured tracker and close it afterwards."""
    tracker = open_tracker(settings)
    try:
        yield tracker
    finally:
        tracker.close()


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[engine.Progress]:
    """A progress bar on stderr advanced once per applied change."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=None)

        def advance(change: Change) -> None:
            bar.update(task, advance=1, description=f"{label}: {change.describe()[:50]}")

        yield advance


def build_request(
    sop: Sop, settings: Settings, tracker: Tracker, form: RequestFile, people: list[str]
) -> RequestInput:
    """Merge flags, request file and default people into one checked request."""
    if not form.title:
        raise InputError("a request needs a title: --judul '...' (or judul: in --file)")
    taken = {summary.key for summary in tracker.requests()}
    key = form.key or derive_key(form.title, taken)
    if not KEY_PATTERN.match(key):
        raise InputError(f"malformed --kunci {key!r}: 2-40 characters a-z, 0-9 and '-'")
    defaults = {r: names for r, names in settings.people.items() if r in {x.id for x in sop.roles}}
    merged = {**defaults, **form.people, **dict(parse_people(people))}
    request = RequestInput(
        key=key,
        sop_id=sop.id,
        title=form.title,
        start=form.start or settings.calendar.calendar().next_working_day(dt.date.today()),
        requester=form.requester or "",
        people=tuple(merged.items()),
        repo=form.repo or "",
    )
    engine.check_request(sop, request, settings)
    engine.ensure_same_sop(tracker, request)
    return request


def open_command(
    sop_id: Annotated[str, typer.Argument(help="SOP id, e.g. karanganyar (see `sop list`).")],
    judul: Annotated[str | None, typer.Option(help="Title of the application request.")] = None,
    kunci: Annotated[
        str | None, typer.Option(help="Short key [default: derived from the title].")
    ] = None,
    pemohon: Annotated[str | None, typer.Option(help="The requesting agency (PD/OPD).")] = None,
    mulai: Annotated[
        str | None, typer.Option(help="Start date YYYY-MM-DD [default: next working day].")
    ] = None,
    peran: Annotated[
        list[str] | None, typer.Option(help="Person for a role: role-id=username (repeatable).")
    ] = None,
    repo: Annotated[
        str | None, typer.Option(help="The application's source repository URL.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Request file (YAML) with the same fields.")
    ] = None,
    dry_run: DryRunOption = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Open a request: an epic, one issue per step, labels, phase milestones, links.

    Example: sop-sync open karanganyar --judul "Aplikasi Absensi" --pemohon BKD
    --mulai 2026-12-01 --peran analis-sistem=sari --peran tim-pengembang=budi
    """
    settings = load_settings(config, tracker_kind=tracker)
    sop = find_sop(settings.mappings_dir, sop_id)
    form = load_request_file(file) if file else RequestFile()
    if form.sop and form.sop != sop_id:
        raise InputError(f"{file} is for SOP {form.sop!r}, not {sop_id!r}")
    overrides = {"judul": judul, "kunci": kunci, "pemohon": pemohon, "repo": repo}
    fields = {k: v for k, v in overrides.items() if v is not None}
    if mulai is not None:
        fields["mulai"] = parse_date(mulai).isoformat()
    form = RequestFile.model_validate({**form.model_dump(by_alias=True), **fields})
    console = Console()
    with tracker_for(settings) as opened:
        request = build_request(sop, settings, opened, form, peran or [])
        texts = JinjaTexts()
        if dry_run:
            changes = engine.plan_changes(opened, sop, request, settings, texts)
            print_changes(console, changes)
            console.print(
                f"dry run: {len(changes)} changes planned for {request.key}; nothing written"
            )
            return
        with progress_bar(Console(stderr=True), f"opening {request.key}") as advance:
            outcome = engine.converge(opened, sop, request, settings, texts, advance)
    report(console, outcome)
    if outcome.ok:
        console.print(f"opened {request.key}: sop-sync status {request.key}")


def report(console: Console, outcome: engine.Outcome) -> None:
    """Print what a run did; raise when anything failed."""
    console.print(f"{outcome.key}: {len(outcome.applied)} changes applied")
    if outcome.failures:
        lines = [f"{outcome.key}: {len(outcome.failures)} changes failed (re-run to retry):"]
        lines += [f"  {change.describe()}: {message}" for change, message in outcome.failures]
        raise TrackerError("\n".join(lines))


def _statuses(tracker: Tracker, settings: Settings, key: str | None) -> list[RequestStatus]:
    today = dt.date.today()
    found = engine.open_requests(tracker, key) if key else tracker.requests()
    statuses = []
    for summary in found:
        request = engine.request_of(summary)
        sop = find_sop(settings.mappings_dir, request.sop_id)
        observed = tracker.observe(summary.key)
        repos = repositories(tracker, sop, request, observed)  # as `check` sees them
        statuses.append(request_status(sop, request, observed, today, repos))
    return statuses


def status_command(
    kunci: Annotated[
        str | None, typer.Argument(help="Request key [default: all, one line each].")
    ] = None,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Show requests: one line each, or one request as a tree of its steps.

    Example: sop-sync status absensi
    """
    settings = load_settings(config, tracker_kind=tracker)
    console = Console()
    with tracker_for(settings) as opened:
        statuses = _statuses(opened, settings, kunci)
    if kunci:
        console.print(status_tree(statuses[0]))
    elif statuses:
        console.print(overview_table(statuses))
    else:
        console.print("no requests yet: sop-sync open <sop-id> --judul '...'")


def sync_command(
    kunci: Annotated[
        str | None, typer.Argument(help="Request key [default: every open request].")
    ] = None,
    dry_run: DryRunOption = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Reconcile requests with their SOP files (new steps, changed times, renamed roles).

    Example: sop-sync sync            # every open request
    """
    settings = load_settings(config, tracker_kind=tracker)
    console = Console()
    texts = JinjaTexts()
    failed: list[engine.Outcome] = []
    with tracker_for(settings) as opened:
        summaries = engine.open_requests(opened, kunci)
        with progress_bar(Console(stderr=True), "syncing") as advance:
            for summary in summaries:
                if dry_run:
                    request = engine.request_of(summary)
                    sop = find_sop(settings.mappings_dir, request.sop_id)
                    changes = engine.plan_changes(opened, sop, request, settings, texts)
                    console.print(f"{summary.key}: {len(changes)} changes planned")
                    print_changes(console, changes)
                    continue
                outcome = engine.sync_request(opened, summary, settings, texts, advance)
                if outcome.applied:
                    console.print(f"{summary.key}: {len(outcome.applied)} changes applied")
                    print_changes(console, outcome.applied)
                if not outcome.ok:
                    failed.append(outcome)
    console.print(f"{len(summaries)} requests checked")
    for outcome in failed:
        report(console, outcome)


def _local_only(settings: Settings) -> None:
    if settings.tracker.kind != "local":
        raise InputError(
            f"`sop-sync issue` acts on the local tracker; on {settings.tracker.kind} "
            "people use the tracker itself"
        )


def act(settings: Settings, change: Change, actor: str) -> None:
    """Do what a person would do in a tracker's UI, on the local tracker."""
    _local_only(settings)
    with tracker_for(settings) as tracker:
        ref = getattr(change, "ref", None)
        if isinstance(ref, Ref):
            observed = tracker.observe(ref.key)
            if observed.epic is None:
                raise NotFoundError(f"no request {ref.key!r} in this tracker")
            if ref.step is not None and ref.step not in observed.steps:
                raise NotFoundError(f"request {ref.key!r} has no step {ref.step}")
        tracker.apply(change, actor=actor)
    Console().print(f"{change.describe()} (as {actor})", markup=False, highlight=False)


issue_app = typer.Typer(
    help="Act on step issues of the local tracker as a person would.", no_args_is_help=True
)
Actor = Annotated[str, typer.Option("--as", help="Who acts (a username).")]


@issue_app.command("close")
def issue_close(kunci: str, no: int, actor: Actor, config: ConfigOption = None) -> None:
    """Close a step issue.

    Example: sop-sync issue close absensi 1 --as andi
    """
    act(load_settings(config), Close(Ref(kunci, no)), actor)


@issue_app.command("reopen")
def issue_reopen(kunci: str, no: int, actor: Actor, config: ConfigOption = None) -> None:
    """Reopen a step issue.

    Example: sop-sync issue reopen absensi 1 --as andi
    """
    act(load_settings(config), Reopen(Ref(kunci, no)), actor)


@issue_app.command("comment")
def issue_comment(
    kunci: str, no: int, text: str, actor: Actor, config: ConfigOption = None
) -> None:
    """Comment on a step issue.

    Example: sop-sync issue comment absensi 2 "Sudah dibahas" --as sari
    """
    if not text.strip():
        raise InputError("the comment is empty")
    act(load_settings(config), Comment(Ref(kunci, no), text), actor)


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
    act(load_settings(config), Attach(Ref(kunci, no), path.name, content), actor)


DEMO_PEOPLE = (
    "analis-sistem=sari",
    "tim-pengembang=budi",
    "seksi-psi=andi",
    "pd-pengampu=dewi",
    "seksi-egov=eko",
)


def demo_command(
    folder: Annotated[
        Path | None,
        typer.Option(help="Folder for the demo tracker [default: a new temporary folder]."),
    ] = None,
) -> None:
    """Run the product end to end on a fresh local tracker and print the status tree.

    Opens a sample request on the Karanganyar SOP, walks a few steps as different people,
    attaches a DFD, and shows where the request stands.

    Example: sop-sync demo --folder /tmp/sop-demo
    """
    base = folder or Path(tempfile.mkdtemp(prefix="sop-sync-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    db = base / "tracker.db"
    if db.exists():
        raise InputError(f"{db} exists: give an empty --folder for a fresh demo")
    console = Console()
    console.print(f"demo tracker: {db}")
    settings = load_settings(environ={"SOP_SYNC_DB": str(db), "SOP_SYNC_TRACKER": "local"})
    sop = find_sop(settings.mappings_dir, "karanganyar")
    form = RequestFile.model_validate(
        {
            "judul": "Aplikasi Absensi Pegawai",
            "kunci": "absensi",
            "pemohon": "Badan Kepegawaian Daerah",
            "mulai": "2026-12-01",
            "repo": "https://git.karanganyarkab.go.id/bkd/absensi",
        }
    )
    with tracker_for(settings) as tracker:
        request = build_request(sop, settings, tracker, form, list(DEMO_PEOPLE))
        outcome = engine.converge(tracker, sop, request, settings, JinjaTexts())
        report(console, outcome)
        dfd = base / "absensi-dfd.png"
        dfd.write_bytes(b"\x89PNG demo DFD")
        walk: list[tuple[Change, str]] = [
            (
                Comment(Ref("absensi", 1), "Kebutuhan aplikasi sudah diidentifikasi bersama BKD."),
                "andi",
            ),
            (Close(Ref("absensi", 1)), "andi"),
            (Close(Ref("absensi", 2)), "andi"),
            (Close(Ref("absensi", 3)), "andi"),
            (Attach(Ref("absensi", 7), dfd.name, dfd.read_bytes()), "sari"),
        ]
        for change, actor in walk:
            tracker.apply(change, actor=actor)
            console.print(f"  {actor}: {change.describe()}", markup=False, highlight=False)
        statuses = _statuses(tracker, settings, "absensi")
    console.print(status_tree(statuses[0]))
    console.print(f"try: SOP_SYNC_DB={db} sop-sync status absensi")


gitlab_app = typer.Typer(help="GitLab: prepare a project for sop-sync.", no_args_is_help=True)


@gitlab_app.command("setup")
def gitlab_setup(
    project: Annotated[str, typer.Argument(help="Project path, e.g. diskominfo/aplikasi.")],
    group: Annotated[str | None, typer.Option(help="Group of the project (for epics).")] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Register the project webhook to this URL.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Create the labels, turn on "Pipelines must succeed", register the webhook. Idempotent.

    The webhook secret comes from SOP_SYNC_WEBHOOK_SECRET (never from a file or an option).

    Example: SOP_SYNC_WEBHOOK_SECRET=... sop-sync gitlab setup diskominfo/aplikasi
    --webhook-url https://sop.diskominfo.go.id/hook
    """
    from sop_sync.sop.loader import load_sop, sop_files
    from sop_sync.trackers.gitlab_connect import open_gitlab
    from sop_sync.trackers.gitlab_setup import setup_project

    settings = load_settings(config, tracker_kind="gitlab")
    tracker_settings = settings.tracker.model_copy(
        update={"project": project, "group": group or settings.tracker.group}
    )
    settings = settings.model_copy(update={"tracker": tracker_settings})
    secret = os.environ.get("SOP_SYNC_WEBHOOK_SECRET")
    if webhook_url and not secret:
        raise InputError("--webhook-url needs the secret in SOP_SYNC_WEBHOOK_SECRET")
    sops = [load_sop(path) for path in sop_files([settings.mappings_dir])]
    opened = open_gitlab(settings)
    done = setup_project(opened, sops, webhook_url, secret)
    console = Console()
    for line in done:
        console.print(f"  {line}", markup=False, highlight=False)
    console.print(f"{project}: {len(done)} changes" if done else f"{project}: already set up")


def register(app: typer.Typer) -> None:
    """Add the request commands to the main app."""
    app.command("open")(open_command)
    app.command("status")(status_command)
    app.command("sync")(sync_command)
    app.command("demo")(demo_command)
    app.add_typer(issue_app, name="issue")
    app.add_typer(gitlab_app, name="gitlab")
