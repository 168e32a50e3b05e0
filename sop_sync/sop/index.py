"""Lookups over step numbers that stay near-linear however large or tangled an SOP is.

Plain integers in, plain integers out: :mod:`sop_sync.sop.model` builds its step, role and
phase tables with these, and the phase checks find overlaps with them. An SOP of 8,000 steps
used to take 25 s to check because each step scanned every other one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Cover:
    """Which range covers each number, the first one listed winning.

    ``owner`` maps a number to the index of the first range holding it; ``overlaps`` lists,
    for each range holding numbers an earlier range already holds, ``(range index, the first
    such number, how many there are)``.
    """

    owner: dict[int, int]
    overlaps: list[tuple[int, int, int]]


def first_cover(numbers: Sequence[int], ranges: Sequence[tuple[int, int]]) -> Cover:
    """Match the sorted, distinct ``numbers`` to the ``(first, last)`` ranges holding them.

    Each number is assigned once: positions already covered are skipped through a
    union-find of "the next free position", so a thousand ranges over the same thousand
    numbers cost about as much as one. Ranges with ``first > last`` hold nothing.
    """
    free = list(range(len(numbers) + 1))

    def next_free(position: int) -> int:
        root = position
        while free[root] != root:
            root = free[root]
        while free[position] != root:  # shorten the path for the next search
            free[position], position = root, free[position]
        return root

    owner: dict[int, int] = {}
    overlaps: list[tuple[int, int, int]] = []
    for index, (first, last) in enumerate(ranges):
        start, end = bisect_left(numbers, first), bisect_right(numbers, last)
        if start >= end:
            continue
        expected, first_taken, assigned = start, None, 0
        position = next_free(start)
        while position < end:
            if first_taken is None and position != expected:
                first_taken = numbers[expected]
            owner[numbers[position]] = index
            free[position] = position + 1
            assigned += 1
            expected = position + 1
            position = next_free(position + 1)
        if assigned < end - start:
            taken = numbers[expected] if first_taken is None else first_taken
            overlaps.append((index, taken, end - start - assigned))
    return Cover(owner, overlaps)


def number_after(numbers: Sequence[int], number: int) -> int | None:
    """The smallest of the sorted ``numbers`` above ``number``, or None."""
    position = bisect_right(numbers, number)
    return numbers[position] if position < len(numbers) else None
