"""``locust.contrib.csv_request_logger``: one CSV row per request, beside the aggregated ``--csv``.

``CsvRequestLogger(path).register(environment)`` (in an ``init`` listener) opens ``path``, writes
the header, then a row for every ``request`` event; the file closes when the run quits. The
columns are Locust's: timestamp (when the request was sent, epoch seconds), request_type, name,
response_time_ms (2 decimals), response_length, status_code (0 without a response), exception.
"""

from __future__ import annotations

import csv
import time
from typing import IO, Any

CSV_COLUMNS = (
    "timestamp",
    "request_type",
    "name",
    "response_time_ms",
    "response_length",
    "status_code",
    "exception",
)


class CsvRequestLogger:
    def __init__(self, filepath: str, *, flush_interval: int = 1) -> None:
        self.filepath = filepath
        self.flush_interval = max(1, flush_interval)
        """Rows written between two flushes to disk (1: each at once)."""
        self._file: IO[str] | None = None
        self._writer: Any = None
        self._unflushed = 0

    def register(self, environment: Any) -> None:
        environment.events.request.add_listener(self._on_request)
        environment.events.quitting.add_listener(self._on_quitting)
        self.close()
        self._file = open(self.filepath, "w", newline="", encoding="utf-8")  # noqa: SIM115 - kept open
        self._writer = csv.writer(self._file)
        self._writer.writerow(CSV_COLUMNS)
        self._file.flush()

    def close(self) -> None:
        """Flush and close (again: nothing)."""
        if self._file is not None and not self._file.closed:
            self._file.close()
        self._file = None
        self._writer = None
        self._unflushed = 0

    def _on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int,
        exception: Any = None,
        response: Any = None,
        start_time: float | None = None,
        **_: Any,
    ) -> None:
        if self._writer is None or self._file is None:
            return
        self._writer.writerow(
            (
                round(start_time if start_time is not None else time.time(), 6),
                request_type,
                name,
                "" if response_time is None else round(response_time, 2),
                response_length,
                _status_code(response, exception),
                "" if exception is None else str(exception),
            )
        )
        self._unflushed += 1
        if self._unflushed >= self.flush_interval:
            self._file.flush()
            self._unflushed = 0

    def _on_quitting(self, **_: Any) -> None:
        self.close()


def _status_code(response: Any, exception: Any) -> int:
    if response is None:
        return 0
    try:
        return int(response.status_code)
    except (AttributeError, TypeError, ValueError):
        return 0
