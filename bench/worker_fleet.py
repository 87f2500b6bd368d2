"""Many simulated workers in one process, speaking Locust 2.47's protocol to a Horde master exactly as
``horde.distributed.worker`` does, without running users: the load of a large fleet on the master
at the cost of one process here.

    python bench/worker_fleet.py --master-port 5557 --workers 100 --rate 1000 --result fleet.json

Each simulated worker has a DEALER socket whose identity is its client id, and:

* says ``client_ready`` (Locust's version) at once and every 5 s until the master's ``ack``;
  the ack says whether the master is Horde, which picks the report codec (``--codec`` forces one);
* sends a ``heartbeat`` (state, CPU, memory) every second;
* answers ``spawn`` with ``spawning`` then ``spawning_complete`` (the ordered counts: its users
  start at once), ``stop`` with its last report, ``client_stopped`` and ``client_ready``, ``quit``
  with its last report (then it is done), ``reconnect`` with ``client_ready``;
* while it has users, records ``--rate`` requests a second into a real ``RequestStats`` (20 names
  by default, latencies drawn from a log-normal per name, 1 % failures on two of them), and every
  3 s sends a ``stats`` message made as the worker makes it: ``StatsReport.take`` and
  ``Stats.to_data`` (Horde's exact histograms, or Locust's codec).

The workers' seconds start at random phases, as workers started independently would. With
``--result`` it writes what it sent: requests and failures in all reports (what the master's
totals must equal), and the count and bytes of each message type. It ends when every worker got
``quit``, or after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq

from horde.distributed import protocol
from horde.distributed.protocol import Heartbeat, Message, Spawn, SpawningComplete, Stats
from horde.runtime.runner import RunnerState
from horde.stats.report import StatsReport
from horde.stats.request_stats import RequestStats
from horde.version import LOCUST_VERSION

HEARTBEAT_EVERY = 1.0  # seconds, as the worker's socket thread
REPORT_EVERY = 3  # ticks (seconds), horde.distributed.worker.REPORT_EVERY
CONNECT_RETRY_EVERY = 5  # ticks, horde.distributed.worker.CONNECT_RETRY_EVERY
RECORD_EVERY = 0.1  # seconds between two batches of recorded requests
POOL = 4096  # latencies drawn in advance per name
FAILING_NAMES = 2
FAILURE_EVERY = 100  # one request in this many fails, on the failing names


@dataclass
class Totals:
    """What the fleet sent, for the benchmark to check the master against."""

    requests: int = 0  # in all stats messages
    failures: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    bytes: Counter[str] = field(default_factory=Counter)
    largest_stats: int = 0
    codecs: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)  # messages the full socket refused


class Traffic:
    """The requests the simulated users make: names, latency pools, failures."""

    def __init__(self, names: int, rng: random.Random) -> None:
        self.names = [f"/api/resource-{k:02d}" for k in range(names)]
        self.pools: list[list[float]] = []
        for k in range(names):
            median_ms = 2.0 * (1.35**k)  # 2 ms to ~600 ms across the names
            self.pools.append([rng.lognormvariate(math.log(median_ms), 0.6) for _ in range(POOL)])
        self.errors = [
            RuntimeError(f"500 Server Error: Internal Server Error for url: {name}")
            for name in self.names[:FAILING_NAMES]
        ]


class SimulatedWorker:
    def __init__(self, context: zmq.Context[Any], address: str, args: argparse.Namespace, traffic: Traffic,
                 totals: Totals, rng: random.Random) -> None:  # fmt: skip
        self.client_id = f"{socket.gethostname()}_{uuid.uuid4().hex}"
        self.socket = context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.IDENTITY, self.client_id.encode())
        self.socket.setsockopt(zmq.LINGER, 2000)
        self.socket.connect(address)
        self.args = args
        self.traffic = traffic
        self.totals = totals
        self.stats = RequestStats()
        self.state = RunnerState.READY
        self.acknowledged = False
        self.exact = False  # Horde's codec: set by the master's ack (or --codec)
        self.last_spawn = 0.0
        self.user_classes_count: dict[str, int] = {}
        self.ticks = 0
        self.done = False
        now = time.monotonic()
        phase = rng.random()
        self.next_beat = now + phase * HEARTBEAT_EVERY
        self.next_tick = now + phase
        self.next_record = now + rng.random() * RECORD_EVERY
        self.carry = 0.0  # fractional requests owed to the next batch
        self.serial = rng.randrange(POOL * args.names)  # requests recorded so far, from a random start

    @property
    def user_count(self) -> int:
        return sum(self.user_classes_count.values())

    def send(self, kind: str, data: Any = None) -> bool:
        """Queue one message; False (and counted as dropped) when the socket's queue is full."""
        frame = protocol.encode(Message(kind, data, self.client_id))
        try:
            self.socket.send(frame, zmq.NOBLOCK)
        except zmq.Again:
            self.totals.dropped[kind] += 1
            return False
        self.totals.messages[kind] += 1
        self.totals.bytes[kind] += len(frame)
        if kind == protocol.STATS:
            self.totals.largest_stats = max(self.totals.largest_stats, len(frame))
        return True

    # Timers ----------------------------------------------------------------------------------
    def due(self, now: float) -> float:
        """Run what is due; the time of the next thing due."""
        if now >= self.next_beat:
            self.next_beat += HEARTBEAT_EVERY
            beat = Heartbeat(self.state, 1.5, 80 * 1024 * 1024)
            self.send(protocol.HEARTBEAT, beat.to_data())
        if now >= self.next_record:
            self.next_record += RECORD_EVERY
            if self.state == RunnerState.RUNNING:
                self.record(RECORD_EVERY)
        if now >= self.next_tick:
            self.next_tick += 1.0
            self.tick()
        return min(self.next_beat, self.next_record, self.next_tick)

    def tick(self) -> None:
        self.ticks += 1
        if not self.acknowledged and self.ticks % CONNECT_RETRY_EVERY == 0:
            self.send(protocol.CLIENT_READY, LOCUST_VERSION)
        if self.ticks % REPORT_EVERY == 0:
            self.report()

    def record(self, seconds: float) -> None:
        """The requests of ``seconds``: the names in turn, each name's latencies from its pool,
        every ``FAILURE_EVERY``-th request of a failing name failed."""
        wanted = self.args.rate * seconds + self.carry
        count = int(wanted)
        self.carry = wanted - count
        traffic, record = self.traffic, self.stats.record
        names, pools, errors = traffic.names, traffic.pools, traffic.errors
        width = len(names)
        first = self.serial
        for serial in range(first, first + count):
            k = serial % width
            turn = serial // width  # this name's request number
            failed = errors[k] if k < FAILING_NAMES and turn % FAILURE_EVERY == 0 else None
            record("GET", names[k], pools[k][turn & (POOL - 1)], 512, failed)
        self.serial += count

    def report(self) -> None:
        """As WorkerRunner._report: the delta since the last report."""
        report = StatsReport.take(self.stats)
        stats = Stats(report, dict(self.user_classes_count), self.user_count, {})
        if self.send(protocol.STATS, stats.to_data(exact=self.exact)):
            self.totals.requests += sum(entry.num_requests for entry in report.entries)
            self.totals.failures += sum(entry.num_failures for entry in report.entries)
            self.totals.codecs["horde" if self.exact else "locust"] += 1

    # Orders ----------------------------------------------------------------------------------
    def handle(self, message: Message) -> None:
        kind = message.type
        if kind == protocol.ACK:
            self.acknowledged = True
            codec = self.args.codec
            horde_master = isinstance(message.data, dict) and "horde" in message.data
            self.exact = horde_master if codec == "auto" else codec == "horde"
        elif kind == protocol.SPAWN:
            self.spawn(Spawn.from_data(message.data))
        elif kind == protocol.STOP:
            self.stop()
            self.send(protocol.CLIENT_STOPPED)
            self.send(protocol.CLIENT_READY, LOCUST_VERSION)
        elif kind == protocol.QUIT:
            self.stop()
            self.done = True
        elif kind == protocol.RECONNECT:
            self.acknowledged = False
            self.send(protocol.CLIENT_READY, LOCUST_VERSION)

    def spawn(self, spawn: Spawn) -> None:
        self.send(protocol.SPAWNING)
        if spawn.timestamp <= self.last_spawn:
            return
        self.last_spawn = spawn.timestamp
        if self.state in (RunnerState.READY, RunnerState.STOPPED):
            self.stats.clear_all()  # a new test, as Runner._begin_test
        self.user_classes_count = dict(spawn.user_classes_count)
        self.state = RunnerState.RUNNING  # the users start at once
        complete = SpawningComplete(dict(self.user_classes_count), self.user_count)
        self.send(protocol.SPAWNING_COMPLETE, complete.to_data())

    def stop(self) -> None:
        """As WorkerRunner._stop_for_master: stop the users, then report what they did."""
        self.user_classes_count = {}
        self.state = RunnerState.READY
        self.report()

    def receive(self) -> None:
        while True:
            try:
                frame = self.socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.handle(protocol.decode(frame))

    def close(self) -> None:
        self.socket.close()


