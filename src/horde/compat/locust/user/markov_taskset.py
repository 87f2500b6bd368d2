"""``locust.user.markov_taskset``."""

from horde.user.markov_taskset import MarkovTaskSet, MarkovTaskSetError, transition, transitions

__all__ = ("MarkovTaskSet", "MarkovTaskSetError", "transition", "transitions")
