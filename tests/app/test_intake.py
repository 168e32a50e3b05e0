"""`/sop buka <sop-id>` on an issue written with the request template, on the emulators.

Through the real clients (python-gitlab, jira) and each adapter's `connect`, as the service
runs it: one request, one answer linking the epic, and nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import gitlab
import pytest

from sop_sync.app.intake import SOURCE_KEY, open_from_issue
from sop_sync.config import GitLabSettings, JiraSettings, Settings
from sop_sync.resources import BUNDLED_MAPPINGS, request_template
from sop_sync.trackers.base import Connection
from sop_sync.trackers.gitlab import connect as gitlab_connect
from sop_sync.trackers.jira import connect as jira_connect
from tests.fakes.gitlab import FakeGitLab
from tests.trackers.jira.backends import secret, seeded

PROJECT, GROUP = "diskominfo/aplikasi-sop", "diskominfo"
SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)


def template(**values: str) -> str:
    """The shipped template with its fields filled in."""
    text = request_template().read_text(encoding="utf-8")
    for label, value in values.items():
        line = re.compile(rf"^- \*\*{label}:\*\*.*$", re.MULTILINE)
        text = line.sub(lambda _: f"- **{label}:** {value}", text, count=1)  # noqa: B023
    return text


GOOD = template(
    Judul="Aplikasi Absensi Pegawai",
    Pemohon="BKD",
    Mulai="2026-12-01",
    Peran="analis-sistem=@sari",
)


@dataclass
class Site:
    """One emulator as the tests drive it: people write issues and comments, sop-sync answers."""

    connect: Callable[[], Connection]
    write_issue: Callable[[str], str]
    """Make an issue with this description (as sari); its ref."""
    write_comment: Callable[[str, str], str]
    """Comment on ref (as sari); the comment's id."""
    bot_comments: Callable[[str], list[str]]
    """sop-sync's comments on ref."""
    comment_request: Callable[[str, str], str]
    """Comment on a request's epic (GitLab Free: its parent issue), named by its tracker id
    (``Issue.tracker_id``), as sari; the comment's id."""


@contextmanager
def gitlab_site(tier: str) -> Iterator[Site]:
    """The GitLab emulator; people act through Sudo."""
    with FakeGitLab(tier=tier) as fake:
        fake.state.add_project(PROJECT)
        for name in ("sari", "budi"):
            fake.state.add_user(name)
        settings = GitLabSettings(url=fake.url, project=PROJECT, group=GROUP)
        env = {"SOP_SYNC_GITLAB_TOKEN": fake.token}
        client = gitlab.Gitlab(fake.url, private_token=fake.token)
        people = client.projects.get(PROJECT)

        def write_issue(text: str) -> str:
            made = people.issues.create({"title": "Permohonan", "description": text}, sudo="sari")
            return f"{made.project_id}#{made.iid}"

        def write_comment(ref: str, text: str) -> str:
            iid = int(ref.partition("#")[2])
            return str(fake.add_note(PROJECT, iid, text, "sari")["id"])

        def bot_comments(ref: str) -> list[str]:
            pid, _, iid = ref.partition("#")
            notes = fake.state.notes.get(("issue", int(pid), int(iid)), [])
            return [n["body"] for n in notes if n["author"]["username"] == fake.user["username"]]

        def comment_request(iid: str, text: str) -> str:
            if tier == "free":
                return write_comment(f"{PROJECT}#{iid}", text)
            epic = client.groups.get(GROUP, lazy=True).epics.get(int(iid))
            return str(epic.notes.create({"body": text}, sudo="sari").id)

        yield Site(
            lambda: gitlab_connect.connect(settings, environ=env),
            write_issue,
            write_comment,
            bot_comments,
            comment_request,
        )


