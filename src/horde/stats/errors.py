"""Failure rows: one ``StatsError`` per (method, name, error text), as in Locust's ``stats.errors``.

Rows are keyed like Locust (SHA-256 of method, name and the error's repr with ``object at 0x…``
addresses blanked out), so rows from different processes merge by key. Error messages that embed
ids or URLs would otherwise grow the table without end, so :class:`ErrorTable` keeps at most
``MAX_ERROR_ROWS`` distinct rows; later new kinds are counted in one overflow row per request
(method, name), whose message says so.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from horde.exception import CatchResponseError

MAX_ERROR_ROWS = 1000
"""Distinct error rows kept before new kinds go to per-request overflow rows."""

OVERFLOW_ERROR = f"Too many distinct errors (over {MAX_ERROR_ROWS} kinds); further new kinds counted here"

_ADDRESS = re.compile(r"object at 0x[0-9A-Fa-f]+")
_CATCH_RESPONSE_PREFIX = "CatchResponseError("


class StatsError:
    """How often one kind of error happened for one request name.

    ``error`` is the exception object when recorded in this process, or its text when the row came
    from another process. ``first_seen`` and ``last_seen`` are epoch seconds.
    """

    __slots__ = ("error", "first_seen", "last_seen", "method", "name", "occurrences")

    def __init__(
        self,
        method: str,
        name: str,
        error: object,
        occurrences: int = 0,
        first_seen: float | None = None,
        last_seen: float | None = None,
    ) -> None:
        self.method = method
        self.name = name
        self.error = error
        self.occurrences = occurrences
        self.first_seen = first_seen
        self.last_seen = last_seen

    @classmethod
    def parse_error(cls, error: object) -> str:
        """``repr(error)`` with memory addresses replaced by ``0x....`` (Locust's normalisation)."""
        return _ADDRESS.sub("object at 0x....", repr(error))

    @classmethod
    def create_key(cls, method: str, name: str, error: object) -> str:
        """The row key: SHA-256 hex of method, name and the normalised error text."""
        return _key(method, name, error_text(error))

    def occurred(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.occurrences += 1
        if self.first_seen is None:
            self.first_seen = now
        self.last_seen = now

    def to_name(self) -> str:
        """``"METHOD name: message"`` for the console; ``CatchResponseError("msg")`` shows as ``msg``."""
        return f"{self.method} {self.name}: {display_error(self.error)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "name": self.name,
            "error": error_text(self.error),
            "occurrences": self.occurrences,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }

    serialize = to_dict

    @classmethod
    def unserialize(cls, data: dict[str, Any]) -> StatsError:
        return cls(
            data["method"],
            data["name"],
            data["error"],
            data["occurrences"],
            data.get("first_seen"),
            data.get("last_seen"),
        )

    from_dict = unserialize

    def merge(self, other: StatsError) -> None:
        """Add another process's row for the same key."""
        self.occurrences += other.occurrences
        firsts = [t for t in (self.first_seen, other.first_seen) if t is not None]
        lasts = [t for t in (self.last_seen, other.last_seen) if t is not None]
        self.first_seen = min(firsts) if firsts else None
        self.last_seen = max(lasts) if lasts else None

    def __repr__(self) -> str:
        return f"StatsError({self.method!r}, {self.name!r}, {error_text(self.error)!r}, {self.occurrences})"


def error_text(error: object) -> str:
    """The stored text of an error: text from other processes is kept as is, objects are parsed."""
    return error if isinstance(error, str) else StatsError.parse_error(error)


def display_error(error: object) -> str:
    """The message people read: ``CatchResponseError`` unwrapped, other errors as their repr."""
    if isinstance(error, CatchResponseError):
        return str(error.args[0]) if error.args else ""
    if isinstance(error, str):
        if error.startswith(_CATCH_RESPONSE_PREFIX) and error.endswith(")"):
            inner = error[len(_CATCH_RESPONSE_PREFIX) : -1]
            if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
                inner = inner[1:-1]
            return inner
        return error
    return StatsError.parse_error(error)


def _key(method: str, name: str, text: str) -> str:
    return hashlib.sha256(f"{method}.{name}.{text!r}".encode()).hexdigest()


class ErrorTable:
    """Builds the ``errors`` dict (key -> StatsError) with bounded size; see the module docstring."""

    __slots__ = ("_keys", "errors", "max_rows")

    def __init__(self, errors: dict[str, StatsError], max_rows: int = MAX_ERROR_ROWS) -> None:
        self.errors = errors
        self.max_rows = max_rows
        self._keys: dict[tuple[str, str, str], str] = {}  # skips re-hashing known rows

    def add(self, method: str, name: str, error: object, now: float) -> StatsError:
        text = error_text(error)
        lookup = (method, name, text)
        key = self._keys.get(lookup)
        row = self.errors.get(key) if key is not None else None
        if row is None:
            key = _key(method, name, text)
            row = self.errors.get(key)
            if row is None:
                if len(self.errors) >= self.max_rows:
                    return self._overflow(method, name, now)
                row = self.errors[key] = StatsError(method, name, error)
            if len(self._keys) >= 2 * self.max_rows:  # only after someone emptied ``errors`` by hand
                self._keys.clear()
            self._keys[lookup] = key
        row.occurred(now)
        return row

    def _overflow(self, method: str, name: str, now: float) -> StatsError:
        # One row per request name, and past 2 x max_rows names a single catch-all row.
        if len(self.errors) >= 2 * self.max_rows:
            method, name = "", "*"
        key = _key(method, name, OVERFLOW_ERROR)
        row = self.errors.get(key)
        if row is None:
            row = self.errors[key] = StatsError(method, name, OVERFLOW_ERROR)
        row.occurred(now)
        return row

    def merge_row(self, key: str, row: StatsError) -> None:
        """Fold in a row from another process (its key is authoritative)."""
        mine = self.errors.get(key)
        if mine is None:
            copy = StatsError(row.method, row.name, row.error, 0, None, None)
            copy.merge(row)
            self.errors[key] = copy
        else:
            mine.merge(row)

    def clear(self) -> None:
        self.errors.clear()
        self._keys.clear()
