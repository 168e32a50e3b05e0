"""Secrets never reach the screen: tokens read cleanly, and every line shown is scrubbed.

Tokens come only from the environment (or a tracker client's own configuration file). A token
pasted with a trailing newline is trimmed; one with whitespace inside is refused on one line
that names the variable, never the value. Whatever sop-sync prints passes through
:func:`scrub`: the values of secret variables and passwords in URLs become ``***``, so a
tracker's error body that echoes a header cannot leak it either.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from sop_sync.errors import ConfigError

MASK = "***"
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASS", "KEY")
"""An environment variable whose name holds one of these words is a secret."""
KNOWN_SECRETS = ("GITLAB_TOKEN", "CI_JOB_TOKEN", "JIRA_TOKEN", "JIRA_API_TOKEN")
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@", re.IGNORECASE)
MIN_LENGTH = 6
"""Shorter values are not scrubbed (masking every "1" or "abc" would garble messages)."""


WEBHOOK_SECRET = "SOP_SYNC_WEBHOOK_SECRET"  # noqa: S105 - a variable's name
"""GitLab's secret token (``X-Gitlab-Token``) and the Jira webhook's HMAC secret."""
WEBHOOK_SIGNING_TOKEN = "SOP_SYNC_WEBHOOK_SIGNING_TOKEN"  # noqa: S105 - a variable's name
"""GitLab's optional signing token (``whsec_...``, Standard Webhooks signatures)."""


def webhook_secret(environ: Mapping[str, str] | None = None) -> str | None:
    """:data:`WEBHOOK_SECRET` from the environment, trimmed; None when unset or blank."""
    env = os.environ if environ is None else environ
    return (env.get(WEBHOOK_SECRET) or "").strip() or None


def webhook_signing_token(environ: Mapping[str, str] | None = None) -> str | None:
    """:data:`WEBHOOK_SIGNING_TOKEN` from the environment, trimmed; None when unset or blank."""
    env = os.environ if environ is None else environ
    return (env.get(WEBHOOK_SIGNING_TOKEN) or "").strip() or None


def clean_token(name: str, value: str) -> str:
    """``value`` of variable ``name`` without surrounding whitespace; refused if broken inside."""
    token = value.strip()
    if not token:
        raise ConfigError(f"{name} is empty: set it to the token")
    if any(char.isspace() or not char.isprintable() for char in token):
        raise ConfigError(
            f"{name} holds a space, a line break or a control character inside the token: "
            "copy the token again (its value is not shown)"
        )
    return token


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of the secret variables of ``environ``, longest first."""
    env = os.environ if environ is None else environ
    found: set[str] = set()
    for name, value in env.items():
        upper = name.upper()
        secret = upper in KNOWN_SECRETS or (
            upper.startswith("SOP_SYNC_") and any(word in upper for word in SECRET_WORDS)
        )
        if secret:
            for candidate in (value, value.strip()):
                if len(candidate) >= MIN_LENGTH:
                    found.add(candidate)
    return sorted(found, key=len, reverse=True)


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret value and URL password replaced by ``***``."""
    for value in secret_values(environ):
        text = text.replace(value, MASK)
    return _URL_PASSWORD.sub(rf"\g<head>{MASK}@", text)


def mask_url(url: str) -> str:
    """A URL as it may be shown: its password, if any, masked."""
    return _URL_PASSWORD.sub(rf"\g<head>{MASK}@", url)
