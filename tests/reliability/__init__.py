"""Real processes under real signals: the child wrapper, the harness, the campaign."""
