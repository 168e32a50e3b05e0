r"""The request template: an issue's fields block read into what ``sop-sync open`` takes. Pure.

The template (``templates/gitlab/issue_templates/Permohonan Aplikasi.md``) starts with::

    ## Data Permohonan

    - **Judul:** Aplikasi Absensi Pegawai
    - **Pemohon:** Badan Kepegawaian Daerah
    - **Mulai:** 2026-12-01
    - **Peran:** analis-sistem=@sari
    - **Peran:** tim-pengembang=@budi, @citra
    - **Repositori:** https://git.example.go.id/bkd/absensi

then the sections the KAK reads (``## Latar Belakang`` ...). The field names are the request
file's (:mod:`sop_sync.app.requestfile`: ``judul``, ``pemohon``, ``mulai``, ``peran``,
``repo``/``repositori``, ``kunci``); the values are checked as ``sop-sync open`` checks them.
Only the list items of the ``Data Permohonan`` section count (without that heading: the list
items before the first heading), as a CommonMark parser (markdown-it-py) reads them: never
inside code, HTML comments (the template's help text) or block quotes. Every problem names
its line of the text (``baris 7: ...``) so the person can find it; line numbers count from 1
as the tracker's editor shows them (``\r\n`` and ``\r`` end a line too).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sop_sync.errors import InputError
from sop_sync.model.request import KEY_PATTERN, USERNAME
from sop_sync.model.text import echo, one_line
from sop_sync.schedule.calendar import LAST_DAY
from sop_sync.sop.model import Sop

MAX_TEXT = 100_000
"""Characters of a description that are read (the fields block is at its top)."""
MAX_TITLE = 200
FIELDS_HEADING = "data permohonan"
FIELD_NAMES = {
    "judul": "judul",
    "nama aplikasi": "judul",
    "pemohon": "pemohon",
    "instansi pemohon": "pemohon",
    "mulai": "mulai",
    "tanggal mulai": "mulai",
    "peran": "peran",
    "pelaksana": "peran",
    "repositori": "repo",
    "repo": "repo",
    "kunci": "kunci",
}
"""How a field may be labelled (compared in lower case, spaces collapsed) -> the field."""
SHOWN = "Judul, Pemohon, Mulai, Peran, Repositori, Kunci"

_PARSER = MarkdownIt("commonmark")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?P<rest>.*)$")
_BOLD = re.compile(r"^(\*\*|__|\*|_)(?P<label>.+?)\1(?P<after>.*)$")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://[^\s<>()\[\]`\"']+")
_NAMES = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the template, at a line (0: the text as a whole)."""

    line: int
    text: str

    def describe(self) -> str:
        """``baris 7: ...`` (Bahasa Indonesia: it is answered in the tracker)."""
        return f"baris {self.line}: {self.text}" if self.line else self.text


