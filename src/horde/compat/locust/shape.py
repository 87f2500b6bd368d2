"""``locust.shape``."""

from horde.shapes.load_test_shape import LoadTestShape

__all__ = ("LoadTestShape",)
