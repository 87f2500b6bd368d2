"""Log lines in Locust's format: ``[time] host/LEVEL/logger: message`` on stderr (or --logfile); the
stats tables as plain lines on stderr through ``locust.stats_logger``, whatever the level, as Locust
sets them up."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

from horde.cli.preflight import file_problem
from horde.exception import UsageError

_HOSTNAME = socket.gethostname().split(".")[0]


def setup_logging(loglevel: str = "INFO", logfile: str | None = None) -> None:
    level = getattr(logging, loglevel.upper(), None)
    if not isinstance(level, int):
        raise ValueError(f"invalid log level '{loglevel}': use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    handler: logging.Handler
    if logfile:
        problem = file_problem(Path(logfile))
        if problem is not None:
            raise UsageError(f"cannot write --logfile to {logfile}: {problem}")
        handler = logging.FileHandler(logfile)
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"[%(asctime)s] {_HOSTNAME}/%(levelname)s/%(name)s: %(message)s"))
    _only_handler(logging.getLogger(), handler, level)
    plain = logging.StreamHandler(sys.stderr)
    plain.setFormatter(logging.Formatter("%(message)s"))
    tables = logging.getLogger("locust.stats_logger")
    _only_handler(tables, plain, logging.INFO)
    tables.propagate = False


def _only_handler(logger: logging.Logger, handler: logging.Handler, level: int) -> None:
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(level)
