""" "Did you mean ...?" hints for mistyped option names, on the command line and in config files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest_name(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate ``word`` most likely meant, or None when nothing is close enough.

    An underscore spelling (``spawn_rate`` for ``spawn-rate``) is the most common slip, so it wins
    outright before the fuzzy match.
    """
    pool = sorted(set(candidates))
    dashed = word.replace("_", "-")
    if dashed != word and dashed in pool:
        return dashed
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "") -> str:
    """Return ``" (did you mean X?)"`` for the closest candidate, or ``""`` when there is none."""
    match = closest_name(word, candidates)
    return f" (did you mean {quote}{match}{quote}?)" if match else ""
