"""What every document is assembled from: the request, its sections, the producing step.

:class:`Context` gathers, once per document, the values the builders share; it is built from
the observed request, the SOP, the schedule, the settings and the day the document is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sop_sync.documents.blocks import (
    Block,
    Gaps,
    Item,
    Letterhead,
    Paragraph,
    Runs,
    Table,
    clean,
    plain,
)
from sop_sync.documents.numbering import numbered
from sop_sync.documents.people import Party, default_roles, party, producing_steps, ratifier
from sop_sync.documents.sections import Grid, Section, find, index, texts_of
from sop_sync.documents.settings import DocumentSettings
from sop_sync.documents.words import long_date
from sop_sync.errors import NotFoundError
from sop_sync.model.request import RequestInput
from sop_sync.model.text import shorten
from sop_sync.model.tracker import Issue, ObservedRequest, State, last_close
from sop_sync.schedule.timeline import Schedule
from sop_sync.sop.model import DocumentKind, Sop, Step

TITLE_LIMIT = 300
"""Characters of a request title a document shows (cut with an ellipsis beyond)."""


@dataclass(frozen=True)
class Context:
    """The inputs of one document and what is derived from them."""

    kind: DocumentKind
    sop: Sop
    schedule: Schedule
    settings: DocumentSettings
    observed: ObservedRequest
    request: RequestInput
    sections: dict[str, Section]
    """The request's sections: the issue it was opened from (``sumber``), then the epic's
    description and comments (the epic's win)."""
    step: Step
    issue: Issue | None
    date: dt.date
    gaps: Gaps

    @property
    def title(self) -> str:
        """The request's title, cleaned and cut to :data:`TITLE_LIMIT`."""
        return shorten(clean(self.request.title), TITLE_LIMIT)

    def step_sections(self) -> dict[str, Section]:
        """Sections written on the producing step (over the request's own)."""
        return {**self.sections, **index(texts_of(self.issue))}

    def section(self, names: Sequence[str], label: str, indent: int = 1) -> tuple[Block, ...]:
        """The blocks of the first section named ``names``, or a visible gap for ``label``."""
        return blocks_of(find(self.sections, names), label, self.gaps, indent)

    def party(self, role_id: str | None, label: str) -> Party:
        """The holder of ``role_id`` as a party of this document."""
        return party(role_id, label, self.sop, self.request, self.settings, self.gaps)

    def parties(self) -> tuple[Party, Party]:
        """PIHAK PERTAMA and PIHAK KEDUA (configured roles, else chosen from the SOP)."""
        configured = self.settings.parties(self.sop.id, self.kind)
        first, second = default_roles(self.sop, self.kind)
        return (
            self.party(configured.pertama or first, "PIHAK PERTAMA"),
            self.party(configured.kedua or second, "PIHAK KEDUA"),
        )

    def witness(self) -> Party | None:
        """Who signs under "Mengetahui": the configured role, else who ratified the SOP."""
        role = self.settings.parties(self.sop.id, self.kind).mengetahui
        return self.party(role, "Mengetahui") if role else ratifier(self.sop)

    def place_date(self) -> Runs:
        """``Karanganyar, 23 November 2026``."""
        city = self.gaps.value(self.settings.kop.kota, "kota (documents.kop.kota)")
        return (*city, *plain(f", {long_date(self.date)}"))

    def letterhead(self) -> Letterhead:
        """The kop surat from the settings (a gap when none is configured)."""
        kop = self.settings.kop
        lines = tuple(clean(line).upper() for line in (kop.pemerintah, kop.dinas) if line)
        if not lines:
            lines = tuple(run.text for run in self.gaps.gap("kop surat (documents.kop)"))
        reach = ", ".join(
            f"{label} {clean(value)}"
            for label, value in (
                ("Telepon", kop.telepon),
                ("Laman", kop.laman),
                ("Surel", kop.surel),
            )
            if value
        )
        contact = tuple(line for line in (clean(kop.alamat or ""), reach) if line)
        return Letterhead(lines, contact, kop.logo)


def blocks_of(section: Section | None, label: str, gaps: Gaps, indent: int) -> tuple[Block, ...]:
    """A section's paragraphs, items and tables as blocks.

    An empty or absent section is a gap for ``label``, or nothing when ``label`` is empty
    (an optional section).
    """
    if section is None or not section.content or not (section.text() or _has_table(section)):
        return (Paragraph(gaps.gap(label), indent=indent),) if label else ()
    found: list[Block] = []
    for content in section.content:
        if isinstance(content, Grid):
            found.append(table_of(content))
        elif content.marker:
            found.append(Item(content.marker, plain(clean(content.text)), indent + content.depth))
        else:
            runs = plain(clean(content.text), bold=content.heading)
            if runs:
                found.append(Paragraph(runs, indent=indent + content.depth))
    return tuple(found)


def _has_table(section: Section) -> bool:
    return any(isinstance(content, Grid) for content in section.content)


def table_of(grid: Grid) -> Table:
    """A table written in Markdown, each row padded or cut to the header's width."""
    width = len(grid.header) or max((len(row) for row in grid.rows), default=1)
    rows = tuple(
        tuple(plain(clean(cell)) for cell in (*row, *("",) * width)[:width]) for row in grid.rows
    )
    return Table(tuple(clean(h) for h in grid.header), rows, (1,) * width)


def target_step(
    sop: Sop, kind: DocumentKind, observed: ObservedRequest, schedule: Schedule
) -> Step:
    """The step the document belongs to now: the first open producing step on the path taken.

    When every producing step on the path is closed, the last of them; a producing step off the
    path only when none is on it. An SOP that produces no such document is an error.
    """
    steps = producing_steps(sop, kind)
    if not steps:
        made = sorted({s.document.value for s in sop.steps if s.document is not None})
        raise NotFoundError(
            f"SOP {sop.id!r} produces no {kind.value} (it produces: {', '.join(made) or 'none'})"
        )
    on_path = [s for s in steps if schedule.plan_for(s.number) is not None] or list(steps)
    for step in on_path:
        issue = observed.steps.get(step.number)
        if issue is None or issue.state is not State.CLOSED:
            return step
    return on_path[-1]


def closed_on(issue: Issue | None) -> dt.date | None:
    """When a closed issue was closed (its newest ``closed`` event), else None."""
    if issue is None or issue.state is not State.CLOSED:
        return None
    close = last_close(issue)
    return close.at.date() if close is not None else None


def context(
    kind: DocumentKind,
    observed: ObservedRequest,
    sop: Sop,
    schedule: Schedule,
    settings: DocumentSettings,
    today: dt.date,
    source: Sequence[str] = (),
) -> Context:
    """Everything one document of ``kind`` is assembled from.

    ``source`` are the texts of the issue the request was opened from (``/sop buka``: the
    request template's description), read before the epic's so the epic's sections win.
    The document's date is the day its step was closed; while the step is open, the day its
    number was given (else ``today``).
    """
    if observed.epic is None:
        raise NotFoundError(f"no request {observed.key!r} in this tracker")
    request = RequestInput.from_data(observed.key, observed.epic.data)
    step = target_step(sop, kind, observed, schedule)
    issue = observed.steps.get(step.number)
    given = numbered(observed.epic.data, kind)
    date = closed_on(issue) or (given.date if given else today)
    return Context(
        kind=kind,
        sop=sop,
        schedule=schedule,
        settings=settings,
        observed=observed,
        request=request,
        sections=index((*source, *texts_of(observed.epic))),
        step=step,
        issue=issue,
        date=date,
        gaps=Gaps(),
    )
