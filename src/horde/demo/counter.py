"""Per-route request counts that tests compare with what a load generator reported."""

from __future__ import annotations

OVERFLOW_PATH = "<other>"


class RequestCounter:
    """Counts requests by ``"METHOD /path"`` (query string excluded).

    The number of distinct keys is capped so a client that requests random paths cannot grow the
    server without limit; past the cap, new paths are counted under ``"METHOD <other>"``.
    """

    def __init__(self, max_keys: int = 10_000) -> None:
        self._max_keys = max_keys
        self._counts: dict[str, int] = {}
        self.total = 0

    def add(self, method: str, path: str) -> None:
        key = f"{method} {path}"
        counts = self._counts
        if key not in counts and len(counts) >= self._max_keys:
            key = f"{method} {OVERFLOW_PATH}"
        counts[key] = counts.get(key, 0) + 1
        self.total += 1

    def snapshot(self) -> dict[str, int]:
        return dict(self._counts)

    def reset(self) -> None:
        self._counts.clear()
        self.total = 0
