"""The master of a distributed run (Locust 2.47's protocol): it runs no users itself, orders each
worker's share, and merges what they report.

The ramp is the same pure function of time as a single process's (:func:`horde.shapes.ramp.due`):
every ``DISPATCH_EVERY`` seconds the master works out how many users should run by now, splits
them over the ready workers class by class, and sends each worker whose share changed its new
absolute counts. A worker that goes silent for ``HEARTBEAT_LIVENESS`` seconds is marked missing
and its users are ordered from the others at once; one that joins gets its share at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from horde.concurrency.bridge import call_sync
from horde.concurrency.cooperative import event_loop
from horde.distributed import protocol
from horde.distributed.locustfile import locustfile_answer
from horde.distributed.protocol import Heartbeat, Message, ProtocolError, Spawn, SpawningComplete, Stats
from horde.distributed.transport import MasterSocket, master_secret
from horde.exception import UsageError
from horde.http.urls import is_loopback
from horde.runtime.health import ReportedHealth
from horde.runtime.result import LostWorker, RunResult
from horde.runtime.runner import Runner, RunnerState
from horde.runtime.ticker import Tick
from horde.shapes import ramp
from horde.shapes.dispatch import target_counts
from horde.version import __version__

if TYPE_CHECKING:
    from horde.runtime.environment import Environment

logger = logging.getLogger("locust.runners")  # Locust's logger name: scripts and filters match it

HEARTBEAT_LIVENESS = 3  # ticks (seconds) of silence before a worker is missing, as Locust
DISPATCH_EVERY = 0.2  # seconds between two dispatches during a ramp
STOP_WAIT_EXTRA = 10.0  # seconds past stop_timeout that stopping waits for the workers
FINAL_REPORT_WAIT = 2.0
"""Seconds quitting waits for each worker's last report (Locust's workers send theirs on quit)."""


@dataclass
class WorkerNode:
    id: str
    index: int
    state: str = RunnerState.READY
    user_classes_count: dict[str, int] = field(default_factory=dict)
    user_count: int = 0
    cpu_usage: float = 0.0
    memory_usage: int = 0
    liveness: int = HEARTBEAT_LIVENESS
    last_heartbeat: float = 0.0
    ordered: dict[str, int] = field(default_factory=dict)
    """What it was last told to run (its share)."""
    rps: float = 0.0
    """Requests per second in its last report."""
    last_report: float = field(default_factory=time.monotonic)

    @property
    def label(self) -> str:
        """How the run's outputs name it (its generator-health windows, say)."""
        return f"worker {self.index}"


