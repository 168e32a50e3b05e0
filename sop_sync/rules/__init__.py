"""The SOP's rules over an observed request. Pure.

Commands in comments, decisions, corrections, skips, evidence and sign-off, verdicts, the
merge-request gate, and per-step progress.
"""
