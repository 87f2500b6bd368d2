"""``locust.debug``."""

from horde.runtime.single_user import run_single_user

__all__ = ("run_single_user",)
