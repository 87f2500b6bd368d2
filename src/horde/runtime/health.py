"""Was the load generator itself the bottleneck? Horde watches its own health while a test runs.

A load test measures the system under test only while the generator keeps up. When it does not,
responses wait in socket buffers for a busy event loop, waits end late, and the latencies and
rates it reports describe the generator, not the target. Signals, collected per time window:

- **event-loop lag**: a probe timer every 20 ms records how late it fired (a histogram);
- **CPU** of this process (user + system time over wall time; 100% is one full core), and how
  busy the cores it may run on were (other processes and a hypervisor's steal included): a
  generator starved by a neighbour uses less than a full core yet cannot go faster;
- **schedule lag**: how late users woke up from their planned waits;
- **connection waits**: requests that queued for a free connection of their user's pool.

A window is *limited by the load generator* when any signal crosses its threshold
(:class:`Thresholds`); for the cores, when they were that busy while Horde itself used at least a
quarter of a core (a generator idling on a busy machine keeps up; its loop lag would say if not).
The run's verdict: ``VALID`` when no window was limited, ``DEGRADED`` when up to a quarter of
them were, ``INVALID`` beyond that. A distributed run's master measures nothing itself: its
:class:`ReportedHealth` holds the windows each worker measured, judges each worker on its own, and
gives the run the worst worker's verdict (any worker limited = the run is limited).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from time import perf_counter
from typing import Any

import psutil

from horde.concurrency.blockwatch import Block, BlockWatch
from horde.concurrency.cooperative import event_loop
from horde.http.pool import CONNECTION_WAITS
from horde.runtime.clock import SYSTEM_CLOCK, Clock, Timer
from horde.stats.histogram import Histogram

logger = logging.getLogger(__name__)

PROBE_INTERVAL = 0.02
DEFAULT_WINDOW = 10.0
INVALID_SHARE = 0.25
"""More than this share of limited windows makes the run INVALID (any at all: DEGRADED)."""
BUSY_CORES_OWN_SHARE = 25.0
"""Busy cores count against the generator only while it used at least this much CPU (%)."""
MIN_WINDOW = 1.0
"""A last window shorter than this (the test stopped just after a window closed) is dropped: its
CPU share would rest on a few ticks. A run shorter than this still gets its one window."""


class Verdict(StrEnum):
    VALID = "VALID"
    DEGRADED = "DEGRADED"
    INVALID = "INVALID"


@dataclass(frozen=True)
class Thresholds:
    """Where a signal starts to mean "the generator is the bottleneck" (all tunable by flags)."""

    cpu_percent: float = 90.0
    loop_lag_ms: float = 20.0
    schedule_lag_ms: float = 50.0


@dataclass
class WindowSample:
    """What was measured in one window, before it is judged."""

    start_s: float
    end_s: float
    cpu_s: float
    steal_s: float | None
    cores_busy_share: float | None = None  # busy / total time of the cores the process may use
    loop_lag: Histogram = field(default_factory=Histogram)
    schedule_lag: Histogram = field(default_factory=Histogram)
    connection_waits: int = 0
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """One judged window; times are seconds since the test started, lags milliseconds."""

    start_s: float
    end_s: float
    cpu_percent: float
    steal_percent: float | None
    cores_busy_percent: float | None
    loop_lag_p99_ms: float
    loop_lag_max_ms: float
    schedule_lag_p99_ms: float | None
    connection_waits: int
    reasons: tuple[str, ...]
    blocked_s: float = 0.0
    """Time the event loop stood still in user code (:mod:`horde.concurrency.blockwatch`)."""

    @property
    def limited(self) -> bool:
        return bool(self.reasons)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["limited"] = self.limited
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Window:
        """The window :meth:`to_json` made (ValueError, KeyError or TypeError if it is not one)."""

        def optional(name: str) -> float | None:
            value = data.get(name)
            return None if value is None else float(value)

        return cls(
            float(data["start_s"]), float(data["end_s"]), float(data["cpu_percent"]),
            optional("steal_percent"), optional("cores_busy_percent"), float(data["loop_lag_p99_ms"]),
            float(data["loop_lag_max_ms"]), optional("schedule_lag_p99_ms"), int(data["connection_waits"]),
            tuple(str(reason) for reason in data["reasons"]), float(data.get("blocked_s", 0.0)),
        )  # fmt: skip


def _p99_ms(histogram: Histogram) -> float:
    return histogram.percentile(0.99) / 1000.0


def judge(sample: WindowSample, thresholds: Thresholds, cpu_count: int) -> Window:
    """Turn one window's measurements into figures and the reasons it was limited, if any."""
    seconds = max(sample.end_s - sample.start_s, 1e-9)
    cpu = 100.0 * sample.cpu_s / seconds
    steal = None if sample.steal_s is None else 100.0 * sample.steal_s / (seconds * cpu_count)
    loop_p99 = _p99_ms(sample.loop_lag) if sample.loop_lag else 0.0
    loop_max = sample.loop_lag.max_us / 1000.0 if sample.loop_lag else 0.0
    schedule_p99 = _p99_ms(sample.schedule_lag) if sample.schedule_lag else None
    reasons = []
    blocked_s = sum(block.seconds for block in sample.blocks)
    if loop_p99 >= thresholds.loop_lag_ms:
        reasons.append(
            _blocked(sample.blocks, blocked_s) if sample.blocks else f"loop lag p99 {loop_p99:.0f} ms"
        )
    cores = None if sample.cores_busy_share is None else 100.0 * sample.cores_busy_share
    if cpu >= thresholds.cpu_percent:
        reasons.append(f"CPU {cpu:.0f}%")
    elif cores is not None and cores >= thresholds.cpu_percent and cpu >= BUSY_CORES_OWN_SHARE:
        reasons.append(f"CPU {cpu:.0f}% with its cores {cores:.0f}% busy")
    if schedule_p99 is not None and schedule_p99 >= thresholds.schedule_lag_ms:
        reasons.append(f"schedule lag p99 {schedule_p99:.0f} ms")
    if sample.connection_waits:
        reasons.append(f"{sample.connection_waits} waits for a free connection")
    return Window(
        sample.start_s, sample.end_s, cpu, steal, cores, loop_p99, loop_max, schedule_p99,
        sample.connection_waits, tuple(reasons), blocked_s,
    )  # fmt: skip


