"""``run_single_user``: run one user in the foreground, printing each request (for debugging)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from horde.runtime import cooperative
from horde.runtime.environment import Environment
from horde.runtime.events import events as global_events

if TYPE_CHECKING:
    from horde.user.users import User


def _printer(include_length: bool, include_time: bool, include_context: bool) -> Any:
    def print_request(
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int,
        exception: Any = None,
        context: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        columns = [request_type, name]
        if include_time:
            columns.append(f"{response_time or 0:.1f}")
        if include_length:
            columns.append(str(response_length))
        columns.append("" if exception is None else repr(exception))
        if include_context:
            columns.append(str(context or {}))
        print("\t".join(columns), flush=True)

    return print_request


def run_single_user(
    user_class: type[User],
    include_length: bool = False,
    include_time: bool = False,
    include_context: bool = False,
    include_payload: bool = False,
    loglevel: str | None = "WARNING",
) -> None:
    """Run one ``user_class`` user until it stops or Ctrl-C, printing a line per request."""
    if loglevel:
        logging.basicConfig(level=loglevel.upper())
    environment = Environment(user_classes=[user_class], events=global_events, host=user_class.host)
    printer = environment.events.request.add_listener(_printer(include_length, include_time, include_context))
    environment.events.init.fire(environment=environment, runner=None, web_ui=None)
    environment.events.test_start.fire(environment=environment)

    async def main() -> None:
        user = user_class(environment)
        await user.start()

    try:
        cooperative.run(main())  # under gevent's hub when patched: the user may block as under Locust
    except KeyboardInterrupt:
        pass
    finally:
        environment.events.request.remove_listener(printer)
        environment.events.request.remove_listener(environment._stats_listener)
