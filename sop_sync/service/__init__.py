"""The sync service: webhooks in, the SOP enforced in the tracker within seconds.

Data flow (docs/service.md has the picture)::

    GitLab / Jira webhook ──► web (verify, parse, acknowledge once durable) ──► inbox
    reconciler (every N minutes) ─────────────────────────────────────────────► inbox
    inbox ──► worker (claim one job, lease) ──► handle: app use cases ──► tracker

- :mod:`.jobs` names the work (``request:<kunci>`` and friends);
- :mod:`.hooks` turns a vendor's payload into deliveries (pure);
- :mod:`.inbox` stores deliveries and jobs (SQLite or PostgreSQL);
- :mod:`.web` is the Starlette app; :mod:`.worker` the claim loop; :mod:`.handle` what a job
  does, with the same use cases as ``sop-sync check --fix``.
"""