def _blocked(blocks: list[Block], seconds: float) -> str:
    """The loop lag's cause, when user code blocked the loop: where, and for how long in all."""
    by_place: dict[str, float] = {}
    shown: dict[str, str] = {}
    for block in blocks:
        by_place[block.place] = by_place.get(block.place, 0.0) + block.seconds
        shown.setdefault(block.place, block.where)
    worst = max(by_place, key=by_place.__getitem__)
    others = f" and {len(by_place) - 1} more places" if len(by_place) > 1 else ""
    return f"event loop blocked by user code for {seconds:.1f} s, at {shown[worst]}{others}"


def verdict(windows: list[Window]) -> Verdict:
    limited = sum(window.limited for window in windows)
    if not limited:
        return Verdict.VALID
    return Verdict.INVALID if limited > INVALID_SHARE * len(windows) else Verdict.DEGRADED


SEVERITY = (Verdict.VALID, Verdict.DEGRADED, Verdict.INVALID)


def _mmss(seconds: float) -> str:
    whole = int(seconds + 0.5)  # windows end a few ms after their tick: 1.998 s reads 00:02
    return f"{whole // 60:02d}:{whole % 60:02d}"


def describe(window: Window) -> str:
    return f"{_mmss(window.start_s)}-{_mmss(window.end_s)} {', '.join(window.reasons)}"


def summary_line(windows: list[Window], result: Verdict | None = None) -> str:
    """One line for the end of the run, e.g. ``Load generator: INVALID, results limited ...``
    (``result``: the verdict, when it is not that of ``windows`` as one process's)."""
    if not windows:
        return "Load generator: no measurement (the test ended before it started)"
    result = result or verdict(windows)
    worst_lag = max(w.loop_lag_p99_ms for w in windows)
    worst_cpu = max(w.cpu_percent for w in windows)
    figures = f"loop lag p99 up to {worst_lag:.1f} ms, CPU up to {worst_cpu:.0f}%"
    if result is Verdict.VALID:
        return f"Load generator: VALID, it kept up in all {len(windows)} windows ({figures})"
    limited = [w for w in windows if w.limited]
    cause = "user code blocking the event loop" if all(w.blocked_s for w in limited) else "the load generator"
    return (
        f"Load generator: {result}, results limited by {cause} in {len(limited)} of "
        f"{len(windows)} windows ({figures}); first: {describe(limited[0])}"
    )


