"""A worker: runs the users a master orders, and reports to it (Locust 2.47's protocol).

It is a :class:`~horde.runtime.runner.LocalRunner` whose user counts come from ``spawn`` messages
(the absolute count per class; the master paces the ramp) and whose statistics go to the master
every ``REPORT_EVERY`` seconds, each report the delta since the last. It heartbeats every second,
and says ``client_ready`` until the master acknowledges it.

A worker that hears nothing from its master for ``MASTER_SILENCE`` seconds (a network cut, a
master that died) stops its users: by then the master has marked it missing and ordered its share
from the other workers, so its users would run twice. It then says ``client_ready`` again, and
gets its share back when the master hears it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

import psutil

from horde.concurrency.bridge import call_sync
from horde.concurrency.cooperative import event_loop
from horde.distributed import protocol
from horde.distributed.protocol import Heartbeat, Message, ProtocolError, Spawn, SpawningComplete, Stats
from horde.distributed.transport import WorkerSocket, master_secret
from horde.runtime.health import Window
from horde.runtime.runner import LocalRunner, RunnerState
from horde.runtime.ticker import Tick
from horde.stats.report import StatsReport
from horde.version import LOCUST_VERSION

if TYPE_CHECKING:
    from horde.runtime.environment import Environment
    from horde.user.users import User

logger = logging.getLogger("locust.runners")  # Locust's logger name: scripts and filters match it

REPORT_EVERY = 3  # ticks between two reports: Locust's WORKER_REPORT_INTERVAL (3 s)
CONNECT_RETRY_EVERY = 5  # ticks between two client_ready while unacknowledged (Locust's 5 s)
UNANSWERED_WARNING = 2  # client_ready retries without an answer before this worker says so
MASTER_SILENCE = 5.0
"""Seconds without a word from the master (which answers every heartbeat) before this worker
stops its users; the master marks a silent worker missing after 3 to 4."""


class WorkerRunner(LocalRunner):
    def __init__(self, environment: Environment, master_host: str, master_port: int) -> None:
        super().__init__(environment)
        self.master_host = master_host
        self.master_port = master_port
        self.client_id = f"{socket.gethostname()}_{uuid.uuid4().hex}"
        self.worker_index = -1  # until the master's ack
        self._worker_state = RunnerState.READY
        self.custom_option_names: set[str] = set()
        """The locustfile's own options: their values come from the master's spawn orders."""
        self._socket: WorkerSocket | None = None
        self._acknowledged = False
        self._master_is_horde = False  # then reports carry exact histograms
        self._last_spawn = 0.0
        self._applying: asyncio.Task[None] | None = None
        self._orphaned: asyncio.Task[None] | None = None
        self._ticks = 0
        self._health_windows: list[Window] = []  # the list the monitor fills in this test
        self._health_sent = 0  # how many of its windows went to the master
        self._process = psutil.Process()
        self._usage = (self._process.cpu_percent(), self._process.memory_info().rss)
        """CPU % over the last second and memory, for the heartbeats (the master's Workers tab);
        the usage_monitor event keeps Locust's 10 s."""

    @property
    def worker_state(self) -> RunnerState:
        """What the heartbeats say (Locust's ``worker_state``)."""
        return self._worker_state

    @worker_state.setter
    def worker_state(self, state: RunnerState) -> None:
        self._worker_state = state
        self._update_heartbeat()

    # Serving ------------------------------------------------------------------------------------
    async def serve(self) -> None:
        """Connect to the master and obey it until it (or :meth:`quit`) ends this worker."""
        self._socket = WorkerSocket(
            self.master_host, self.master_port, self.client_id, secret=master_secret(self.environment)
        )
        self._send(protocol.CLIENT_READY, LOCUST_VERSION)
        self._update_heartbeat()
        self.ticker.add(self._on_tick)
        receiving = event_loop().create_task(self._receive())
        try:
            await self.quit_event.wait()
        finally:
            receiving.cancel()
            self.ticker.remove(self._on_tick)
            self._socket.close()

    def _send(self, message_type: str, data: Any = None) -> None:
        if self._socket is not None and not self._socket.send(Message(message_type, data, self.client_id)):
            logger.warning("Could not queue a %s message for the master (its queue is full)", message_type)

    def _on_tick(self, tick: Tick) -> None:
        self._ticks += 1
        self._usage = (self._process.cpu_percent(), self._process.memory_info().rss)
        self._update_heartbeat()
        if not self._acknowledged and self._ticks % CONNECT_RETRY_EVERY == 0:
            self._send(protocol.CLIENT_READY, LOCUST_VERSION)
            if self._ticks == UNANSWERED_WARNING * CONNECT_RETRY_EVERY:
                logger.warning(
                    "No answer from the master at %s:%d yet (is it running? if it has a --master-secret, "
                    "this worker needs the same one)",
                    self.master_host,
                    self.master_port,
                )
        if self._ticks % REPORT_EVERY == 0:
            self._report()
        assert self._socket is not None
        silent = time.monotonic() - self._socket.last_heard
        if (
            silent > MASTER_SILENCE
            and self.state in (RunnerState.SPAWNING, RunnerState.RUNNING)
            and (self._orphaned is None or self._orphaned.done())
        ):
            self._orphaned = event_loop().create_task(self._lost_master(silent))

    async def _lost_master(self, silent: float) -> None:
        logger.warning(
            "No word from the master for %.0f s: stopping this worker's %d users until it answers "
            "(it has ordered them from its other workers meanwhile)",
            silent,
            self.user_count,
        )
        await self._stop_for_master()
        self._acknowledged = False
        self._send(protocol.CLIENT_READY, LOCUST_VERSION)

    def _update_heartbeat(self) -> None:
        """What the socket's thread sends every second, even while user code holds the loop."""
        if self._socket is not None:
            beat = Heartbeat(self.worker_state, *self._usage)
            self._socket.heartbeat = Message(protocol.HEARTBEAT, beat.to_data(), self.client_id)

    def _report(self) -> None:
        """Send the requests since the last report (Locust's ``stats`` message)."""
        extra: dict[str, Any] = {}
        self.environment.events.report_to_master.fire(client_id=self.client_id, data=extra)
        windows = self.health.windows
        if windows is not self._health_windows:  # a new test's
            self._health_windows, self._health_sent = windows, 0
        health = (self.health.started_epoch, windows[self._health_sent :])
        self._health_sent = len(windows)
        stats = Stats(StatsReport.take(self.stats), self.user_classes_count, self.user_count, extra, health)
        self._send(protocol.STATS, stats.to_data(exact=self._master_is_horde))

    def log_exception(self, node_id: str, msg: str, formatted_tb: str) -> None:
        """Kept here, and sent to the master, which keeps the run's table (Locust sends each one)."""
        super().log_exception(node_id, msg, formatted_tb)
        self._send(protocol.EXCEPTION, {"msg": msg, "traceback": formatted_tb})

    async def _receive(self) -> None:
        assert self._socket is not None
        while True:
            message = await self._socket.recv()
            try:
                await self._handle(message)
            except ProtocolError as error:
                logger.warning("Ignored a %s message from the master: %s", message.type, error)
            except Exception:  # a listener's, say: the worker goes on hearing its master
                logger.exception("Handling a %s message from the master failed", message.type)

    async def _handle(self, message: Message) -> None:
        kind = message.type
        if kind == protocol.ACK:
            data = message.data if isinstance(message.data, dict) else {}
            if isinstance(data.get("index"), int):
                self.worker_index = data["index"]
            self._master_is_horde = "horde" in data
            self._acknowledged = True
        elif kind == protocol.SPAWN:
            self._on_spawn(Spawn.from_data(message.data))
        elif kind == protocol.STOP:
            await self._stop_for_master()
            self._send(protocol.CLIENT_STOPPED)
            self._send(protocol.CLIENT_READY, LOCUST_VERSION)
        elif kind == protocol.QUIT:
            logger.info("Got quit message from master, shutting down...")
            await self._stop_for_master()
            self.quit_event.set()
        elif kind == protocol.RECONNECT:  # the master does not know this worker (it restarted)
            self._acknowledged = False
            self._send(protocol.CLIENT_READY, LOCUST_VERSION)
        elif kind == protocol.HEARTBEAT:  # the master's answer to one of this worker's
            self.environment.events.heartbeat_received.fire(client_id=self.client_id, timestamp=time.time())
        elif kind == protocol.SPAWNING_COMPLETE:
            pass  # the master's word that the ramp is over
        elif kind in self.custom_messages:
            listener, _ = self.custom_messages[kind]
            await call_sync(partial(listener, environment=self.environment, msg=message))
        else:
            logger.debug("Ignored a %s message from the master", kind)

    # Orders -------------------------------------------------------------------------------------
    def _on_spawn(self, spawn: Spawn) -> None:
        self._send(protocol.SPAWNING)
        if spawn.timestamp <= self._last_spawn:
            logger.info(  # Locust's words
                "Discard spawn message with older or equal timestamp than timestamp of previous spawn message"
            )
            return
        self._last_spawn = spawn.timestamp
        environment = self.environment
        if spawn.host:  # the master's --host (or its form's) wins, as a local run's does
            environment.host = spawn.host
            for user_class in environment.user_classes:
                user_class.host = spawn.host
        environment.stop_timeout = spawn.stop_timeout or 0.0
        options = environment.parsed_options
        if options is not None:
            for name, value in spawn.parsed_options.items():
                if name in self.custom_option_names:
                    setattr(options, name, value)
        if self.state in (RunnerState.READY, RunnerState.STOPPED):
            self._begin_test()
        self.state = self.worker_state = RunnerState.SPAWNING
        if self._applying is not None and not self._applying.done():
            self._applying.cancel()
        self._applying = event_loop().create_task(self._apply(spawn.user_classes_count))

    async def _apply(self, wanted: dict[str, int]) -> None:
        """Start or stop users until each class runs its ordered count."""
        if self._test_started is not None:
            await asyncio.shield(self._test_started)  # test_start listeners first, as on a master
        by_name = {cls.__name__: cls for cls in self.environment.user_classes}
        unknown = sorted(set(wanted) - set(by_name))
        if unknown:
            logger.error("The master ordered users of classes this worker lacks: %s", ", ".join(unknown))
        running = self.user_classes_count
        for name, user_class in sorted(by_name.items()):
            more = wanted.get(name, 0) - running.get(name, 0)
            for _ in range(more):
                await call_sync(self._spawn_class, user_class)
            if more < 0:
                await self._stop_class(user_class, -more)
        self.state = self.worker_state = RunnerState.RUNNING
        complete = SpawningComplete(self.user_classes_count, self.user_count)
        self._send(protocol.SPAWNING_COMPLETE, complete.to_data())
        self.environment.events.spawning_complete.fire(user_count=self.user_count)

    def _spawn_class(self, user_class: type[User]) -> None:
        self._spawn_one([user_class])

    async def _stop_class(self, user_class: type[User], count: int) -> None:
        chosen = [user for user in reversed(self._users.values()) if type(user) is user_class][:count]
        self._dispatched[user_class] -= len(chosen)
        await self._stop_users(chosen)

    async def _stop_for_master(self) -> None:
        """Stop every user, then report what they did since the last report: nothing is lost."""
        if self._applying is not None and not self._applying.done():
            self._applying.cancel()
        if self.state not in (RunnerState.READY, RunnerState.STOPPED):
            await self._stop()
        self.worker_state = RunnerState.READY
        self._report()

    async def _quit(self, caller: asyncio.Task[Any] | None = None) -> None:
        """This worker's own end (a signal, ``quit()``): the last report, then ``quit``."""
        await self._stop_for_master()
        self._send(protocol.QUIT)
        self.quit_event.set()

    # Users of a worker come from the master only ---------------------------------------------
    def start(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a worker's users are started by its master (spawn messages), not by start()")

    def send_message(self, msg_type: str, data: Any = None, client_id: str | None = None) -> None:
        """Send a custom message to the master (Locust's ``runner.send_message`` on a worker)."""
        self._send(msg_type, data)
