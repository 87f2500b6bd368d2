"""``locust.util.timespan``: ``parse_timespan("1h30m")`` -> 5400, as ``--run-time`` reads it."""

from horde.timespan import parse_timespan

__all__ = ("parse_timespan",)
