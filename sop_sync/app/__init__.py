"""Use cases shared by the CLI and the service.

Find an SOP, open/sync a request, check and fix, look up the request of a merge request,
and the one loop that applies changes.
"""
