"""A request (permohonan): what the analyst gives when opening one, as a plain value.

Also how it is kept in the epic's marker data (:meth:`RequestInput.as_data`), including the
ordering links the epic records (``tautan``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field

from sop_sync.errors import InputError

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+:-]{0,99}")
"""A tracker username (GitLab), login name (Jira Data Center) or account id (Jira Cloud)."""
ROLE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")

LINKS_KEY = "tautan"
"""Epic data key listing the ordering links the request has, e.g. ``1>2,2>3``.

Trackers whose links cannot be listed in bulk (GitLab) keep in it the links they confirmed,
so reconciling needs no per-issue link reads.
"""


def format_links(links: tuple[tuple[int, int], ...]) -> str:
    """``((1, 2), (2, 3))`` -> ``1>2,2>3``."""
    return ",".join(f"{a}>{b}" for a, b in links)


def parse_links(text: str) -> frozenset[tuple[int, int]]:
    """Inverse of :func:`format_links`; malformed items are ignored."""
    pairs = (item.partition(">") for item in text.split(",") if item)
    return frozenset((int(a), int(b)) for a, _, b in pairs if a.isdigit() and b.isdigit())


@dataclass(frozen=True)
class RequestInput:
    """Title, key, requesting agency, start date, people per role, application repository."""

    key: str
    sop_id: str
    title: str
    start: dt.date
    requester: str = ""
    people: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(role id, usernames) pairs, in role order."""
    repo: str = ""
    answers: tuple[tuple[int, bool], ...] = field(default=())
    """Decision answers recorded so far (step number, Ya?)."""

    def __post_init__(self) -> None:
        for role, names in self.people:
            if not ROLE_ID.fullmatch(role):
                raise InputError(f"malformed role id {role!r}: a-z, 0-9 and '-' (like 'analis')")
            for name in names:
                if not USERNAME.fullmatch(name):
                    raise InputError(
                        f"malformed username {name!r} for role {role!r}: letters, digits and "
                        "_ . @ + : - only"
                    )

    def people_for(self, role_id: str) -> tuple[str, ...]:
        """Usernames assigned to ``role_id`` (empty when nobody is)."""
        return next((names for role, names in self.people if role == role_id), ())

    def as_data(self) -> tuple[tuple[str, str], ...]:
        """The request as string pairs, kept in the epic's hidden marker."""
        people = json.dumps({role: list(names) for role, names in self.people}, sort_keys=False)
        answers = ",".join(f"{n}={'ya' if yes else 'tidak'}" for n, yes in self.answers)
        return (
            ("sop", self.sop_id),
            ("judul", self.title),
            ("mulai", self.start.isoformat()),
            ("pemohon", self.requester),
            ("peran", people),
            ("repo", self.repo),
            ("keputusan", answers),
        )

    @classmethod
    def from_data(cls, key: str, data: dict[str, str]) -> RequestInput:
        """Read a request back from the epic's marker data (inverse of :meth:`as_data`)."""
        people = _people_from(data.get("peran", ""))
        answers = tuple(
            (int(n), value == "ya")
            for n, _, value in (
                item.partition("=") for item in data.get("keputusan", "").split(",")
            )
            if n
        )
        return cls(
            key=key,
            sop_id=data["sop"],
            title=data.get("judul", key),
            start=dt.date.fromisoformat(data["mulai"]),
            requester=data.get("pemohon", ""),
            people=people,
            repo=data.get("repo", ""),
            answers=answers,
        )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _people_from(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Role holders as kept in the marker: JSON, or the older ``role=a,b;role2=c`` form."""
    if text.startswith("{"):
        loaded = json.loads(text)
        if not isinstance(loaded, dict) or not all(isinstance(v, list) for v in loaded.values()):
            raise ValueError("peran is not a mapping of role ids to usernames")
        return tuple((str(role), tuple(str(n) for n in names)) for role, names in loaded.items())
    return tuple(
        (role, tuple(n for n in names.split(",") if n))
        for role, _, names in (item.partition("=") for item in text.split(";"))
        if role
    )


def parse_date(text: str) -> dt.date:
    """``2026-12-01`` -> a date, or a clear error (a well-formed but impossible date says so)."""
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        raise InputError(f"malformed date {text!r}: write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"no such date {text!r}: {error}") from None


def names_per_role(value: object) -> object:
    """Let ``role: name`` stand for ``role: [name]`` in YAML (pydantic before-validator)."""
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


def derive_key(title: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A short slug from the title (``Aplikasi Absensi Pegawai`` -> ``aplikasi-absensi-pegawai``).

    Cut at 30 characters on a word boundary; ``-2``, ``-3`` ... appended while taken.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 30:
            break
        slug = candidate
    slug = slug or "permohonan"
    if len(slug) < 2:
        slug = f"{slug}-permohonan"
    key, n = slug, 2
    while key in taken:
        key, n = f"{slug}-{n}", n + 1
    return key
