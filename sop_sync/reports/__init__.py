"""Leadership reports: milestones, delays and SLA per SOP step, from the tracker's own data.

The package root is the pure data half (part of the core, like ``rules``): observed requests
with their history, the SOPs, schedules and the working-day calendar in; :class:`Report`
values out. :mod:`sop_sync.reports.writers` is the I/O half: it gathers the requests through
``app``, renders HTML, PDF and Markdown, and publishes.
"""
