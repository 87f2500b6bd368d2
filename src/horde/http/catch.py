"""``catch_response=True``: one implementation of Locust's rules, shared by both session faces.

At the end of the ``with`` block the sample is reported exactly once:

* ``success()`` or ``failure(x)`` was called: that verdict, the last call winning; ``failure``
  wraps a non-exception in ``CatchResponseError``.
* ``ResponseError`` raised in the block: a failure with that error, even after ``success()``
  (raising is the last word), and the exception is swallowed.
* Any other exception: it propagates and the request is not reported, unless a verdict was
  already given, in which case the verdict is reported and the exception still propagates.
* Otherwise the face's default rule (``_default_failure``): for HttpSession a transport error or
  4xx/5xx, for FastHttpSession a status outside its valid set.

The reported response time is the one measured when the response arrived, so time spent in the
block does not count. ``request_meta`` may be edited in the block (rename, add context).
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import Any

from horde.exception import CatchResponseError, LocustError, ResponseError
from horde.http.reporting import report
from horde.http.response import FastResponse, Response
from horde.stats.recording import Recorder

_NOT_ENTERED = (
    "Tried to set status on a request that has not yet been made. Make sure you use a with-block, "
    "like this:\n\nwith self.client.request(..., catch_response=True) as response:\n    response.success()"
)


class _CatchMixin:
    """The verdict logic; mixed into a response class, which supplies ``_default_failure``."""

    request_meta: dict[str, Any]
    _recorder: Recorder
    _verdict: Any
    _entered: bool

    def _arm(
        self,
        recorder: Recorder,
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        context: dict[str, Any],
        start_time: float,
        url: str,
    ) -> None:
        """Hold the sample until the block ends; user code may edit ``request_meta`` meanwhile."""
        self._recorder = recorder
        self.request_meta = {
            "request_type": request_type,
            "name": name,
            "response_time": response_time,
            "response_length": response_length,
            "response": self,
            "context": context,
            "exception": None,
            "start_time": start_time,
            "url": url,
        }
        self._verdict = None
        self._entered = False

    def __enter__(self) -> Any:
        self._entered = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        meta = self.request_meta
        if exc is not None and isinstance(exc, ResponseError):
            meta["exception"] = exc
        elif self._verdict is not None:
            meta["exception"] = None if self._verdict is True else self._verdict
        elif exc is not None:
            return False  # not our business: propagate, report nothing
        else:
            meta["exception"] = self._default_failure(meta["name"])  # type: ignore[attr-defined]
        report(self._recorder, meta)
        return exc is None or isinstance(exc, ResponseError)

    def success(self) -> None:
        """Report this request as successful, whatever its status."""
        if not self._entered:
            raise LocustError(_NOT_ENTERED)
        self._verdict = True

    def failure(self, exc: Any) -> None:
        """Report this request as failed with ``exc`` (a message or an exception)."""
        if not self._entered:
            raise LocustError(_NOT_ENTERED)
        self._verdict = exc if isinstance(exc, Exception) else CatchResponseError(exc)


class ResponseContextManager(_CatchMixin, Response):  # type: ignore[misc]
    """HttpSession's response when ``catch_response=True``: use it in a ``with`` block."""

    def __repr__(self) -> str:
        return f"<ResponseContextManager [{self.status_code}]>"


class FastResponseContextManager(_CatchMixin, FastResponse):  # type: ignore[misc]
    """FastHttpSession's response when ``catch_response=True``."""

    def __repr__(self) -> str:
        return f"<ResponseContextManager [{self.status_code}]>"


class PendingCatch:
    """The async face of ``catch_response=True``: ``async with client.get(...) as r`` works, and so
    does ``r = await client.get(...)`` followed by ``with r:``."""

    __slots__ = ("_coro", "_manager")

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._coro = coro
        self._manager: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    async def __aenter__(self) -> Any:
        self._manager = await self._coro
        return self._manager.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        return bool(self._manager.__exit__(exc_type, exc, tb))

    def __enter__(self) -> Any:
        self._coro.close()
        raise LocustError(
            "In async code, use `async with self.client.get(..., catch_response=True) as response:` "
            "(plain `with` works in def tasks)"
        )

    def __exit__(self, *exc_info: object) -> None:  # pragma: no cover - __enter__ always raises
        return None
