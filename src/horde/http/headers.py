"""Case-insensitive header mapping, as ``requests.structures.CaseInsensitiveDict`` behaves.

``version`` counts mutations so the engine can cache the encoded bytes of a session's default
headers and rebuild them only after user code changes the mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

HeaderValue = str | bytes


class CaseInsensitiveDict(MutableMapping[str, Any]):
    """A dict whose keys compare case-insensitively and keep the spelling last used to set them."""

    __slots__ = ("_store", "version")

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None, **kw: Any) -> None:
        self._store: dict[str, tuple[str, Any]] = {}
        self.version = 0
        if data is not None:
            self.update(data)
        if kw:
            self.update(kw)

    @classmethod
    def from_raw(cls, raw: Iterable[tuple[bytes, bytes]]) -> CaseInsensitiveDict:
        """Response headers as parsed; repeated fields are joined with ", " (as requests does)."""
        headers = cls()
        store = headers._store
        for name_b, value_b in raw:
            name = name_b.decode("latin-1")
            value = value_b.decode("latin-1")
            key = name.lower()
            previous = store.get(key)
            store[key] = (name, value) if previous is None else (previous[0], f"{previous[1]}, {value}")
        return headers

    def __setitem__(self, key: str, value: Any) -> None:
        self._store[key.lower()] = (key, value)
        self.version += 1

    def __getitem__(self, key: str) -> Any:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]
        self.version += 1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._store

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def items_original(self) -> list[tuple[str, Any]]:
        """(name as spelled, value) pairs, cheaper than ``items()`` for encoding."""
        return list(self._store.values())

    def lower_items(self) -> Iterator[tuple[str, Any]]:
        return ((key, pair[1]) for key, pair in self._store.items())

    def copy(self) -> CaseInsensitiveDict:
        return CaseInsensitiveDict(self._store.values())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            other_ci = other if isinstance(other, CaseInsensitiveDict) else CaseInsensitiveDict(other)
            return dict(self.lower_items()) == dict(other_ci.lower_items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable mapping

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def merge_headers(
    base: CaseInsensitiveDict, extra: Mapping[str, Any] | None
) -> list[tuple[str, HeaderValue]]:
    """Session headers overlaid by per-request ones; a ``None`` value removes the header (requests)."""
    merged = dict(base._store)
    if extra:
        for name, value in extra.items():
            if value is None:
                merged.pop(name.lower(), None)
            else:
                merged[name.lower()] = (name, value)
    return [pair for pair in merged.values() if pair[1] is not None]
