"""The I/O half of the reports: gather requests through ``app``, write HTML, PDF, Markdown.

Above ``app`` in the layers (tests/test_architecture.py): it reads the tracker through the
use cases, templates from disk, runs a browser for PDF, and publishes to a wiki.
"""
