"""One-letter typos: a label read as the one known label it is a single slip away from.

A slip is one letter changed, added, dropped, or two neighbours swapped ("Fevier" for
"Février", "Toulosue" for "Toulouse"). Short labels are never guessed ("Juin" and "Juil" are
one letter apart), and a text that could be two different things is not guessed either.
"""

from __future__ import annotations

from collections.abc import Mapping

MIN_GUESSED_LENGTH = 5  # a known label shorter than this is only ever read exactly


def one_slip_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one slip (their optimal string alignment
    distance is 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        swapped = (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
        return len(diffs) == 1 or swapped
    short, long = sorted((a, b), key=len)
    first = next((i for i, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[first:] == long[first + 1:]


def guess(text: str, known: Mapping[str, str]) -> str | None:
    """The value of the known labels (keys, compared as given) one slip away from ``text``,
    when they all mean the same value; None when there is none, or two meanings. The caller
    looks ``text`` up exactly first: a known label is never read as another."""
    found = {value for label, value in known.items()
             if len(label) >= MIN_GUESSED_LENGTH and one_slip_apart(text, label)}
    return found.pop() if len(found) == 1 else None