class HealthMonitor:
    """Collects the signals on the running loop and closes a window every ``window_s`` seconds.

    Windows keep the time of the clock given to :meth:`start` (the runner's: a FakeClock in
    tests). The loop-lag probe keeps real time (``probe_clock``): what it measures is how late the
    real loop runs. ``cpu_seconds``, ``steal_seconds`` and ``cores_times`` are injectable so tests
    can drive windows without real load.
    """

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        window_s: float = DEFAULT_WINDOW,
        *,
        probe_interval: float = PROBE_INTERVAL,
        probe_clock: Callable[[], float] = perf_counter,
        cpu_seconds: Callable[[], float] | None = None,
        steal_seconds: Callable[[], float | None] | None = None,
        cores_times: Callable[[], tuple[float, float]] | None = None,
        cpu_count: int | None = None,
    ) -> None:
        self.thresholds = thresholds or Thresholds()
        self.window_s = window_s
        self.probe_interval = probe_interval
        self.windows: list[Window] = []
        self._probe_clock = probe_clock
        self._clock: Clock = SYSTEM_CLOCK  # the windows' (see start)
        self._cpu_seconds = cpu_seconds or _process_cpu_seconds()
        self._steal_seconds = steal_seconds or _steal_seconds
        self._cores_times = cores_times or _cores_times()
        self._cores_at_start = (0.0, 0.0)
        self._cpu_count = cpu_count or psutil.cpu_count() or 1
        self._started = 0.0
        self._current: WindowSample | None = None
        self._cpu_at_start = 0.0
        self._steal_at_start: float | None = None
        self._waits_at_start = 0
        self._probe: asyncio.TimerHandle | None = None
        self._probe_due = 0.0
        self._closer: Timer | None = None
        self.blockwatch = BlockWatch(probe_clock)
        self.started_epoch = 0.0
        """When the first window began (epoch): what the windows' times count from."""

    def start(self, clock: Clock = SYSTEM_CLOCK) -> None:
        """Begin the first window, on ``clock``, and the loop-lag probe (on the running loop)."""
        self._clock = clock
        self.started_epoch = clock.time()
        self.windows = []
        self._started = clock.monotonic()
        self._open_window(self._started)
        self._schedule_probe()
        self._closer = clock.call_later(self.window_s, self._close_on_time)
        self.blockwatch.start(event_loop())

    def stop(self) -> None:
        """Close the last window (unless too short to mean anything) and stop measuring."""
        if self._current is None:
            return
        self.blockwatch.stop()
        for handle in (self._probe, self._closer):
            if handle is not None:
                handle.cancel()
        self._probe = self._closer = None
        now = self._clock.monotonic()
        if now - self._started - self._current.start_s >= MIN_WINDOW or not self.windows:
            self._close_window(now)
        self._current = None

    def record_schedule_lag(self, seconds: float) -> None:
        """A user woke ``seconds`` later than it planned to."""
        if self._current is not None:
            self._current.schedule_lag.record(int(seconds * 1e6) if seconds > 0 else 0)

    def verdict(self) -> Verdict:
        return verdict(self.windows)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict()) if self.windows else None,
            "window_s": self.window_s,
            "thresholds": asdict(self.thresholds),
            "windows": [window.to_json() for window in self.windows],
        }

    # -- internals -------------------------------------------------------------------------------

    def _open_window(self, now: float) -> None:
        start = now - self._started
        self._current = WindowSample(start, start, 0.0, None)
        self._cpu_at_start = self._cpu_seconds()
        self._steal_at_start = self._steal_seconds()
        self._cores_at_start = self._cores_times()
        self._waits_at_start = CONNECTION_WAITS.count

    def _close_window(self, now: float) -> None:
        sample = self._current
        assert sample is not None
        sample.end_s = now - self._started
        sample.cpu_s = self._cpu_seconds() - self._cpu_at_start
        steal = self._steal_seconds()
        if steal is not None and self._steal_at_start is not None:
            sample.steal_s = steal - self._steal_at_start
        busy, total = self._cores_times()
        busy_before, total_before = self._cores_at_start
        if total > total_before:
            sample.cores_busy_share = (busy - busy_before) / (total - total_before)
        sample.connection_waits = CONNECTION_WAITS.count - self._waits_at_start
        sample.blocks = self.blockwatch.take()
        window = judge(sample, self.thresholds, self._cpu_count)
        self.windows.append(window)
        if window.limited:
            logger.warning("Results limited by the load generator: %s", describe(window))

    def _close_on_time(self) -> None:
        now = self._clock.monotonic()
        self._close_window(now)
        self._open_window(now)
        self._closer = self._clock.call_later(self.window_s, self._close_on_time)

    def _schedule_probe(self) -> None:
        self._probe_due = self._probe_clock() + self.probe_interval
        self._probe = event_loop().call_later(self.probe_interval, self._on_probe)

    def _on_probe(self) -> None:
        now = self._probe_clock()
        self.blockwatch.beat(now)
        late = now - self._probe_due
        if self._current is not None:
            self._current.loop_lag.record(int(late * 1e6) if late > 0 else 0)
        self._schedule_probe()


