"""``locust.env``."""

from horde.runtime.environment import Environment
from horde.shapes.load_test_shape import LoadTestShape

__all__ = ("Environment", "LoadTestShape")
