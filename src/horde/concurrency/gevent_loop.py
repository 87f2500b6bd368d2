"""gevent's event loop carried out by Horde's asyncio loop, so that blocking code cooperates.

Locust users call ``time.sleep``, ``requests``, sockets and gevent itself from their tasks:
under Locust, gevent's monkey patching turns each of those into a switch to gevent's hub. Horde
keeps that, but gevent does not get an event loop of its own: :class:`AsyncioLoop` implements
gevent's loop interface (its ``ILoop``: watchers for file descriptors, timers, signals, child
processes, callbacks) on the asyncio loop (uvloop) that runs Horde's users. The hub greenlet runs
that asyncio loop, so a greenlet blocking in gevent switches to the hub, and the hub is simply
Horde's event loop going on with everything else. One loop, one poll, no thread.

gevent is configured with ``gevent.config.loop = AsyncioLoop`` before its hub exists
(:mod:`horde.concurrency.cooperative`). Watcher callbacks run inside asyncio callbacks, hence in the
hub greenlet, as gevent requires.
"""

from __future__ import annotations

import _queue
import asyncio
import concurrent.futures
import contextlib
import contextvars
import os
import posix
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from horde.concurrency.cooperative import original
from horde.concurrency.loop import new_event_loop

__all__ = ["READ", "WRITE", "AsyncioLoop", "loop"]  # gevent.core re-exports them

READ = 1
WRITE = 2
_EVENTS_PLACEHOLDER = object()  # gevent's GEVENT_CORE_EVENTS: "pass the events here"
CHILD_POLL_INTERVAL = 0.005
"""Seconds between checks of watched child processes (a poll rather than SIGCHLD: no signal
handler to share with uvloop, and it works from any thread)."""
STAT_POLL_INTERVAL = 1.0


class Watcher:
    """What every gevent watcher has: a callback and its arguments while started."""

    def __init__(self, loop: AsyncioLoop, ref: bool = True, priority: int | None = None) -> None:
        self.loop = loop
        self._ref = ref
        self.priority = priority
        self.callback: Callable[..., Any] | None = None
        self.args: tuple[Any, ...] | None = None
        self._active = False
        self._handle: asyncio.Handle | None = None
        """The loop's callback or timer a watcher of time (timer, idle, stat) waits on."""

    @property
    def active(self) -> bool:
        return self._active

    @property
    def ref(self) -> bool:
        """Whether this watcher, while active, keeps the loop running (libev's ref)."""
        return self._ref

    @ref.setter
    def ref(self, value: bool) -> None:
        value = bool(value)
        if self._active and value != self._ref:
            self.loop._keep(1 if value else -1)
        self._ref = value

    def _set_active(self, active: bool) -> None:
        if active != self._active:
            self._active = active
            if self._ref:
                self.loop._keep(1 if active else -1)

    @property
    def pending(self) -> bool:
        return False

    def start(self, callback: Callable[..., Any], *args: Any, **_: Any) -> None:
        if callback is None:
            raise TypeError("callback must be callable, not None")
        self.callback = callback
        self.args = args
        if not self._active:
            self._set_active(True)
            self._arm()

    def stop(self) -> None:
        if self._active:
            self._set_active(False)
            self._disarm()
        self.callback = None
        self.args = None

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _arm(self) -> None:
        """Start watching (called once per start)."""

    def _disarm(self) -> None:
        """Stop watching (the watchers of time: drop their pending callback)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self, *first: Any) -> None:
        """Call the callback as gevent would: errors go to the hub's error handler."""
        callback, args = self.callback, self.args
        if callback is None:
            return
        try:
            callback(*first, *(args or ()))
        except BaseException:
            self.loop.handle_error(self, *sys.exc_info())

    def __repr__(self) -> str:
        state = "active" if self._active else "stopped"
        return f"<{type(self).__name__} {state} callback={self.callback!r}>"


