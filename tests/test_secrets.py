"""Secrets: tokens read cleanly, and nothing sop-sync shows contains one."""

from __future__ import annotations

import pytest

from sop_sync.errors import ConfigError
from sop_sync.secrets import (
    clean_token,
    mask_url,
    scrub,
    secret_values,
    webhook_secret,
    webhook_signing_token,
)

CANARY = "glpat-CANARY-0123456789"


def test_a_trailing_newline_or_carriage_return_is_trimmed() -> None:
    """A token pasted with a line end works as the token."""
    assert clean_token("SOP_SYNC_GITLAB_TOKEN", f"{CANARY}\r\n") == CANARY


@pytest.mark.parametrize("value", [f"{CANARY[:8]}\n{CANARY[8:]}", f"{CANARY} x", f"{CANARY}\x00"])
def test_a_token_broken_inside_is_refused_without_showing_it(value: str) -> None:
    """Whitespace or a control character inside: one line naming the variable, not the value."""
    with pytest.raises(ConfigError) as caught:
        clean_token("SOP_SYNC_GITLAB_TOKEN", value)
    assert caught.value.message.startswith("SOP_SYNC_GITLAB_TOKEN holds a space")
    assert CANARY[:8] not in caught.value.message
    assert "\n" not in caught.value.message


def test_an_empty_token_is_refused() -> None:
    """A variable set to spaces is named as empty."""
    with pytest.raises(ConfigError, match="SOP_SYNC_JIRA_TOKEN is empty"):
        clean_token("SOP_SYNC_JIRA_TOKEN", "  \n")


def test_secret_values_come_from_secret_variables_only() -> None:
    """Token, secret and password variables count; a project path does not."""
    env = {
        "SOP_SYNC_GITLAB_TOKEN": CANARY + "\n",
        "SOP_SYNC_WEBHOOK_SECRET": "rahasia-webhook",
        "GITLAB_TOKEN": "glpat-other-token",
        "SOP_SYNC_GITLAB_PROJECT": "diskominfo/aplikasi",
        "SOP_SYNC_JIRA_TOKEN": "abc",  # too short to scrub safely
    }
    assert set(secret_values(env)) == {
        CANARY + "\n", CANARY, "rahasia-webhook", "glpat-other-token"
    }  # fmt: skip


def test_scrub_masks_tokens_echoed_by_a_tracker_and_url_passwords() -> None:
    """An error body echoing the header, and a URL with a password, come out masked."""
    env = {"SOP_SYNC_GITLAB_TOKEN": CANARY}
    text = f"GitLab: HTTP 401: bad header PRIVATE-TOKEN: {CANARY} at https://ani:s3cret@git.go.id/x"
    cleaned = scrub(text, env)
    assert CANARY not in cleaned
    assert "s3cret" not in cleaned
    assert (
        cleaned == "GitLab: HTTP 401: bad header PRIVATE-TOKEN: *** at https://ani:***@git.go.id/x"
    )


def test_mask_url_keeps_the_rest_of_the_url() -> None:
    """Only the password part of a URL is masked."""
    assert (
        mask_url("https://user:pw@git.example.go.id/api")
        == "https://user:***@git.example.go.id/api"
    )
    assert mask_url("https://git.example.go.id") == "https://git.example.go.id"


def test_webhook_secrets_are_trimmed_and_blank_means_unset() -> None:
    """The webhook secret and signing token read one way for the service and the setups."""
    env = {"SOP_SYNC_WEBHOOK_SECRET": " rahasia\n", "SOP_SYNC_WEBHOOK_SIGNING_TOKEN": "  "}
    assert webhook_secret(env) == "rahasia"
    assert webhook_signing_token(env) is None
    assert webhook_secret({}) is None
