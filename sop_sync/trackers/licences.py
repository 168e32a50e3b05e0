"""OSI-approved licences, by SPDX id, lowercase (GitLab reports licensee keys like ``mit``)."""

from __future__ import annotations

OSI_APPROVED = frozenset(
    {
        "0bsd", "afl-3.0", "agpl-3.0", "agpl-3.0-only", "agpl-3.0-or-later", "apache-2.0",
        "artistic-2.0", "bsd-2-clause", "bsd-3-clause", "bsl-1.0", "cecill-2.1", "ecl-2.0",
        "epl-1.0", "epl-2.0", "eupl-1.1", "eupl-1.2", "gpl-2.0", "gpl-2.0-only",
        "gpl-2.0-or-later", "gpl-3.0", "gpl-3.0-only", "gpl-3.0-or-later", "isc", "lgpl-2.1",
        "lgpl-2.1-only", "lgpl-2.1-or-later", "lgpl-3.0", "lgpl-3.0-only", "lgpl-3.0-or-later",
        "lppl-1.3c", "mit", "mit-0", "mpl-2.0", "ms-pl", "ms-rl", "mulanpsl-2.0", "ncsa",
        "ofl-1.1", "osl-3.0", "postgresql", "upl-1.0", "unlicense", "zlib",
    }
)  # fmt: skip


def osi_approved(key: str | None) -> bool:
    """True for an OSI-approved licence id (case-insensitive)."""
    return bool(key) and str(key).lower() in OSI_APPROVED