class IoWatcher(Watcher):
    """Readiness of a file descriptor (``events``: 1 read, 2 write, 3 both)."""

    def __init__(
        self, loop: AsyncioLoop, fd: int, events: int, ref: bool = True, priority: Any = None
    ) -> None:
        if fd < 0:
            raise ValueError(f"fd must be non-negative: {fd!r}")
        if events & ~(READ | WRITE) or not events:
            raise ValueError(f"illegal event mask: {events!r}")
        super().__init__(loop, ref, priority)
        self.fd = fd
        self.events = events
        self._pass_events = False

    def start(self, callback: Callable[..., Any], *args: Any, pass_events: bool = False, **_: Any) -> None:
        self._pass_events = pass_events
        super().start(callback, *args)

    def _arm(self) -> None:
        self.loop._io_start(self)

    def _disarm(self) -> None:
        self.loop._io_stop(self)

    def _ready(self, events: int) -> None:
        if self._pass_events:
            self._fire(events)
        else:
            self._fire()


class TimerWatcher(Watcher):
    """Fires ``after`` seconds from its start, then every ``repeat`` seconds if that is above 0."""

    def __init__(
        self,
        loop: AsyncioLoop,
        after: float = 0.0,
        repeat: float = 0.0,
        ref: bool = True,
        priority: Any = None,
    ) -> None:
        if repeat < 0.0:
            raise ValueError(f"repeat must be positive or zero: {repeat!r}")
        super().__init__(loop, ref, priority)
        self.after = after
        self.repeat = repeat

    @property
    def at(self) -> float:
        handle = self._handle
        return handle.when() if isinstance(handle, asyncio.TimerHandle) else self.loop.now()

    def again(self, callback: Callable[..., Any], *args: Any, **_: Any) -> None:
        """Start again from now (gevent's restart of a running timer)."""
        self.stop()
        self.start(callback, *args)

    def _arm(self) -> None:
        self._handle = self.loop.aio.call_later(self.after, self._due, context=self.loop.context)

    def _due(self) -> None:
        """Queued behind the callbacks already due, as libev runs them: uvloop runs its timers
        before the callbacks queued in the previous pass, and gevent's code expects the other
        order (a ``sleep(0.001)`` that lets a lock's waiters be notified first)."""
        self._handle = self.loop.aio.call_soon(self._expired, context=self.loop.context)

    def _expired(self) -> None:
        if self.repeat > 0:
            self._handle = self.loop.aio.call_later(self.repeat, self._due, context=self.loop.context)
            self._fire()
            return
        self._handle = None
        callback, args = self.callback, self.args
        self._set_active(False)  # a one-shot timer is stopped once it fired, as in libev
        self.callback = self.args = None
        if callback is not None:
            try:
                callback(*(args or ()))
            except BaseException:
                self.loop.handle_error(self, *sys.exc_info())


class SoonWatcher(Watcher):
    """``idle``, ``prepare`` and ``check``: fire once per pass of the loop while started.

    asyncio has no hooks around its poll; the next pass of the loop is the moment all three
    stand for in gevent's uses (after a socket's close, waiting for the loop to go idle)."""

    def _arm(self) -> None:
        self._handle = self.loop.aio.call_soon(self._pass, context=self.loop.context)

    def _pass(self) -> None:
        self._handle = self.loop.aio.call_soon(self._pass, context=self.loop.context)
        self._fire()


class AsyncWatcher(Watcher):
    """Woken by :meth:`send`, from any thread (gevent's thread pool and resolver use it)."""

    def __init__(self, loop: AsyncioLoop, ref: bool = True, priority: Any = None) -> None:
        super().__init__(loop, ref, priority)
        self._sent = False

    @property
    def pending(self) -> bool:
        return self._sent

    def send(self) -> None:
        if not self._sent:
            self._sent = True
            self.loop.aio.call_soon_threadsafe(self._deliver, context=self.loop.context)

    def send_ignoring_arg(self, _ignored: Any) -> None:
        self.send()

    def _deliver(self) -> None:
        self._sent = False
        if self._active:
            self._fire()