@contextmanager
def jira_site(flavour: str) -> Iterator[Site]:
    """The Jira emulator; people act with their own tokens."""
    with seeded(flavour) as fake:
        settings = JiraSettings(url=fake.url, project="APL")
        env = {"SOP_SYNC_JIRA_EMAIL": fake.email, "SOP_SYNC_JIRA_TOKEN": fake.token}
        sari = jira_connect.client(fake.url, secret(fake, "sari"), backoff=0.01)

        def write_issue(text: str) -> str:
            fields = {
                "project": {"key": "APL"},
                "summary": "Permohonan",
                "description": wiki(text),
                "issuetype": {"name": "Task"},
            }
            return str(sari.create_issue(fields=fields, prefetch=False).key)

        def write_comment(ref: str, text: str) -> str:
            return str(sari.add_comment(ref, text).id)

        def bot_comments(ref: str) -> list[str]:
            issue = fake.state.issue(ref)
            assert issue is not None
            bot = fake.user["id"]
            # wiki text, its escapes taken out to compare words
            return [
                str(c["body"]).replace("\\", "") for c in issue["comments"] if c["author"] == bot
            ]

        def comment_request(key: str, text: str) -> str:
            return write_comment(key, wiki(text))

        yield Site(
            lambda: jira_connect.connect(settings, environ=env),
            write_issue,
            write_comment,
            bot_comments,
            comment_request,
        )


def wiki(markdown: str) -> str:
    """The template as a person writes it in Jira: `h2.` headings, `*bold*`, `*` items."""
    lines = []
    for line in markdown.split("\n"):
        line = re.sub(r"^## ", "h2. ", line)
        line = re.sub(r"^- \*\*(.+?)\*\*", r"* *\1*", line)
        lines.append(line)
    return "\n".join(lines)


SITES = {
    "gitlab-free": lambda: gitlab_site("free"),
    "gitlab-premium": lambda: gitlab_site("premium"),
    "jira-cloud": lambda: jira_site("cloud"),
}


@pytest.fixture(params=sorted(SITES))
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    """Each tracker in turn."""
    with SITES[request.param]() as running:
        yield running


def run(site: Site, ref: str, note: str | None) -> tuple[str, str | None]:
    """One `/sop buka` handled by a new connection: (status, key)."""
    connection = site.connect()
    try:
        result = open_from_issue(connection, SETTINGS, ref, note)
    finally:
        connection.close()
    return result.status, result.key


def requests_from(site: Site, ref: str) -> list[str]:
    """The keys of the requests opened from issue ``ref``."""
    connection = site.connect()
    try:
        found = connection.tracker.requests()
    finally:
        connection.close()
    return [s.key for s in found if s.data.get(SOURCE_KEY) == ref]


def epic_url(site: Site, key: str) -> str:
    """The web address of request ``key``'s epic."""
    connection = site.connect()
    try:
        epic = connection.tracker.observe(key, history=False).epic
    finally:
        connection.close()
    assert epic is not None
    assert epic.web_url
    return epic.web_url


def test_buka_opens_one_request_and_answers_once(site: Site) -> None:
    """The request is opened from the fields; the answer links the epic; a repeat does nothing."""
    ref = site.write_issue(GOOD)
    note = site.write_comment(ref, "Mohon diproses.\n\n/sop buka karanganyar")
    assert run(site, ref, note) == ("opened", "aplikasi-absensi-pegawai")
    assert requests_from(site, ref) == ["aplikasi-absensi-pegawai"]
    [answer] = site.bot_comments(ref)
    assert f"`aplikasi-absensi-pegawai` dibuka: {epic_url(site, 'aplikasi-absensi-pegawai')}" in (
        answer.replace("{{", "`").replace("}}", "`").replace("[http", "http").replace("]\n", "\n")
    )
    assert "Selasa, 1 Desember 2026" in answer
    assert run(site, ref, note) == ("answered", "aplikasi-absensi-pegawai")
    assert len(site.bot_comments(ref)) == 1
    again = site.write_comment(ref, "/sop buka karanganyar")
    assert run(site, ref, again) == ("unchanged", "aplikasi-absensi-pegawai")
    assert requests_from(site, ref) == ["aplikasi-absensi-pegawai"]
    assert "sudah dibuka" in site.bot_comments(ref)[-1]


