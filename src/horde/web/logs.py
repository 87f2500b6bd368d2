"""The last log lines of this process, for the web UI's Logs tab (Locust's ``GET /logs``)."""

from __future__ import annotations

import logging
from collections import deque

MAX_LINES = 500


class LogBuffer(logging.Handler):
    """Keeps the newest :data:`MAX_LINES` formatted records; attach to a logger while serving."""

    def __init__(self, formatter: logging.Formatter | None = None) -> None:
        super().__init__()
        self.lines: deque[str] = deque(maxlen=MAX_LINES)
        self.emitted = 0
        """Records seen so far (the UI compares it to know when to fetch the lines again)."""
        self.setFormatter(
            formatter
            or _first_formatter()
            or logging.Formatter("[%(asctime)s] %(levelname)s/%(name)s: %(message)s")
        )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
            self.emitted += 1
        except Exception:  # logging must never take the run down
            self.handleError(record)


def _first_formatter() -> logging.Formatter | None:
    for handler in logging.getLogger().handlers:
        if handler.formatter is not None:
            return handler.formatter
    return None