class TemplateError(InputError):
    """The template cannot be read; every problem names its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.describe() for problem in problems))


@dataclass(frozen=True)
class Intake:
    """What the template says, as ``sop-sync open`` takes it (None or empty: not written)."""

    title: str
    requester: str | None = None
    start: dt.date | None = None
    people: tuple[tuple[str, tuple[str, ...]], ...] = ()
    repo: str | None = None
    key: str | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    """The line each field was written on (to name it when opening the request fails)."""


@dataclass
class _Field:
    line: int
    name: str
    value: str
    nested: list[tuple[int, str]] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return re.sub(r"\r\n?", "\n", text).split("\n")


def _label(text: str) -> str:
    return " ".join(text.casefold().split())


def _heading(text: str) -> str:
    """``1. Data Permohonan:`` -> ``data permohonan``."""
    return " ".join(re.sub(r"[^\w ]+|^\d+", " ", text.casefold()).split())


def _split(rest: str) -> tuple[str, str] | None:
    """``**Judul:** x``, ``**Judul**: x`` or ``Judul: x`` -> ("Judul", "x")."""
    bold = _BOLD.match(rest)
    if bold is not None:
        label, after = bold["label"].strip(), bold["after"].strip()
        if label.endswith(":"):
            return label[:-1].strip(), after
        if after.startswith(":"):
            return label, after[1:].strip()
        return None
    label, colon, value = rest.partition(":")
    return (label.strip(), value.strip()) if colon and label.strip() else None


def _items(text: str) -> list[tuple[int, int]]:
    """``(line index, list depth)`` of the list items of the fields block."""
    tokens = _PARSER.parse(text)
    has_heading = any(
        t.type == "inline" and _heading(t.content) == FIELDS_HEADING
        for i, t in enumerate(tokens)
        if i and tokens[i - 1].type == "heading_open"
    )
    found: list[tuple[int, int]] = []
    inside = not has_heading  # before any heading, when the heading is not there
    quotes = lists = 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            title = _heading(tokens[i + 1].content)
            inside = has_heading and title == FIELDS_HEADING and quotes == 0
        elif token.type == "blockquote_open":
            quotes += 1
        elif token.type == "blockquote_close":
            quotes -= 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif token.type == "list_item_open" and inside and not quotes and _item_text(tokens, i):
            found.append((token.map[0] if token.map else 0, lists))
    return found


def _item_text(tokens: list[Token], at: int) -> bool:
    """Whether the list item opening at ``at`` starts with a paragraph (not an empty item)."""
    return at + 1 < len(tokens) and tokens[at + 1].type == "paragraph_open"


def _fields(text: str) -> tuple[list[_Field], list[Problem]]:
    lines = _lines(text)
    fields: list[_Field] = []
    problems: list[Problem] = []
    for index, depth in _items("\n".join(lines)):
        number = index + 1
        match = _ITEM.match(lines[index])
        rest = match["rest"].strip() if match else lines[index].strip()
        if depth > 1:
            if fields and fields[-1].name == "peran":
                fields[-1].nested.append((number, rest))
            else:
                problems.append(Problem(number, "hanya Peran yang boleh berisi daftar"))
            continue
        split = _split(rest)
        if split is None:
            problems.append(
                Problem(number, f"tulis kolom sebagai `- **Kolom:** isi` (kolom: {SHOWN})")
            )
            continue
        label, value = split
        name = FIELD_NAMES.get(_label(label))
        if name is None:
            problems.append(
                Problem(number, f'kolom "{echo(label, 40)}" tidak dikenal (kolom: {SHOWN})')
            )
            continue
        fields.append(_Field(number, name, value))
    return fields, problems


def _date(line: int, value: str, problems: list[Problem]) -> dt.date | None:
    if not value:
        return None
    if not _ISO.fullmatch(value):
        problems.append(
            Problem(line, f'tanggal "{echo(value, 40)}" tidak dikenal (pakai YYYY-MM-DD)')
        )
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(line, f'tanggal "{value}" tidak ada di kalender'))
        return None
    if day > LAST_DAY:
        problems.append(Problem(line, f'tanggal "{value}" terlalu jauh (paling lambat {LAST_DAY})'))
        return None
    return day


def _role(sop: Sop, written: str) -> str | None:
    wanted = _label(written.replace("-", " ").replace("_", " "))
    for role in sop.roles:
        if written == role.id or wanted in (_label(role.id.replace("-", " ")), _label(role.name)):
            return role.id
    return None


def _people(
    sop: Sop, line: int, value: str, problems: list[Problem]
) -> tuple[str, tuple[str, ...]] | None:
    """``analis-sistem=@sari, @budi`` (or ``Analis Sistem: @sari``) -> a role and names."""
    separator = min((i for i in (value.find("="), value.find(":")) if i >= 0), default=-1)
    if separator < 0:
        problems.append(
            Problem(line, "tulis peran sebagai `id-peran=@nama` (mis. analis-sistem=@sari)")
        )
        return None
    written, names_text = value[:separator].strip(), value[separator + 1 :]
    role = _role(sop, written)
    if role is None:
        known = ", ".join(r.id for r in sop.roles)
        problems.append(
            Problem(line, f'peran "{echo(written, 40)}" tidak ada di SOP {sop.id} (peran: {known})')
        )
        return None
    names = [n.strip("`").removeprefix("@") for n in _NAMES.split(names_text)]
    names = [n for n in names if n]
    if not names:  # the template's `analis-sistem=@` left as it is: nobody named yet
        return None
    for name in names:
        if not USERNAME.fullmatch(name):
            problems.append(
                Problem(
                    line, f'nama "{echo(name, 40)}" tidak sah: huruf, angka dan _ . @ + : - saja'
                )
            )
            return None
    return role, tuple(names)


def _repo(line: int, value: str, problems: list[Problem]) -> str | None:
    if not value:
        return None
    found = _URL.search(value)
    if found is None:
        problems.append(Problem(line, f'repositori "{echo(value, 60)}" bukan alamat http(s)'))
        return None
    return found.group(0).rstrip(".,;")


def read_template(text: str, sop: Sop) -> Intake:
    """The request the template in ``text`` describes, for SOP ``sop``.

    Raises :class:`TemplateError` listing every problem found, each with its line.
    """
    fields, problems = _fields(text[:MAX_TEXT])
    if not fields and not problems:
        raise TemplateError(
            [
                Problem(
                    0,
                    "bagian `## Data Permohonan` dengan kolom `- **Judul:** ...` tidak ditemukan "
                    "(pakai templat isu Permohonan Aplikasi)",
                )
            ]
        )
    seen: dict[str, int] = {}
    values: dict[str, str] = {}
    people: dict[str, list[str]] = {}
    for f in fields:
        if f.name != "peran" and f.name in seen:
            problems.append(Problem(f.line, f"{f.name} sudah ditulis di baris {seen[f.name]}"))
            continue
        seen.setdefault(f.name, f.line)
        if f.name != "peran":
            values[f.name] = f.value
            continue
        for line, value in ([(f.line, f.value)] if f.value else []) + f.nested:
            found = _people(sop, line, value, problems)
            if found is not None:
                names = people.setdefault(found[0], [])
                names += [n for n in found[1] if n not in names]
    title = one_line(values.get("judul", ""))
    if not title:
        where = seen.get("judul", 0)
        problems.append(Problem(where, "Judul belum diisi (`- **Judul:** nama aplikasi`)"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem(seen["judul"], f"Judul lebih dari {MAX_TITLE} karakter"))
    start = _date(seen.get("mulai", 0), values.get("mulai", "").strip("` "), problems)
    repo = _repo(seen.get("repo", 0), values.get("repo", "").strip("` "), problems)
    key = values.get("kunci", "").strip("` ") or None
    if key is not None and not KEY_PATTERN.fullmatch(key):
        problems.append(
            Problem(
                seen["kunci"], f'kunci "{echo(key, 40)}" tidak sah: 2-40 karakter a-z, 0-9 dan -'
            )
        )
    if problems:
        raise TemplateError(sorted(problems, key=lambda p: p.line))
    return Intake(
        title=title,
        requester=one_line(values.get("pemohon", "")) or None,
        start=start,
        people=tuple((role, tuple(names)) for role, names in people.items()),
        repo=repo,
        key=key,
        lines=seen,
    )
