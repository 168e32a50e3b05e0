"""The GitLab tracker through python-gitlab. Import :mod:`.facade` for the tracker."""
