"""``locust.debug``: ``run_single_user``, and its environment in ``_env`` as Locust keeps it (a
script may reach the running user as ``debug._env.single_user_instance``)."""

from typing import Any

from horde.cli import single_user
from horde.runtime.environment import Environment
from horde.runtime.events import events

_env: Environment | None = None


def run_single_user(user_class: Any, *args: Any, **kwargs: Any) -> None:
    def remember(environment: Environment, **_: Any) -> None:
        global _env
        _env = environment

    events.test_start.add_listener(remember)
    try:
        single_user.run_single_user(user_class, *args, **kwargs)
    finally:
        events.test_start.remove_listener(remember)


run_single_user.__doc__ = single_user.run_single_user.__doc__

__all__ = ("run_single_user",)
