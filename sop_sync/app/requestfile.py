"""Request files: the same fields as ``sop-sync open`` flags, in YAML (Indonesian keys).

```yaml
sop: karanganyar
judul: Aplikasi Absensi Pegawai
kunci: absensi            # optional: derived from judul
pemohon: Badan Kepegawaian Daerah
mulai: 2026-12-01
peran:
  analis-sistem: sari
  tim-pengembang: [budi, citra]
repo: https://git.example.go.id/bkd/absensi
```
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sop_sync.model.request import names_per_role
from sop_sync.schedule.calendar import LAST_DAY, LAST_WORDS
from sop_sync.yamlfile import problems_at, read_text, read_yaml, validate


class RequestFile(BaseModel):
    """A request as written in a YAML file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sop: str | None = None
    title: str | None = Field(None, alias="judul")
    key: str | None = Field(None, alias="kunci")
    requester: str | None = Field(None, alias="pemohon")
    start: dt.date | None = Field(None, alias="mulai")
    people: dict[str, tuple[str, ...]] = Field(default_factory=dict, alias="peran")
    repo: str | None = None

    _names = field_validator("people", mode="before")(names_per_role)


def load_request_file(path: Path) -> RequestFile:
    """Read a request file; problems name file, line and key."""
    name = str(path)
    data, lines = read_yaml(read_text(path), name)
    form = validate(RequestFile, data, name, lines)
    if form.start is not None and form.start > LAST_DAY:
        text = f"the start date {form.start} is after {LAST_DAY}, {LAST_WORDS}"
        raise problems_at(name, lines, [(("mulai",), text)])
    return form