def run(args: argparse.Namespace) -> Totals:
    rng = random.Random(args.seed)
    traffic = Traffic(args.names, rng)
    totals = Totals()
    context: zmq.Context[Any] = zmq.Context()
    address = f"tcp://127.0.0.1:{args.master_port}"
    workers = [SimulatedWorker(context, address, args, traffic, totals, rng) for _ in range(args.workers)]
    poller = zmq.Poller()
    by_socket = {}
    for worker in workers:
        poller.register(worker.socket, zmq.POLLIN)
        by_socket[worker.socket] = worker
        worker.send(protocol.CLIENT_READY, LOCUST_VERSION)
    deadline = time.monotonic() + args.max_seconds
    try:
        while not all(worker.done for worker in workers) and time.monotonic() < deadline:
            now = time.monotonic()
            upcoming = min(worker.due(now) for worker in workers if not worker.done)
            wait_ms = max(0, int((upcoming - time.monotonic()) * 1000))
            for ready, _ in poller.poll(wait_ms):
                by_socket[ready].receive()
    finally:
        for worker in workers:
            worker.close()  # lingers up to 2 s for what is queued (the last reports)
        context.term()
    print(f"{sum(w.done for w in workers)} of {len(workers)} workers were told to quit", flush=True)
    return totals


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master-port", type=int, required=True, help="the master on 127.0.0.1")
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--rate", type=float, default=1000.0, help="requests/s each worker records")
    parser.add_argument("--names", type=int, default=20, help="request names (default 20)")
    parser.add_argument(
        "--codec", choices=("auto", "horde", "locust"), default="auto",
        help="report codec: as the ack says (a Horde master: exact histograms), or forced",
    )  # fmt: skip
    parser.add_argument("--max-seconds", type=float, default=180.0, help="end by then in any case")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--result", type=Path, help="write what was sent here (JSON)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    totals = run(args)
    summary = {
        "requests": totals.requests,
        "failures": totals.failures,
        "messages": dict(totals.messages),
        "bytes": dict(totals.bytes),
        "largest_stats": totals.largest_stats,
        "codecs": dict(totals.codecs),
        "dropped": dict(totals.dropped),
    }
    print(json.dumps(summary), flush=True)
    if args.result is not None:
        args.result.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