def test_a_malformed_template_gets_one_comment_naming_the_line(site: Site) -> None:
    """The answer names the bad line; nothing is opened; the same command is answered once."""
    text = template(Judul="Absensi", Mulai="31-13-2026")
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "31-13-2026" in row)
    ref = site.write_issue(text)
    note = site.write_comment(ref, "/sop buka karanganyar")
    assert run(site, ref, note) == ("invalid", None)
    [answer] = site.bot_comments(ref)
    assert f"baris {line}: tanggal" in answer
    assert "31-13-2026" in answer
    assert run(site, ref, note) == ("answered", None)
    assert len(site.bot_comments(ref)) == 1
    assert requests_from(site, ref) == []


def test_an_unknown_sop_is_answered(site: Site) -> None:
    """`/sop buka` with an SOP id that does not exist says which ones do."""
    ref = site.write_issue(GOOD)
    note = site.write_comment(ref, "/sop buka tidak-ada")
    assert run(site, ref, note) == ("invalid", None)
    [answer] = site.bot_comments(ref)
    assert "tidak-ada" in answer
    assert "karanganyar" in answer


def test_a_quoted_command_or_another_note_is_not_obeyed(site: Site) -> None:
    """A quoted `/sop buka` opens nothing; a note without the command is ignored."""
    ref = site.write_issue(GOOD)
    quoted = site.write_comment(ref, "> /sop buka karanganyar")
    assert run(site, ref, quoted) == ("ignored", None)
    assert site.bot_comments(ref) == []
    assert requests_from(site, ref) == []


def test_the_command_in_the_description(site: Site) -> None:
    """Without a note, the command may stand in the description; answered once per text."""
    ref = site.write_issue(GOOD + "\n/sop buka karanganyar\n")
    assert run(site, ref, None) == ("opened", "aplikasi-absensi-pegawai")
    assert run(site, ref, None) == ("answered", "aplikasi-absensi-pegawai")
    assert len(site.bot_comments(ref)) == 1


def test_a_request_opened_elsewhere_is_not_taken_over() -> None:
    """A request with the same title opened otherwise keeps its key; the new one gets `-2`."""
    with gitlab_site("free") as site:
        first = site.write_issue(GOOD)
        assert run(site, first, site.write_comment(first, "/sop buka karanganyar"))[0] == "opened"
        other = template(Judul="Aplikasi Absensi Pegawai", Pemohon="Dinas Lain")
        second = site.write_issue(other)
        note = site.write_comment(second, "/sop buka karanganyar")
        # the first was opened from another issue: its `sumber` says so
        assert run(site, second, note) == ("opened", "aplikasi-absensi-pegawai-2")


def test_only_the_openers_may_open_a_request(site: Site) -> None:
    """Only the people `service.openers` names may open a request.

    With `[analis-sistem]` and budi as the analyst, sari is refused, and answered once; named
    herself, sari may open it.
    """
    ref = site.write_issue(GOOD)
    note = site.write_comment(ref, "/sop buka karanganyar")
    only_budi = SETTINGS.model_copy(
        update={
            "service": SETTINGS.service.model_copy(update={"openers": ("analis-sistem",)}),
            "people": {"analis-sistem": ("budi",)},
        }
    )
    for _ in range(2):
        connection = site.connect()
        try:
            result = open_from_issue(connection, only_budi, ref, note)
        finally:
            connection.close()
        assert result.status in ("refused", "answered")
    assert requests_from(site, ref) == []
    [answer] = site.bot_comments(ref)
    assert "tidak termasuk yang boleh membuka permohonan" in answer
    sari = SETTINGS.model_copy(
        update={"service": SETTINGS.service.model_copy(update={"openers": ("sari",)})}
    )
    again = site.write_comment(ref, "/sop buka karanganyar")
    connection = site.connect()
    try:
        assert open_from_issue(connection, sari, ref, again).status == "opened"
    finally:
        connection.close()