class SignalWatcher(Watcher):
    def __init__(self, loop: AsyncioLoop, signalnum: int, ref: bool = True, priority: Any = None) -> None:
        if signalnum < 1 or signalnum >= signal.NSIG:
            raise ValueError(f"illegal signal number: {signalnum!r}")
        super().__init__(loop, ref, priority)
        self.signum = signalnum

    def _arm(self) -> None:
        self.loop._signal_start(self)

    def _disarm(self) -> None:
        self.loop._signal_stop(self)


class ChildWatcher(Watcher):
    """The end of child process ``pid`` (0: any child); ``rpid`` and ``rstatus`` say which and how."""

    def __init__(self, loop: AsyncioLoop, pid: int, trace: int = 0, ref: bool = True) -> None:
        super().__init__(loop, ref)
        self.pid = pid
        self.rpid = 0
        self.rstatus = 0

    def _arm(self) -> None:
        self.loop._child_start(self)

    def _disarm(self) -> None:
        self.loop._child_stop(self)


class StatWatcher(Watcher):
    """Changes of ``os.stat(path)``, polled every ``interval`` seconds."""

    def __init__(
        self, loop: AsyncioLoop, path: str, interval: float = 0.0, ref: bool = True, priority: Any = None
    ) -> None:
        super().__init__(loop, ref, priority)
        self.path = path
        self.interval = interval or STAT_POLL_INTERVAL
        self.attr: os.stat_result | None = self._stat()
        self.prev: os.stat_result | None = self.attr

    def _stat(self) -> os.stat_result | None:
        try:
            return os.stat(self.path)
        except OSError:
            return None

    def _arm(self) -> None:
        self._handle = self.loop.aio.call_later(self.interval, self._poll, context=self.loop.context)

    def _poll(self) -> None:
        self._handle = self.loop.aio.call_later(self.interval, self._poll, context=self.loop.context)
        now = self._stat()
        if now != self.attr:
            self.prev, self.attr = self.attr, now
            self._fire()


class ForkWatcher(Watcher):
    """Never fires: a process that forks starts a new Horde loop rather than reusing this one."""


