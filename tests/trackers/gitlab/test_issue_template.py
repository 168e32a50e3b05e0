"""`gitlab setup --issue-template`: the request template in the project, committed once."""

from __future__ import annotations

from sop_sync.resources import request_template
from sop_sync.trackers.gitlab.setup import ISSUE_TEMPLATE, setup_project
from tests.trackers.gitlab.conftest import SOP, emulator, project_id, run

TEXT = request_template().read_text(encoding="utf-8")


def test_setup_installs_the_issue_template_once() -> None:
    """Created on the default branch; a second run only reads it; a changed text is updated."""
    with emulator("free") as fake:
        done = setup_project(run(fake).session, [SOP], issue_template=TEXT)
        assert f"issue template {ISSUE_TEMPLATE}" in done
        assert fake.state.files[project_id(fake)][ISSUE_TEMPLATE] == TEXT.encode()
        fake.reset_log()
        assert setup_project(run(fake).session, [SOP], issue_template=TEXT) == []
        assert fake.count() == fake.count("GET")
        fake.add_file("diskominfo/aplikasi-sop", ISSUE_TEMPLATE, "templat lama\n")
        done = setup_project(run(fake).session, [SOP], issue_template=TEXT)
        assert done == [f"issue template {ISSUE_TEMPLATE} (updated)"]
        assert fake.state.files[project_id(fake)][ISSUE_TEMPLATE] == TEXT.encode()


def test_setup_without_the_option_leaves_the_repository_alone() -> None:
    """The template is committed only when asked (a commit on the default branch)."""
    with emulator("free") as fake:
        setup_project(run(fake).session, [SOP])
        assert ISSUE_TEMPLATE not in fake.state.files[project_id(fake)]
