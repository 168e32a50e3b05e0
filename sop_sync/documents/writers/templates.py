"""The templates of documents: the agency's folder first, then ``templates/documents/``.

Built on the one Jinja environment (:func:`sop_sync.render.environment.environment`): the
same strict undefined and filters, with the loader pointed at the two folders and, for
HTML, autoescaping on. An agency overrides a file by putting one of the same name in the
folder ``documents.templates`` names (``dokumen.html.j2``, ``gaya.css``, ``dokumen.md.j2``,
``dasar.docx``).
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from sop_sync.documents.blocks import Letterhead
from sop_sync.errors import ConfigError
from sop_sync.render.environment import TEMPLATES, environment

BUNDLED = TEMPLATES / "documents"


def folders(agency: Path | None) -> list[Path]:
    """Where templates are looked up, in order."""
    return [agency, BUNDLED] if agency is not None else [BUNDLED]


def logo_file(letterhead: Letterhead) -> Path | None:
    """The kop's logo file (a missing one is an error naming the setting)."""
    logo = letterhead.logo
    if logo is None:
        return None
    if not logo.is_file():
        raise ConfigError(f"documents.kop.logo: no such file {logo}")
    return logo


def template_file(name: str, agency: Path | None) -> Path | None:
    """The first file called ``name`` in :func:`folders` (None when there is none)."""
    return next((f / name for f in folders(agency) if (f / name).is_file()), None)


@functools.lru_cache(maxsize=8)
def document_environment(agency: Path | None, *, html: bool) -> jinja2.Environment:
    """The environment for Markdown (``html`` False) or HTML (autoescaped) documents."""
    if agency is not None and not agency.is_dir():
        raise ConfigError(f"documents.templates: {agency} is not a folder")
    base = environment()
    env = base.overlay(
        loader=jinja2.FileSystemLoader([str(f) for f in folders(agency)]), autoescape=html
    )
    env.filters = dict(base.filters)  # an overlay shares the dict: writers add their own
    return env
