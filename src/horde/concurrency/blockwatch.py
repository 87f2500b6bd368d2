"""Who blocked the event loop? A thread watches the loop's heartbeat and, when it stops, looks at
what the loop's thread is running.

Under gevent's patching ``time.sleep``, sockets and the clients built on them wait cooperatively;
what still blocks every user is code gevent cannot reach: a client written in C (a database
driver), a long computation. The loop lag says that the generator fell behind; this says where.
The heartbeat is :class:`~horde.runtime.health.HealthMonitor`'s probe, due every 20 ms: when it is
more than :data:`BLOCK_THRESHOLD` late, the watcher reads the loop thread's current frame
(``sys._current_frames``) and walks out to the innermost frame of user code. Once the loop runs
again it logs one warning per place, and the health window records the block, so the verdict
says "blocked by user code" rather than blaming the machine.
"""

from __future__ import annotations

import logging
import os
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

from horde.concurrency.cooperative import original

logger = logging.getLogger(__name__)

BLOCK_THRESHOLD = 0.1
"""Seconds without a heartbeat that count as the loop blocked."""
CHECK_INTERVAL = 0.02

_HORDE = str(Path(__file__).resolve().parents[1]) + os.sep
_LIBRARIES = tuple(
    {
        str(Path(sysconfig.get_paths()[key]).resolve()) + os.sep
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)


@dataclass(frozen=True)
class Block:
    """One stretch of time the loop did not run: where user code was, and for how long."""

    where: str
    """``file:line (in function)``, at the first sample."""
    seconds: float
    place: str
    """``file (in function)``: a busy loop samples at changing lines of one place."""


def user_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame of user code in the stack that ends at ``frame``: not Horde's, not the
    standard library's, not an installed package's (a driver blocking inside its own module is
    reported at the user's line that called it)."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith("<"):
            path = os.path.realpath(filename)
            if not path.startswith(_HORDE) and not path.startswith(_LIBRARIES):
                return frame
        frame = frame.f_back
    return None


def describe_frame(frame: FrameType) -> str:
    """``locustfile.py:14 (in work)``, the path relative to the working directory when below it."""
    path = frame.f_code.co_filename
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        shown = path
    if shown.startswith(".."):
        shown = path
    return f"{shown}:{frame.f_lineno} (in {frame.f_code.co_name})"


def _place(frame: FrameType) -> str:
    return f"{frame.f_code.co_filename} ({frame.f_code.co_name})"


class BlockWatch:
    """Watches the heartbeat :meth:`beat` of the loop running on the thread that calls
    :meth:`start`; :meth:`take` hands over the blocks seen since the last call."""

    def __init__(self, clock: Callable[[], float], threshold: float = BLOCK_THRESHOLD) -> None:
        self.clock = clock
        self.threshold = threshold
        self._last_beat = clock()
        self._blocks: list[Block] = []
        self._warned: set[str] = set()
        self._running = False
        self._loop: Any = None
        self._thread_id = 0

    def start(self, loop: Any) -> None:
        """Watch ``loop``, running on the calling thread."""
        self._loop = loop
        self._thread_id = original("_thread", "get_ident")()
        self._last_beat = self.clock()
        self._running = True
        original("_thread", "start_new_thread")(self._watch, ())

    def stop(self) -> None:
        self._running = False

    def beat(self, now: float) -> None:
        """The loop ran at ``now`` (called on the loop)."""
        self._last_beat = now

    def take(self) -> list[Block]:
        blocks, self._blocks = self._blocks, []
        return blocks

    def _watch(self) -> None:
        """The watcher thread: real sleeps (gevent's would need a hub of this thread's own)."""
        sleep = original("time", "sleep")
        while self._running:
            sleep(CHECK_INTERVAL)
            last = self._last_beat
            if self.clock() - last < self.threshold:
                continue
            frame = user_frame(sys._current_frames().get(self._thread_id))
            block = None if frame is None else Block(describe_frame(frame), 0.0, _place(frame))
            del frame
            while self._running and self._last_beat == last:  # until the loop runs again
                sleep(CHECK_INTERVAL)
            if block is not None and self._running:
                try:
                    self._loop.call_soon_threadsafe(
                        self._record, replace(block, seconds=self._last_beat - last)
                    )
                except RuntimeError:  # the loop closed meanwhile
                    return

    def _record(self, block: Block) -> None:
        """On the loop: keep the block for the health window, and say it once per place."""
        self._blocks.append(block)
        if block.place not in self._warned:
            self._warned.add(block.place)
            logger.warning(
                "User code blocked the event loop for %.2f s at %s: every user waited meanwhile. "
                "gevent makes sleeps, sockets and the clients built on them cooperative; a client "
                "written in C or a long computation is not, and belongs in a thread "
                "(gevent.get_hub().threadpool.apply, or await asyncio.to_thread in an async task)",
                block.seconds,
                block.where,
            )
