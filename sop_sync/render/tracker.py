"""Tracker texts (epic and step descriptions) rendered from ``templates/tracker/``.

Written in Markdown (Bahasa Indonesia). User text is neutralised where rendered: HTML,
Markdown links and @mentions cannot escape into the tracker. A tracker whose
:attr:`~sop_sync.model.tracker.Capabilities.markup` is not Markdown converts the text at its
boundary; the diff compares digests of what is rendered here, so that conversion never
makes a sync rewrite a description.
"""

from __future__ import annotations

from pathlib import Path

from sop_sync.plan.views import EpicView, StepView
from sop_sync.render.environment import TEMPLATES, environment
from sop_sync.sop.mermaid import flowchart


class TrackerTexts:
    """The :class:`sop_sync.plan.views.Texts` renderer backed by the template folder."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self._env = environment(folder)

    def epic(self, view: EpicView) -> str:
        """The epic's description."""
        template = self._env.get_template("tracker/epic.md.j2")
        return template.render(v=view, mermaid=flowchart(view.sop))

    def step(self, view: StepView) -> str:
        """A step issue's description."""
        return self._env.get_template("tracker/step.md.j2").render(v=view)
