"""``run_single_user``: run one user in the foreground, printing each request (for debugging)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from horde.cli.options import parse_script_options
from horde.concurrency import cooperative
from horde.exception import CatchResponseError, UsageError
from horde.runtime.environment import Environment
from horde.runtime.events import events as global_events

if TYPE_CHECKING:
    from horde.user.users import User


def _printer(include_length: bool, include_time: bool, include_context: bool) -> Any:
    """Locust's table: a header, then a tab-separated row per request (the same columns and
    widths, so that what people grep or paste from it keeps its shape)."""
    time_column = "time".ljust(24) + "\t" if include_time else ""
    length_column = "length\t" if include_length else ""
    context_column = "context\t" if include_context else ""
    header = f"{time_column}type\t{'name'.ljust(50)}\tresp_ms\t{length_column}exception\t{context_column}\t"
    print("\n" + header, flush=True)

    def print_request(
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int,
        exception: Any = None,
        context: dict[str, Any] | None = None,
        start_time: float | None = None,
        **_: Any,
    ) -> None:
        columns = []
        if include_time:
            when = datetime.fromtimestamp(start_time, tz=UTC) if start_time else datetime.now()
            columns.append(str(when))
        columns += [request_type, (name.ljust(30) if name else "").ljust(50)]
        columns.append(str(round(response_time if response_time is not None else -1)).ljust(7))
        if include_length:
            columns.append(str(response_length))
        error = "" if exception is None else _error_text(exception)
        columns.append(error.ljust(9))
        if include_context:
            columns.append(str(context or ""))
        print("\t".join(columns) + "\t", flush=True)

    return print_request


def _error_text(exception: BaseException) -> str:
    text = str(exception) if isinstance(exception, CatchResponseError) else repr(exception)
    return text[:500].replace("\n", " ")


def _script_options() -> argparse.Namespace:
    """The options of the script's own command line, ``LOCUST_*`` variables and config files, as
    Locust's ``run_single_user`` reads them (``LOCUST_HOST=... python locustfile.py`` sets the host)."""
    try:
        return parse_script_options(global_events)
    except UsageError as error:
        raise SystemExit(f"{Path(sys.argv[0]).name}: error: {error}") from None


def run_single_user(
    user_class: type[User],
    include_length: bool = False,
    include_time: bool = False,
    include_context: bool = False,
    include_payload: bool = False,
    loglevel: str | None = "WARNING",
) -> None:
    """Run one ``user_class`` user until it stops or Ctrl-C, printing a line per request. The
    user is the environment's ``single_user_instance`` (the environment: ``test_start``'s)."""
    if loglevel:
        logging.basicConfig(level=loglevel.upper())
    options = _script_options()
    host = options.host or user_class.host
    environment = Environment(
        user_classes=[user_class], events=global_events, host=host, parsed_options=options
    )
    printer = environment.events.request.add_listener(_printer(include_length, include_time, include_context))
    environment.events.init.fire(environment=environment, runner=None, web_ui=None)
    environment.events.test_start.fire(environment=environment)

    async def main() -> None:
        user = environment.single_user_instance = user_class(environment)
        await user.start()

    try:
        cooperative.run(main())  # under gevent's hub when patched: the user may block as under Locust
    except KeyboardInterrupt:
        pass
    finally:
        environment.events.request.remove_listener(printer)
        environment.events.request.remove_listener(environment._stats_listener)