class Callback:
    """A function queued with :meth:`AsyncioLoop.run_callback` (gevent's ``ICallback``)."""

    __slots__ = ("args", "callback", "kept", "loop")

    def __init__(self, loop: AsyncioLoop, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.loop = loop
        self.callback: Callable[..., Any] | None = callback
        self.args: tuple[Any, ...] | None = args
        self.kept = False
        """Counted as keeping the loop running (from its queueing on the loop's thread)."""

    def _unkeep(self) -> None:
        if self.kept:
            self.kept = False
            self.loop._keep(-1)

    @property
    def pending(self) -> bool:
        return self.callback is not None

    def stop(self) -> None:
        self.callback = None
        self.args = None
        self._unkeep()

    close = stop

    def __bool__(self) -> bool:
        """Pending or running: gevent's linkables add to ``args`` while the callback runs."""
        return self.args is not None

    def __call__(self) -> None:
        callback, args = self.callback, self.args
        if callback is None or args is None:
            return
        self.callback = None
        self._unkeep()
        try:
            callback(*args)
        except BaseException:
            self.loop.handle_error(self, *sys.exc_info())
        finally:
            self.args = None


class _Future(concurrent.futures.Future[Any]):
    """A future whose lock is a real one: a worker thread completes it, the hub may read it."""

    def __init__(self) -> None:
        super().__init__()
        self._condition = threading.Condition(original("threading", "_CRLock")())


class ThreadExecutor(concurrent.futures.ThreadPoolExecutor):
    """The asyncio loop's default executor (``run_in_executor``, ``to_thread``, aiohttp's file
    reads): real threads. Under gevent's patching the standard one would start greenlets, and wait
    for each to start by switching out of the hub, which gevent forbids.

    Idle workers wait on a C queue; one starts for each call that finds none idle, up to
    ``max_workers``. They end at :meth:`shutdown`, after the calls still queued (``wait`` is not
    honoured: each ends once its current call returns)."""

    def __init__(self, max_workers: int | None = None) -> None:
        # Not super().__init__(): its lock and queue would be gevent's.
        self._limit = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._work: _queue.SimpleQueue[Any] = _queue.SimpleQueue()
        self._lock = original("_thread", "allocate_lock")()
        self._workers = 0
        self._idle = 0
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future = _Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._work.put((future, fn, args, kwargs))
            if self._idle:
                self._idle -= 1  # that worker's: each call queued has a worker for it
            elif self._workers < self._limit:
                self._workers += 1
                original("_thread", "start_new_thread")(self._serve, ())
        return future

    def _serve(self) -> None:
        while (item := self._work.get()) is not None:
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as error:
                    future.set_exception(error)
                else:
                    future.set_result(result)
            del item, future, fn, args, kwargs
            with self._lock:
                self._idle += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while cancel_futures:
                try:
                    item = self._work.get_nowait()
                except _queue.Empty:
                    break
                item[0].cancel()
            for _ in range(self._workers):
                self._work.put(None)


class AsyncioLoop:
    """gevent's ``ILoop`` on an asyncio event loop (:attr:`aio`), which the hub greenlet runs."""

    MINPRI = -2
    MAXPRI = 2
    approx_timer_resolution = 0.001
    starting_timer_may_update_loop_time = False

    def __init__(self, flags: Any = None, default: bool | None = None) -> None:
        self.aio: asyncio.AbstractEventLoop = new_event_loop()
        self.aio.set_default_executor(ThreadExecutor())
        self.context = contextvars.Context()
        """The empty context the loop's callbacks run in: one per loop, as each thread's hub has its
        loop and a context cannot be entered by two threads at once."""
        self.default = threading.current_thread() is threading.main_thread() if default is None else default
        self.error_handler: Any = None
        self._readers: dict[int, list[IoWatcher]] = {}
        self._writers: dict[int, list[IoWatcher]] = {}
        self._signals: dict[int, list[SignalWatcher]] = {}
        self._children: list[ChildWatcher] = []
        self._child_poll: asyncio.TimerHandle | None = None
        self._reaped: dict[int, int] = {}
        """Exit statuses of the children reaped here: a watcher set on a child after its end (gevent's
        waitpid sets a second one while the first one's callback is still pending) still fires."""
        self._kept = 0
        self._end_check = False

    # Running ------------------------------------------------------------------------------------
    def run(self, nowait: bool = False, once: bool = False) -> None:
        """Run the asyncio loop until it is stopped (``nowait``/``once``: one pass)."""
        if nowait or once:
            self.aio.call_soon(self.aio.stop)
        elif self._kept == 0 and not self._end_check:
            self._end_check = True
            self.aio.call_soon(self._end_if_idle, context=self.context)
        self.aio.run_forever()

    def now(self) -> float:
        return self.aio.time()

    def update_now(self) -> None:
        """asyncio reads the clock whenever it needs it."""

    update = update_now

    def break_(self, how: int = 0) -> None:
        self.aio.stop()

    def destroy(self) -> None:
        if not self.aio.is_running() and not self.aio.is_closed():
            self.aio.close()

    def reinit(self) -> None:
        """After a fork: nothing (see ForkWatcher)."""

    def verify(self) -> None:
        pass

    def fileno(self) -> None:
        return None

    def debug(self) -> list[str]:
        return []

    def _format(self) -> str:
        return f"asyncio {type(self.aio).__module__}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} on {self._format()}>"

    def handle_error(self, context: Any, kind: Any, value: Any, tb: Any) -> None:
        """Report an error of a callback; never raise out of the loop (it would end the hub)."""
        handler = self.error_handler
        try:
            if handler is not None:
                handler.handle_error(context, kind, value, tb)
            else:
                traceback.print_exception(kind, value, tb)
        except BaseException as failed:  # e.g. sys.stderr itself raising; the loop must go on
            if isinstance(failed, (SystemExit, KeyboardInterrupt)):
                raise

    # Callbacks ----------------------------------------------------------------------------------
    def run_callback(self, func: Callable[..., Any], *args: Any) -> Callback:
        callback = Callback(self, func, args)
        callback.kept = True
        self._keep(1)
        self.aio.call_soon(callback, context=self.context)
        return callback

    def run_callback_threadsafe(self, func: Callable[..., Any], *args: Any) -> Callback:
        callback = Callback(self, func, args)
        self.aio.call_soon_threadsafe(self._queue_threadsafe, callback, context=self.context)
        return callback

    def _queue_threadsafe(self, callback: Callback) -> None:
        """On the loop's thread: count the callback (only this thread counts) and run it."""
        if callback.callback is not None:
            callback.kept = True
            self._keep(1)
            callback()

    # Keeping the loop running -----------------------------------------------------------------
    def _keep(self, delta: int) -> None:
        """Count what keeps :meth:`run` going: active ref'd watchers, pending callbacks, holds."""
        self._kept += delta
        if self._kept == 0 and not self._end_check:
            self._end_check = True
            self.aio.call_soon(self._end_if_idle, context=self.context)

    def _end_if_idle(self) -> None:
        """Nothing has kept the loop since the last pass: :meth:`run` returns, as libev's does,
        and gevent's hub raises ``LoopExit`` in a greenlet that waits for nothing."""
        self._end_check = False
        if self._kept == 0:
            self.aio.stop()

    def hold(self) -> None:
        """Keep the loop running for work gevent does not see (Horde's own asyncio tasks)."""
        self._keep(1)

    def release(self) -> None:
        self._keep(-1)

    # Watchers -----------------------------------------------------------------------------------
    def io(self, fd: int, events: int, ref: bool = True, priority: Any = None) -> IoWatcher:
        return IoWatcher(self, fd, events, ref, priority)

    def timer(
        self, after: float, repeat: float = 0.0, ref: bool = True, priority: Any = None
    ) -> TimerWatcher:
        return TimerWatcher(self, after, repeat, ref, priority)

    def signal(self, signum: int, ref: bool = True, priority: Any = None) -> SignalWatcher:
        return SignalWatcher(self, signum, ref, priority)

    def idle(self, ref: bool = True, priority: Any = None) -> SoonWatcher:
        return SoonWatcher(self, ref, priority)

    prepare = idle
    check = idle

    def fork(self, ref: bool = True, priority: Any = None) -> ForkWatcher:
        return ForkWatcher(self, ref, priority)

    def async_(self, ref: bool = True, priority: Any = None) -> AsyncWatcher:
        return AsyncWatcher(self, ref, priority)

    def child(self, pid: int, trace: int = 0, ref: bool = True) -> ChildWatcher:
        return ChildWatcher(self, pid, trace, ref)

    def stat(self, path: str, interval: float = 0.0, ref: bool = True, priority: Any = None) -> StatWatcher:
        return StatWatcher(self, path, interval, ref, priority)

    def install_sigchld(self) -> None:
        """Children are polled (see CHILD_POLL_INTERVAL): no handler to install."""

    def reset_sigchld(self) -> None:
        pass

    # File descriptors: asyncio keeps one reader and one writer per fd, gevent any number -------
    def _io_start(self, watcher: IoWatcher) -> None:
        fd = watcher.fd
        if watcher.events & READ:
            self._io_add(self._readers, fd, watcher, self.aio.add_reader, READ)
        if watcher.events & WRITE:
            self._io_add(self._writers, fd, watcher, self.aio.add_writer, WRITE)

    def _io_add(
        self,
        table: dict[int, list[IoWatcher]],
        fd: int,
        watcher: IoWatcher,
        add: Callable[..., Any],
        event: int,
    ) -> None:
        watchers = table.get(fd)
        if watchers is None:
            watchers = table[fd] = [watcher]
            try:
                add(fd, self._io_ready, watchers, event)
            except BaseException:
                del table[fd]
                watcher._set_active(False)
                raise
        else:
            watchers.append(watcher)

    def _io_stop(self, watcher: IoWatcher) -> None:
        fd = watcher.fd
        if watcher.events & READ:
            self._io_remove(self._readers, fd, watcher, self.aio.remove_reader)
        if watcher.events & WRITE:
            self._io_remove(self._writers, fd, watcher, self.aio.remove_writer)

    @staticmethod
    def _io_remove(
        table: dict[int, list[IoWatcher]], fd: int, watcher: IoWatcher, remove: Callable[[int], Any]
    ) -> None:
        watchers = table.get(fd)
        if watchers is None or watcher not in watchers:
            return
        watchers.remove(watcher)
        if not watchers:
            del table[fd]
            with contextlib.suppress(OSError, ValueError):  # closed under us: nothing to remove
                remove(fd)

    @staticmethod
    def _io_ready(watchers: list[IoWatcher], event: int) -> None:
        for watcher in list(watchers):
            if watcher._active:
                watcher._ready(event)

    def closing_fd(self, fd: int) -> bool:
        """``fd`` is about to close: stop polling it and wake its watchers so they can close."""
        woken = [w for table in (self._readers, self._writers) for w in table.get(fd, ())]
        for table, remove in (
            (self._readers, self.aio.remove_reader),
            (self._writers, self.aio.remove_writer),
        ):
            if table.pop(fd, None) is not None:
                with contextlib.suppress(OSError, ValueError):
                    remove(fd)
        for watcher in woken:
            watcher._set_active(False)  # its table entry is gone; stop() must not look for it
            self.aio.call_soon(watcher._ready, watcher.events, context=self.context)
        return bool(woken)

    # Signals -----------------------------------------------------------------------------------
    def _signal_start(self, watcher: SignalWatcher) -> None:
        watchers = self._signals.get(watcher.signum)
        if watchers is None:
            watchers = self._signals[watcher.signum] = []
            self.aio.add_signal_handler(watcher.signum, self._signalled, watchers)
        watchers.append(watcher)

    def _signal_stop(self, watcher: SignalWatcher) -> None:
        watchers = self._signals.get(watcher.signum)
        if watchers is None or watcher not in watchers:
            return
        watchers.remove(watcher)
        if not watchers:
            del self._signals[watcher.signum]
            self.aio.remove_signal_handler(watcher.signum)

    @staticmethod
    def _signalled(watchers: list[SignalWatcher]) -> None:
        for watcher in list(watchers):
            watcher._fire()

    # Child processes ---------------------------------------------------------------------------
    def _child_start(self, watcher: ChildWatcher) -> None:
        self._children.append(watcher)
        if self._child_poll is None:
            self._child_poll = self.aio.call_later(
                CHILD_POLL_INTERVAL, self._poll_children, context=self.context
            )

    def _child_stop(self, watcher: ChildWatcher) -> None:
        if watcher in self._children:
            self._children.remove(watcher)
        if not self._children and self._child_poll is not None:
            self._child_poll.cancel()
            self._child_poll = None

    def _poll_children(self) -> None:
        self._child_poll = None
        ended: list[tuple[ChildWatcher, int, int]] = []
        for pid in {w.pid for w in self._children if w.pid > 0}:
            try:
                rpid, status = posix.waitpid(pid, os.WNOHANG)  # posix: the call gevent did not patch
            except ChildProcessError:  # reaped already: by this loop (then it knows how it ended)?
                if pid not in self._reaped:
                    continue
                rpid, status = pid, self._reaped[pid]
            if rpid:
                self._reaped[rpid] = status
                ended.extend((w, rpid, status) for w in self._children if w.pid == pid)
        if any(w.pid <= 0 for w in self._children):
            try:
                rpid, status = posix.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                rpid = 0
            if rpid:
                mine = [w for w in self._children if w.pid == rpid] or [
                    w for w in self._children if w.pid <= 0
                ]
                ended.extend((w, rpid, status) for w in mine)
        for watcher, rpid, status in ended:
            watcher.rpid, watcher.rstatus = rpid, status
            watcher._fire()
        if self._children and self._child_poll is None:
            self._child_poll = self.aio.call_later(
                CHILD_POLL_INTERVAL, self._poll_children, context=self.context
            )


loop = AsyncioLoop
"""The name under which ``gevent.core`` (and gevent's test kit) look for a loop module's class."""
