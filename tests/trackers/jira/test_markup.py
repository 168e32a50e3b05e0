"""Markdown into Jira wiki markup (what Jira receives); the way back is in ``test_wiki.py``."""

from __future__ import annotations

import pytest

from sop_sync.trackers.jira.markup import to_wiki
from tests.fakes.jira import FakeJira
from tests.plan.test_desired import desired
from tests.schedule.test_timeline import check_golden
from tests.trackers.jira.test_jira import open_request


def test_epic_text_as_jira_receives_it_golden() -> None:
    """The Karanganyar epic in wiki markup: keyed table, task list, schedule, flowchart."""
    check_golden("jira-epic-karanganyar.wiki", to_wiki(desired().epic.description) + "\n")


def test_step_text_as_jira_receives_it_golden() -> None:
    """Step 10 (UAT) in wiki markup: evidence as a task list, patterns as monospace."""
    check_golden("jira-step-karanganyar-10.wiki", to_wiki(desired().steps[9].description) + "\n")


def test_the_emulator_stores_exactly_the_wiki_text(cloud: FakeJira) -> None:
    """What the engine sends for step 10 on opening is the golden text."""
    open_request(cloud)
    stored = next(i for i in cloud.state.issues.values() if i["summary"].startswith("[absensi] 10"))
    assert stored["description"] == to_wiki(desired().steps[9].description)


@pytest.mark.parametrize(
    ("markdown", "wiki"),
    [
        ("## Judul", "h2. Judul"),
        ("**tebal** dan _miring_ dan ~~coret~~", "*tebal* dan _miring_ dan -coret-"),
        ("`kode *x*`", "{{kode \\*x\\*}}"),
        ("[teks](https://a.go.id/x_y)", "[teks|https://a.go.id/x_y]"),
        ("lihat https://a.go.id/a_b.", "lihat [https://a.go.id/a_b]."),
        ("- satu\n  - dua\n- tiga", "* satu\n** dua\n* tiga"),
        ("1. satu\n2. dua", "# satu\n# dua"),
        ("- [ ] belum\n- [x] sudah", "* ☐ belum\n* ☑ sudah"),
        ("| A | B |\n|---|---|\n| 1 | 2 |", "||A||B||\n|1|2|"),
        ("| | |\n|---|---|\n| Kunci | x |", "||Kunci|x|"),
        ("```mermaid\nflowchart TB\n```", "{code:title=mermaid}\nflowchart TB\n{code}"),
        ("```python\nx = 1\n```", "{code:python}\nx = 1\n{code}"),
        ("> kutipan", "{quote}\nkutipan\n{quote}"),
        ("a {b} [c] | d ! e", "a \\{b\\} \\[c\\] \\| d \\! e"),
        ("1- 2 Jam, sop-sync, -x", "1\\- 2 Jam, sop-sync, \\-x"),
        ("Dikoreksi oleh @\u200bandi &amp; rekan", "Dikoreksi oleh @\u200bandi & rekan"),
    ],
)
def test_markdown_to_wiki(markdown: str, wiki: str) -> None:
    """Each construct the templates and rules use, and Jira's special characters escaped."""
    assert to_wiki(markdown) == wiki
