"""Where the bundled seed SOPs and templates are.

Beside the package in a source checkout, or under ``<prefix>/share/sop-sync`` in a wheel.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]
_INSTALLED = Path(sys.prefix) / "share" / "sop-sync"


def resource(name: str) -> Path:
    """The folder ``name`` (``mappings`` or ``templates``) of this installation."""
    here = _CHECKOUT / name
    return here if here.is_dir() else _INSTALLED / name


BUNDLED_MAPPINGS = resource("mappings")
"""The seed SOPs that come with sop-sync (used when the current folder has no mappings/)."""


def default_mappings_dir() -> Path:
    """``./mappings`` when it exists, else the bundled seed SOPs."""
    local = Path("mappings")
    return local if local.is_dir() else BUNDLED_MAPPINGS


def request_template() -> Path:
    """The request template (GitLab issue template ``Permohonan Aplikasi``, ``/sop buka``)."""
    return resource("templates") / "gitlab" / "issue_templates" / "Permohonan Aplikasi.md"
