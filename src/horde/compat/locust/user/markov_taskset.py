"""``locust.user.markov_taskset``."""

from horde.user.markov_taskset import (
    InvalidTransitionError,
    MarkovTaskSet,
    MarkovTaskSetError,
    MarkovTaskTagError,
    NoMarkovTasksError,
    NonMarkovTaskTransitionError,
    transition,
    transitions,
)

__all__ = (
    "InvalidTransitionError",
    "MarkovTaskSet",
    "MarkovTaskSetError",
    "MarkovTaskTagError",
    "NoMarkovTasksError",
    "NonMarkovTaskTransitionError",
    "transition",
    "transitions",
)
