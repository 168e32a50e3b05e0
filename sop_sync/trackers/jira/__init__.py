"""The Jira tracker (Cloud and Data Center), through the ``jira`` library."""
