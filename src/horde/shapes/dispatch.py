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
    """How many users of each class run when ``user_count`` users run in total: the counts after
    ``user_count`` steps of :func:`next_user_class`, found from the nearest checkpoint of that
    sequence (a master asks every 0.2 s of a ramp; 100,000 users took 0.2 s stepped from zero)."""
    key = tuple((c, c.weight, c.fixed_count) for c in classes)  # edited weights: another sequence
    sequence = _SEQUENCES.pop(key, None) or _Sequence(list(classes))
    _SEQUENCES[key] = sequence  # the most recently used last
    while len(_SEQUENCES) > _KEEP_SEQUENCES:
        del _SEQUENCES[next(iter(_SEQUENCES))]
    return sequence.counts(user_count)


CHECKPOINT_EVERY = 1024
_KEEP_SEQUENCES = 16


class _Sequence:
    """The class counts of one set of classes after every ``CHECKPOINT_EVERY`` steps, made as far
    as asked."""

    def __init__(self, classes: list[Any]) -> None:
        self.classes = classes
        self.checkpoints: list[dict[Any, int]] = [{c: 0 for c in classes}]
        self.end: int | None = None  # steps after which no class takes more users

    def counts(self, steps: int) -> dict[Any, int]:
        if self.end is not None:
            steps = min(steps, self.end)
        wanted = steps // CHECKPOINT_EVERY
        while len(self.checkpoints) <= wanted and self.end is None:
            last = len(self.checkpoints) - 1
            counts, taken = self._step(dict(self.checkpoints[last]), CHECKPOINT_EVERY)
            if taken < CHECKPOINT_EVERY:
                self.end = last * CHECKPOINT_EVERY + taken
                return counts if steps >= self.end else self.counts(steps)
            self.checkpoints.append(counts)
        base = min(wanted, len(self.checkpoints) - 1)
        counts, _ = self._step(dict(self.checkpoints[base]), steps - base * CHECKPOINT_EVERY)
        return counts

    def _step(self, counts: dict[Any, int], steps: int) -> tuple[dict[Any, int], int]:
        for taken in range(steps):
            user_class = next_user_class(self.classes, counts)
            if user_class is None:
                return counts, taken
            counts[user_class] += 1
        return counts, steps


_SEQUENCES: dict[tuple[tuple[Any, int, int], ...], _Sequence] = {}
