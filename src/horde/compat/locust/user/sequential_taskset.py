"""``locust.user.sequential_taskset``."""

from horde.user.sequential_taskset import SequentialTaskSet

__all__ = ("SequentialTaskSet",)
