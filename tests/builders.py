"""Builders of the values the pure rules read: an observed request and a request input.

For value-level tests of :mod:`sop_sync.rules` (and of any adapter that must report the same
values): no tracker, no files. Every step of the SOP gets an open issue unless told otherwise::

    sop = seed("karanganyar")
    request = request_for(sop)  # one person per role, named after the role id
    observed = (
        observed(sop)
        .closed(1, 2, 3)
        .step(7, state=State.CLOSED, attachments=[attachment("dfd.png", by="analis-sistem")])
        .step(10, notes=[note("pd-pengampu", "/sop setuju")])
        .build()
    )

Notes and attachments given without an id get one when they are added to a step
(``<step>.<position>``, e.g. ``7.1``), so two identical notes stay two notes; give ``id=`` when
a test refers to a note (a reply's ``in_reply_to``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Self

from sop_sync.app.sops import find_sop
from sop_sync.model.changes import Change, Ref
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import (
    Attachment,
    Capabilities,
    Event,
    Hierarchy,
    Issue,
    Note,
    ObservedRequest,
    State,
)
from sop_sync.plan.labels import label_set
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import Sop

KEY = "uji"
"""The request key builders use unless told otherwise."""
AT = dt.datetime(2026, 12, 1, 9, 0)
"""When notes, attachments and events happen unless told otherwise (a Tuesday)."""
START = dt.date(2026, 12, 1)
"""The start date of a request unless told otherwise."""
CAPABILITIES = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True)
"""The tracker whose structural labels the built issues carry (the local tracker's)."""


def seed(sop_id: str) -> Sop:
    """A bundled seed SOP (bkd-jateng, kemenkes-kepegawaian, karanganyar, bali, egov)."""
    return find_sop(BUNDLED_MAPPINGS, sop_id)


def changes_on(changes: Iterable[Change], step: int | None, key: str = KEY) -> list[Change]:
    """The changes to one step's issue (``None``: the epic), in order."""
    ref = Ref(key, step)
    return [c for c in changes if getattr(c, "ref", None) == ref]


def note(
    author: str,
    body: str,
    *,
    at: dt.datetime = AT,
    id: str = "",
    system: bool = False,
    in_reply_to: str | None = None,
) -> Note:
    """A comment by ``author`` as the tracker records it (an empty id is filled in by ``step``)."""
    return Note(id, author, body, at, system=system, in_reply_to=in_reply_to)


def reply(to: str, body: str = "Balasan sop-sync.", *, at: dt.datetime = AT) -> Note:
    """sop-sync's own reply to note ``to``: what marks that note as answered."""
    return note("sop-sync", body, at=at, system=True, in_reply_to=to)


def attachment(
    filename: str,
    *,
    by: str = "",
    at: dt.datetime = AT,
    id: str = "",
) -> Attachment:
    """A file uploaded by ``by`` (an empty id is filled in by ``step``)."""
    return Attachment(id, filename, f"https://tracker.example/uploads/{filename}", by, at)


def closed_event(actor: str, *, at: dt.datetime = AT) -> Event:
    """The history entry of ``actor`` closing an issue (what the closing rule reads)."""
    return Event(at, actor, "closed")


def request_for(
    sop: Sop,
    *,
    key: str = KEY,
    people: Mapping[str, str | Iterable[str]] | None = None,
    repo: str = "",
    start: dt.date = START,
    answers: Iterable[tuple[int, bool]] = (),
) -> RequestInput:
    """A request on ``sop`` with one person per role, named after the role id.

    ``people`` replaces the holders of the roles it names (``{"kabid": ()}``: nobody holds
    it; a string is one person).
    """
    given = dict(people or {})
    holders: list[tuple[str, tuple[str, ...]]] = []
    for role in sop.roles:
        names = given.pop(role.id, (role.id,))
        holders.append((role.id, (names,) if isinstance(names, str) else tuple(names)))
    if given:
        raise ValueError(f"SOP {sop.id} has no role {', '.join(sorted(given))}")
    return RequestInput(
        key=key,
        sop_id=sop.id,
        title=f"Permohonan {key}",
        start=start,
        requester="Dinas Uji",
        people=tuple(holders),
        repo=repo,
        answers=tuple(answers),
    )


class ObservedBuilder:
    """An observed request under construction: each method returns the builder."""

    def __init__(self, sop: Sop, key: str) -> None:
        self.sop = sop
        self.key = key
        self._labels = label_set(sop, CAPABILITIES)
        self._steps: dict[int, Issue] = {s.number: self._issue(s.number) for s in sop.steps}
        self._epic: Issue | None = None
        self.epic(State.OPEN)

    def _issue(self, number: int | None) -> Issue:
        ref = Ref(self.key, number)
        labels = self._labels.for_step(self.sop.step(number)) if number is not None else frozenset()
        return Issue(
            ref=ref,
            tracker_id=str(number or 0),
            web_url=f"https://tracker.example/{self.key}/{number or 0}",
            title=ref.describe(),
            description="",
            state=State.OPEN,
            labels=labels,
            assignees=(),
            due=None,
            milestone=None,
        )

    def step(
        self,
        number: int,
        *,
        state: State | None = None,
        notes: Iterable[Note] = (),
        attachments: Iterable[Attachment] = (),
        labels: Iterable[str] = (),
        description: str | None = None,
        due: dt.date | None = None,
        assignees: Iterable[str] = (),
        closed_by: str | None = None,
        reopened_by: str | None = None,
        at: dt.datetime = AT,
    ) -> Self:
        """Step ``number``'s issue, with these added (notes, attachments, labels) or set.

        ``closed_by`` closes the issue and records who did (a ``closed`` event at ``at``);
        ``reopened_by`` reopens it the same way (a ``reopened`` event at ``at``).
        """
        issue = self._steps.get(number) or self._issue(number)
        numbered = len(issue.notes) + len(issue.attachments)
        new_notes = tuple(
            n if n.id else dataclasses.replace(n, id=f"{number}.{numbered + i}")
            for i, n in enumerate(notes, start=1)
        )
        numbered += len(new_notes)
        new_attachments = tuple(
            a if a.id else dataclasses.replace(a, id=f"{number}.{numbered + i}")
            for i, a in enumerate(attachments, start=1)
        )
        events = issue.events + ((closed_event(closed_by, at=at),) if closed_by else ())
        events += (Event(at, reopened_by, "reopened"),) if reopened_by else ()
        if closed_by or reopened_by:
            state = State.CLOSED if closed_by else State.OPEN
        self._steps[number] = dataclasses.replace(
            issue,
            state=state or issue.state,
            notes=issue.notes + new_notes,
            attachments=issue.attachments + new_attachments,
            labels=issue.labels | frozenset(labels),
            description=issue.description if description is None else description,
            due=due if due is not None else issue.due,
            assignees=tuple(assignees) or issue.assignees,
            events=events,
        )
        return self

    def closed(self, *numbers: int) -> Self:
        """Close these steps (by nobody the history names)."""
        for number in numbers:
            self.step(number, state=State.CLOSED)
        return self

    def missing(self, *numbers: int) -> Self:
        """These steps have no issue (not yet created)."""
        for number in numbers:
            self._steps.pop(number, None)
        return self

    def epic(self, state: State | None = State.OPEN) -> Self:
        """The epic open, closed, or (``None``) absent."""
        self._epic = (
            None
            if state is None
            else dataclasses.replace(self._issue(None), labels=self._labels.for_epic(), state=state)
        )
        return self

    def build(self) -> ObservedRequest:
        """The observed request: issues, the SOP's label definitions, no milestones or links."""
        return ObservedRequest(
            key=self.key,
            epic=self._epic,
            steps=dict(sorted(self._steps.items())),
            labels={label.name: label for label in self._labels.definitions},
            milestones={},
            links=frozenset(),
        )


def observed(sop: Sop, key: str = KEY) -> ObservedBuilder:
    """A builder of request ``key`` on ``sop``: every step's issue open, nothing written yet."""
    return ObservedBuilder(sop, key)
