"""``locust.log``."""

from horde.cli.logging_setup import setup_logging

__all__ = ("setup_logging",)
