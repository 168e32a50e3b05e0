"""The GitLab REST v4 emulator (see :mod:`.server`)."""

from tests.fakes.gitlab.server import FakeGitLab

__all__ = ["FakeGitLab"]