class ReportedHealth(HealthMonitor):
    """A master's: the windows its workers measured and reported (it runs no users, so it measures
    nothing itself). Each worker is judged on its own windows; the run's verdict is the worst
    worker's. The windows carry the worker in their reasons and count from the master's start."""

    def __init__(self, thresholds: Thresholds | None = None, window_s: float = DEFAULT_WINDOW) -> None:
        super().__init__(thresholds, window_s)
        self._by_source: dict[str, list[Window]] = {}

    def start(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self.started_epoch = clock.time()
        self.windows = []
        self._by_source = {}

    def stop(self) -> None:
        """Nothing to stop: the workers' last windows come with their last reports."""

    def add(self, source: str, started_epoch: float, windows: Iterable[Window]) -> None:
        """Windows ``source`` (a worker) measured from its own ``started_epoch``."""
        offset = started_epoch - self.started_epoch
        for window in windows:
            moved = replace(
                window,
                start_s=window.start_s + offset,
                end_s=window.end_s + offset,
                reasons=tuple(f"{source}: {reason}" for reason in window.reasons),
            )
            self._by_source.setdefault(source, []).append(moved)
            self.windows.append(moved)
            if moved.limited:
                logger.warning("Results limited by the load generator: %s", describe(moved))
        self.windows.sort(key=lambda window: window.start_s)

    def source_verdict(self, source: str) -> Verdict | None:
        windows = self._by_source.get(source)
        return verdict(windows) if windows else None

    def verdict(self) -> Verdict:
        return max((verdict(w) for w in self._by_source.values()), key=SEVERITY.index, default=Verdict.VALID)


def _process_cpu_seconds() -> Callable[[], float]:
    process = psutil.Process()

    def cpu_seconds() -> float:
        times = process.cpu_times()
        return float(times.user + times.system)

    return cpu_seconds


def _cores_times() -> Callable[[], tuple[float, float]]:
    """(busy, total) CPU seconds so far of the cores this process may run on (Linux affinity)."""
    process = psutil.Process()
    try:
        cores: list[int] | None = process.cpu_affinity()
    except (AttributeError, psutil.Error):  # no affinity on this platform: every core
        cores = None

    def cores_times() -> tuple[float, float]:
        per_core = psutil.cpu_times(percpu=True)
        chosen = per_core if cores is None else [per_core[i] for i in cores if i < len(per_core)]
        # Linux counts guest time inside user time as well: leave the guest fields out.
        total = sum(
            sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0) for times in chosen
        )
        idle = sum(times.idle + getattr(times, "iowait", 0.0) for times in chosen)
        return total - idle, total

    return cores_times


def _steal_seconds() -> float | None:
    """The machine's steal time so far (Linux); None where the system does not report it."""
    steal = getattr(psutil.cpu_times(), "steal", None)
    return None if steal is None else float(steal)


def monitor_from_options(options: Any) -> HealthMonitor:
    """A monitor set up from ``--health-*`` options (defaults where absent, e.g. no parsed options)."""
    defaults = Thresholds()
    thresholds = Thresholds(
        cpu_percent=_option(options, "health_cpu", defaults.cpu_percent),
        loop_lag_ms=_option(options, "health_loop_lag", defaults.loop_lag_ms),
        schedule_lag_ms=_option(options, "health_schedule_lag", defaults.schedule_lag_ms),
    )
    return HealthMonitor(thresholds, _option(options, "health_window", DEFAULT_WINDOW))


def _option(options: Any, name: str, default: float) -> float:
    value = getattr(options, name, None)
    return default if value is None else float(value)
