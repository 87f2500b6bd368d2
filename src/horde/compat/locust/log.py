"""``locust.log``: the logging set-up, and the handler Locust links to its greenlets."""

import logging
from collections.abc import Callable
from typing import Any

from horde.cli.logging_setup import setup_logging
from horde.web.logs import LogBuffer

unhandled_greenlet_exception = False
"""Set once a greenlet linked to :func:`greenlet_exception_logger` died of an exception: the run
then exits with code 2 (as Locust's)."""


class LogReader(LogBuffer):
    """Locust's in-memory handler: the newest 500 formatted records, in ``logs``."""

    @property
    def logs(self) -> Any:
        return self.lines


def get_logs() -> list[str]:
    """The lines of the root logger's handler named ``log_reader``, as Locust's."""
    for handler in logging.getLogger().handlers:
        if handler.name == "log_reader" and isinstance(handler, LogBuffer):
            return list(handler.lines)
    return []


def greenlet_exception_logger(logger: logging.Logger, level: int = logging.CRITICAL) -> Callable[[Any], None]:
    """What ``greenlet.link_exception()`` takes: log the greenlet's exception, in Locust's words."""

    def exception_handler(greenlet: Any) -> None:
        global unhandled_greenlet_exception
        if greenlet.exc_info[0] is SystemExit:
            logger.log(
                min(logging.INFO, level),
                f"sys.exit({greenlet.exc_info[1]}) called (use log level DEBUG for callstack)",
            )
            logger.log(
                logging.DEBUG, "Unhandled exception in greenlet: %s", greenlet, exc_info=greenlet.exc_info
            )
        else:
            logger.log(level, "Unhandled exception in greenlet: %s", greenlet, exc_info=greenlet.exc_info)
        unhandled_greenlet_exception = True

    return exception_handler


__all__ = (
    "LogReader",
    "get_logs",
    "greenlet_exception_logger",
    "setup_logging",
    "unhandled_greenlet_exception",
)