class MasterRunner(Runner):
    health: ReportedHealth  # what its workers measured

    def __init__(self, environment: Environment, bind_host: str, bind_port: int) -> None:
        super().__init__(environment)
        self.bind_host = bind_host
        self.bind_port = bind_port
        self.client_id = "master"
        self.worker_index = -1
        self.clients: dict[str, WorkerNode] = {}
        self._indexes: dict[str, int] = {}
        self.lost_workers: list[LostWorker] = []
        """Each worker that went missing during a test."""
        self._socket: MasterSocket | None = None
        self._receiving: asyncio.Task[None] | None = None
        self._dispatched = 0  # users the ramp has reached (the total ordered)
        self._final_reports: set[str] = set()  # workers told to quit whose last report is due
        self.health = ReportedHealth(self.health.thresholds, self.health.window_s)

    # Workers --------------------------------------------------------------------------------------
    @property
    def worker_count(self) -> int:
        return len(self._alive())

    def _alive(self) -> list[WorkerNode]:
        return sorted(
            (node for node in self.clients.values() if node.state != RunnerState.MISSING),
            key=lambda node: node.index,
        )

    @property
    def user_count(self) -> int:
        return sum(node.user_count for node in self._alive())

    @property
    def user_classes_count(self) -> dict[str, int]:
        counts = {cls.__name__: 0 for cls in self.user_classes}
        for node in self._alive():
            for name, n in node.user_classes_count.items():
                counts[name] = counts.get(name, 0) + n
        return counts

    # Serving --------------------------------------------------------------------------------------
    async def serve(self) -> None:
        """Bind the master's port and take workers' messages (until quit)."""
        secret = master_secret(self.environment)
        try:
            self._socket = MasterSocket(self.bind_host, self.bind_port, secret)
        except OSError as error:
            raise UsageError(str(error)) from None
        self.bind_port = self._socket.port
        if secret is None and not is_loopback(self.bind_host):
            logger.warning(
                "The master listens on %s:%d without --master-secret: anyone who reaches that port can "
                "join as a worker",
                self.bind_host,
                self.bind_port,
            )
        self._receiving = event_loop().create_task(self._receive())
        self.ticker.add(self._on_tick)

    def close(self) -> None:
        self.ticker.remove(self._on_tick)
        if self._receiving is not None:
            self._receiving.cancel()
        if self._socket is not None:
            self._socket.close()

    async def wait_for_workers(self, count: int, max_wait: float | None) -> None:
        """Until ``count`` workers are ready; UsageError after ``max_wait`` seconds."""
        clock = self.clock
        started = clock.monotonic()
        said = started
        while self.worker_count < count:
            waited = clock.monotonic() - started
            if max_wait is not None and waited > max_wait:
                connected = self.worker_count
                raise UsageError(
                    f"gave up waiting for workers: {connected} of {count} connected in {max_wait:g} s"
                )
            if clock.monotonic() - said >= 5:
                said = clock.monotonic()
                logger.info("Waiting for workers to be ready, %d of %d connected", self.worker_count, count)
            await clock.sleep(0.1)

    def _send(self, node_id: str, message_type: str, data: Any = None) -> None:
        if self._socket is not None:
            self._socket.send(node_id, Message(message_type, data, node_id))

    async def _receive(self) -> None:
        assert self._socket is not None
        while True:
            client_id, message = await self._socket.recv()
            try:
                await self._handle(client_id, message)
            except ProtocolError as error:
                logger.warning("Ignored a %s message from worker %s: %s", message.type, client_id, error)
            except Exception:  # a listener's, say: the master goes on hearing its workers
                logger.exception("Handling a %s message from worker %s failed", message.type, client_id)

    async def _handle(self, client_id: str, message: Message) -> None:
        kind = message.type
        node = self.clients.get(client_id)
        if kind == protocol.CLIENT_READY:
            self._on_ready(client_id, message.data)
            return
        if kind == protocol.LOCUSTFILE:  # a worker started with -f - (from a socket of its own)
            logger.debug("Worker %s requested the locustfile", client_id)
            answer = locustfile_answer(self.environment.parsed_locustfiles or [])
            self._send(client_id, protocol.LOCUSTFILE, answer)
            return
        if node is None:
            if kind not in (protocol.QUIT, protocol.CLIENT_STOPPED):
                # Not registered (this master restarted, or the worker was dropped): it must say
                # client_ready again, which Locust's and Horde's workers do when asked to reconnect.
                self._send(client_id, protocol.RECONNECT)
            return
        node.liveness = HEARTBEAT_LIVENESS
        if node.state == RunnerState.MISSING:
            logger.info("Worker %s self-healed with heartbeat, setting state to ready.", client_id)
            self._came_back(client_id)
            node.state = RunnerState.READY
            self._redispatch()
        if kind == protocol.HEARTBEAT:
            beat = Heartbeat.from_data(message.data)
            node.cpu_usage, node.memory_usage = beat.current_cpu_usage, beat.current_memory_usage
            node.last_heartbeat = time.time()
            node.state = beat.state
            self._send(client_id, protocol.HEARTBEAT)
            self.environment.events.heartbeat_sent.fire(client_id=client_id, timestamp=node.last_heartbeat)
        elif kind == protocol.STATS:
            self._final_reports.discard(client_id)
            stats = Stats.from_data(message.data)
            stats.report.merge_into(self.stats)
            node.user_classes_count, node.user_count = stats.user_classes_count, stats.user_count
            now = time.monotonic()
            node.rps = sum(entry.num_requests for entry in stats.report.entries) / max(
                now - node.last_report, 0.5
            )
            node.last_report = now
            if stats.health is not None:
                self.health.add(node.label, *stats.health)
            self.environment.events.worker_report.fire(client_id=client_id, data=message.data)
        elif kind == protocol.SPAWNING:
            node.state = RunnerState.SPAWNING
        elif kind == protocol.SPAWNING_COMPLETE:
            complete = SpawningComplete.from_data(message.data)
            node.state = RunnerState.RUNNING
            node.user_classes_count, node.user_count = complete.user_classes_count, complete.user_count
        elif kind == protocol.CLIENT_STOPPED:
            node.state = RunnerState.STOPPED
            node.user_classes_count, node.user_count = {}, 0
        elif kind == protocol.QUIT:
            logger.info("Worker %s (index %d) reported that it has stopped", client_id, node.index)
            del self.clients[client_id]
            self._redispatch()
        elif kind == protocol.EXCEPTION:
            data = message.data if isinstance(message.data, dict) else {}
            self.log_exception(client_id, str(data.get("msg", "")), str(data.get("traceback", "")))
        elif kind in self.custom_messages:
            listener, _ = self.custom_messages[kind]
            await call_sync(partial(listener, environment=self.environment, msg=message))
        else:
            logger.debug("Ignored a %s message from worker %s", kind, client_id)

    def _on_ready(self, client_id: str, version: Any) -> None:
        if not version:
            logger.error("A worker (%s) running a version of Locust before 2.0 was refused", client_id)
            return
        index = self._indexes.setdefault(client_id, len(self._indexes))
        known = self.clients.get(client_id)
        if known is not None and known.state == RunnerState.MISSING:
            self._came_back(client_id)
        self.clients[client_id] = WorkerNode(client_id, index, last_heartbeat=time.time())
        self._send(client_id, protocol.ACK, {"index": index, "horde": __version__})
        connected = self.worker_count
        logger.info("%s (index %d) reported as ready. %d workers connected.", client_id, index, connected)
        self.environment.events.worker_connect.fire(client_id=client_id)
        if self.state in (RunnerState.SPAWNING, RunnerState.RUNNING):
            self._redispatch()  # a worker that joins a running test gets its share at once

    def _came_back(self, client_id: str) -> None:
        for position, lost in enumerate(self.lost_workers):
            if lost.client_id == client_id and lost.back_epoch is None:
                self.lost_workers[position] = replace(lost, back_epoch=time.time())

    def _on_tick(self, tick: Tick) -> None:
        """Heartbeat bookkeeping, once a second: a worker silent too long is missing, and its users
        are ordered from the others at once."""
        lost = False
        for node in self.clients.values():
            if node.state == RunnerState.MISSING:
                continue
            node.liveness -= 1
            if node.liveness < 0:
                logger.info("Worker %s failed to send heartbeat, setting state to missing.", node.id)
                node.state = RunnerState.MISSING
                node.user_classes_count, node.user_count, node.ordered = {}, 0, {}
                if self.state in (RunnerState.SPAWNING, RunnerState.RUNNING):
                    self.lost_workers.append(LostWorker(node.id, tick.time))
                lost = True
        if lost:
            if self.state in (RunnerState.SPAWNING, RunnerState.RUNNING) and not self._alive():
                logger.warning("The last worker went missing: stopping the test")
                if _headless(self):
                    self.quit_later()
                else:
                    event_loop().create_task(self._stop())
            else:
                self._redispatch()

    # Dispatching -----------------------------------------------------------------------------
    def _shares(self, total: int) -> dict[str, dict[str, int]]:
        """Each alive worker's user counts by class when ``total`` users run in all: the classes'
        counts as one process would run them, each split evenly, the remainders spread over the
        workers in turn."""
        workers = self._alive()
        shares: dict[str, dict[str, int]] = {node.id: {} for node in workers}
        if not workers:
            return shares
        turn = 0
        for user_class, count in sorted(
            target_counts(self.environment.user_classes, total).items(), key=lambda item: item[0].__name__
        ):
            base, extra = divmod(count, len(workers))
            for position in range(len(workers)):
                node = workers[(turn + position) % len(workers)]
                shares[node.id][user_class.__name__] = base + (1 if position < extra else 0)
            turn = (turn + extra) % len(workers)
        return shares

    def _dispatch(self, total: int) -> None:
        """Order ``total`` users over the alive workers (only those whose share changed hear it)."""
        environment = self.environment
        options = _primitive_options(environment.parsed_options)
        for node_id, share in self._shares(total).items():
            node = self.clients[node_id]
            if share == node.ordered:
                continue
            node.ordered = share
            spawn = Spawn(time.time(), share, environment.host, environment.stop_timeout, options)
            self._send(node_id, protocol.SPAWN, spawn.to_data())

    def _redispatch(self) -> None:
        if self.state in (RunnerState.SPAWNING, RunnerState.RUNNING):
            for node in self._alive():
                if node.state == RunnerState.READY:  # new, or back: tell it its share again
                    node.ordered = {}
            self._dispatch(self._dispatched)

    # Runner API ------------------------------------------------------------------------------------
    def _announce_ramp(self, user_count: int, spawn_rate: float) -> None:
        logger.info(  # Locust's master's words
            "Sending spawn jobs of %d users at %.2f spawn rate to %d ready workers",
            user_count,
            spawn_rate,
            self.worker_count,
        )

    def _forget_dispatch(self) -> None:
        self.lost_workers.clear()
        self._dispatched = 0
        for node in self.clients.values():
            node.ordered = {}

    async def _ramp(self, target: int, rate: float) -> None:
        if not await self._test_start_done():
            return
        clock = self.clock
        started = clock.monotonic()
        begin = self._dispatched
        total = abs(target - begin)
        sign = 1 if target >= begin else -1
        while True:
            done = ramp.due(clock.monotonic() - started, rate, total)
            self._dispatched = begin + sign * done
            self._dispatch(self._dispatched)
            if done >= total:
                break
            await clock.sleep(DISPATCH_EVERY)
        self.state = RunnerState.RUNNING
        for node in self._alive():
            self._send(node.id, protocol.SPAWNING_COMPLETE, {"user_count": target})
        logger.info("All users spawned: %d total users (ordered from %d workers)", target, self.worker_count)
        self.environment.events.spawning_complete.fire(user_count=target)
        if self.environment.reset_stats:
            logger.info("Resetting stats")
            self.stats.reset_all()

    def result(self, exit_code: int | None = None) -> RunResult:
        return replace(super().result(exit_code), lost_workers=tuple(self.lost_workers))

    async def _stop_all_users(self, caller: asyncio.Task[Any] | None) -> None:
        """Tell every worker to stop, and wait until each said it has (after its last report)."""
        self._dispatched = 0
        stopping = [node for node in self._alive() if node.state != RunnerState.READY]
        for node in stopping:
            node.ordered = {}
            self._send(node.id, protocol.STOP)
        deadline = self.clock.monotonic() + (self.environment.stop_timeout or 0) + STOP_WAIT_EXTRA
        while any(
            node.state not in (RunnerState.STOPPED, RunnerState.READY, RunnerState.MISSING)
            for node in stopping
            if node.id in self.clients
        ):
            if self.clock.monotonic() > deadline:
                logger.warning("Some workers did not report that they stopped; going on without them")
                break
            await self.clock.sleep(0.05)

    async def _quit(self, caller: asyncio.Task[Any] | None = None) -> None:
        await self._stop()
        self._final_reports = {node.id for node in self._alive()}
        for node in list(self.clients.values()):
            self._send(node.id, protocol.QUIT)
        deadline = asyncio.get_running_loop().time() + FINAL_REPORT_WAIT  # real time: the network's
        while self._final_reports and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        if self._final_reports:
            logger.warning("No last report from %d workers", len(self._final_reports))
        self.quit_event.set()

    def send_message(self, msg_type: str, data: Any = None, client_id: str | None = None) -> None:
        """To one worker, or every worker (Locust's ``runner.send_message`` on a master)."""
        targets = [client_id] if client_id is not None else [node.id for node in self._alive()]
        for node_id in targets:
            self._send(node_id, msg_type, data)


def _headless(runner: Runner) -> bool:
    return bool(getattr(runner.environment.parsed_options, "headless", False))


SECRET_OPTIONS = frozenset({"master_secret", "web_token", "web_user"})
"""Never sent to workers in spawn orders (those travel unencrypted)."""


def _primitive_options(options: Any) -> dict[str, Any]:
    """The options a worker can receive: what msgpack carries of ``vars(options)``, secrets left out."""
    if options is None:
        return {}
    kept: dict[str, Any] = {}
    for name, value in vars(options).items():
        if name in SECRET_OPTIONS:
            continue
        if value is None or isinstance(value, (bool, int, float, str)):
            kept[name] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (bool, int, float, str)) for v in value):
            kept[name] = list(value)
    return kept
