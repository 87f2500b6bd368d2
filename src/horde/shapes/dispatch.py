"""Which user class the next spawned user belongs to (pure: no asyncio, no clock).

``fixed_count`` classes are filled first, in class-name order. Weighted classes then follow a smooth,
deterministic interleaving: each new user goes to the class furthest below its weighted share, so any
prefix of the sequence matches the weights as closely as integers allow (weights 5:1 give
A A A B A A A A A B ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def next_user_class(classes: Sequence[Any], counts: Mapping[Any, int]) -> Any:
    """The class of the next user to start, given how many of each class run now."""
    ordered = sorted(classes, key=lambda c: c.__name__)
    for user_class in ordered:
        if user_class.fixed_count and counts.get(user_class, 0) < user_class.fixed_count:
            return user_class
    weighted = [c for c in ordered if not c.fixed_count and c.weight > 0]
    if not weighted:
        return None
    total_weight = sum(c.weight for c in weighted)
    running = sum(counts.get(c, 0) for c in weighted) + 1
    best, best_deficit = None, None
    for user_class in weighted:
        deficit = user_class.weight / total_weight * running - counts.get(user_class, 0)
        if best_deficit is None or deficit > best_deficit + 1e-12:
            best, best_deficit = user_class, deficit
    return best


def target_counts(classes: Sequence[Any], user_count: int) -> dict[Any, int]:
    """How many users of each class run when ``user_count`` users run in total."""
    counts: dict[Any, int] = {c: 0 for c in classes}
    for _ in range(user_count):
        user_class = next_user_class(classes, counts)
        if user_class is None:
            break
        counts[user_class] += 1
    return counts
