"""``locust.env``."""

from horde.runtime.environment import Environment

__all__ = ("Environment",)
