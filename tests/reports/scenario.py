"""The fixed scenario of the report tests: one small SOP, three requests, known close times.

SOP ``uji-laporan`` (six steps, three phases) and three requests on the national working-day
calendar (07.30-15.00, 450 minutes a day; 24 Desember 2026 is cuti bersama, 25 Desember
Natal):

- ``absensi`` (BKD): Ya at step 2, every step done early; its epic is closed.
- ``arsip`` (Dinas Kesehatan): Tidak at step 2, so step 3 is skipped; step 5 sends the work
  back to step 4 once (koreksi), and the rework runs across the Christmas holidays.
- ``kepegawaian`` (BKD): Ya at step 2, then step 3 left open: overdue on the reference day.

The reference moment (``--per``) is Selasa 29-12-2026 10.00. The due dates on the issues are
the schedule's, as sop-sync writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sop_sync.model.labels import SKIPPED
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import State
from sop_sync.reports.report import Report, RequestData, build_report
from sop_sync.rules.evaluate import evaluate
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.schedule.timeline import schedule
from sop_sync.sop.model import Sop
from tests.builders import ObservedBuilder, note, observed, request_for

CALENDAR = WorkCalendar()
NOW = dt.datetime(2026, 12, 29, 10, 0)

SOP_DATA: dict[str, Any] = {
    "id": "uji-laporan",
    "nama": "Uji Laporan",
    "instansi": ["Dinas Komunikasi dan Informatika"],
    "pelaksana": [{"id": "analis", "nama": "Analis Sistem"}, {"id": "kasi", "nama": "Kasi"}],
    "fase": [
        {"id": "permohonan", "nama": "Permohonan", "dari": 1, "sampai": 2},
        {"id": "analisis", "nama": "Analisis", "dari": 3, "sampai": 5},
        {"id": "penetapan", "nama": "Penetapan", "dari": 6, "sampai": 6},
    ],
    "langkah": [
        {"no": 1, "kegiatan": "Menerima permohonan", "pelaksana": ["analis"], "waktu": "2 jam"},
        {
            "no": 2,
            "kegiatan": "Menilai permohonan",
            "pelaksana": ["kasi"],
            "waktu": "1 jam",
            "keputusan": {"pertanyaan": "Aplikasi baru?", "ya": 3, "tidak": 4},
        },
        {"no": 3, "kegiatan": "Menganalisis sistem yang ada", "pelaksana": ["analis"],
         "waktu": "1 hari kerja"},
        {"no": 4, "kegiatan": "Menyusun rancangan", "pelaksana": ["analis"],
         "waktu": "2 hari kerja"},
        {"no": 5, "kegiatan": "Memeriksa rancangan", "pelaksana": ["kasi"], "waktu": "2 jam",
         "koreksi": {"ke": 4}},
        {"no": 6, "kegiatan": "Menetapkan rancangan", "pelaksana": ["kasi"], "waktu": "2 jam"},
    ],
}  # fmt: skip
"""The SOP as its YAML file holds it (end-to-end tests write it to a mappings folder)."""
SOP = Sop.model_validate(SOP_DATA)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    """A moment in December 2026 (or ``month``)."""
    return dt.datetime(2026, month, day, hour, minute)


def _with_dues(builder: ObservedBuilder, request: RequestInput, yes: bool) -> ObservedBuilder:
    """Every step's due date as sop-sync writes it (the schedule's)."""
    plan = schedule(SOP, request.start, CALENDAR, {2: yes})
    for item in plan.steps:
        if item.due is not None:
            builder.step(item.step.number, due=item.due.date())
    return builder


def _request(key: str, start: dt.date, requester: str) -> RequestInput:
    return dataclasses.replace(
        request_for(SOP, key=key, start=start), title=f"Aplikasi {key}", requester=requester
    )


def absensi() -> tuple[RequestInput, ObservedBuilder]:
    """Ya at step 2; every step done early; the epic closed."""
    request = _request("absensi", dt.date(2026, 12, 7), "BKD")
    built = (
        _with_dues(observed(SOP, request.key), request, yes=True)
        .step(1, closed_by="analis", at=at(7, 8, 30))
        .step(2, notes=[note("kasi", "/sop keputusan ya", at=at(7, 9, 25))])
        .step(2, closed_by="kasi", at=at(7, 9, 30))
        .step(3, closed_by="analis", at=at(7, 14, 30))
        .step(4, closed_by="analis", at=at(9, 10))
        .step(5, closed_by="kasi", at=at(9, 11))
        .step(6, closed_by="kasi", at=at(9, 13))
        .epic(State.CLOSED)
    )
    return request, built


def arsip() -> tuple[RequestInput, ObservedBuilder]:
    """Tidak at step 2 (step 3 skipped), one koreksi from step 5 to 4, across Christmas."""
    request = _request("arsip", dt.date(2026, 12, 21), "Dinas Kesehatan")
    built = (
        _with_dues(observed(SOP, request.key), request, yes=False)
        .step(1, closed_by="analis", at=at(21, 9))
        .step(2, notes=[note("kasi", "/sop keputusan tidak", at=at(21, 10, 55))])
        .step(2, closed_by="kasi", at=at(21, 11))
        .step(3, closed_by="sop-sync", at=at(21, 11), labels=[SKIPPED])
        .step(4, closed_by="analis", at=at(22, 14))
        .step(5, notes=[note("kasi", "/sop koreksi rancangan belum lengkap", at=at(23, 8))])
        .step(4, reopened_by="sop-sync", at=at(23, 8))
        .step(4, closed_by="analis", at=at(28, 10))
        .step(5, closed_by="kasi", at=at(28, 11))
        .step(6, closed_by="kasi", at=at(28, 14))
    )
    return request, built


def kepegawaian() -> tuple[RequestInput, ObservedBuilder]:
    """Ya at step 2, then step 3 open (held by sari): overdue on the reference day."""
    request = _request("kepegawaian", dt.date(2026, 12, 14), "BKD")
    built = (
        _with_dues(observed(SOP, request.key), request, yes=True)
        .step(1, closed_by="analis", at=at(14, 9))
        .step(2, notes=[note("kasi", "/sop keputusan ya", at=at(14, 9, 55))])
        .step(2, closed_by="kasi", at=at(14, 10))
        .step(3, assignees=["sari"])
    )
    return request, built


def data(request: RequestInput, built: ObservedBuilder) -> RequestData:
    """The request as the report reads it: observed and judged by the rules."""
    state = built.build()
    return RequestData(SOP, request, state, evaluate(SOP, request, state))


def scenario() -> list[RequestData]:
    """The three requests."""
    return [data(*absensi()), data(*arsip()), data(*kepegawaian())]


def report() -> Report:
    """The report of the scenario on :data:`NOW`."""
    return build_report(scenario(), CALENDAR, NOW)


HOSTILE_TITLE = (
    'Aplikasi "A": #1 <script>window.diserang=1</script>\nbaris %% ;kedua `x` @all | [t](u)'
)
"""A title with quotes, colon, hash, a script element, a newline, Mermaid comment and separator
characters, Markdown code, a mention, a table bar and a link."""
HOSTILE_REQUESTER = 'Dinas <img src=x onerror="window.diserang=2"> | #2: "B"'


def hostile_report() -> Report:
    """The scenario with hostile text in the titles and names of every request."""
    items = []
    for item in scenario():
        request = dataclasses.replace(
            item.request, title=HOSTILE_TITLE, requester=HOSTILE_REQUESTER
        )
        items.append(dataclasses.replace(item, request=request))
    return build_report(items, CALENDAR, NOW)
