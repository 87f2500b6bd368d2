"""Watches this process: CPU and memory, reported through Locust's usage events."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import psutil

from horde.runtime.ticker import TICK_INTERVAL

if TYPE_CHECKING:
    from horde.runtime.environment import Environment
    from horde.runtime.ticker import Tick

logger = logging.getLogger("locust.runners")  # Locust's logger name: scripts and filters match it

CPU_MONITOR_INTERVAL = 10.0
CPU_WARNING_THRESHOLD = 90.0


class UsageMonitor:
    """Fires ``usage_monitor`` every interval and ``cpu_warning`` while CPU is above the threshold;
    the runner's ticks drive it (:meth:`on_tick`)."""

    def __init__(self, environment: Environment, interval: float = CPU_MONITOR_INTERVAL) -> None:
        self.environment = environment
        self.every = max(1, round(interval / TICK_INTERVAL))  # ticks
        self._ticks = 0
        self.process = psutil.Process()
        self.cpu_usage = 0.0
        self.memory_usage = 0
        self.cpu_warning_emitted = False

    def sample(self) -> None:
        self.cpu_usage = self.process.cpu_percent()
        self.memory_usage = self.process.memory_info().rss
        events = self.environment.events
        if self.cpu_usage > CPU_WARNING_THRESHOLD:
            events.cpu_warning.fire(environment=self.environment, cpu_usage=self.cpu_usage)
            if not self.cpu_warning_emitted:
                logger.warning(
                    "CPU usage above %d%%! Results may be limited by the load generator (this process)",
                    CPU_WARNING_THRESHOLD,
                )
                self.cpu_warning_emitted = True
        events.usage_monitor.fire(
            environment=self.environment, cpu_usage=self.cpu_usage, memory_usage=self.memory_usage
        )

    def start(self) -> None:
        self.process.cpu_percent()  # the first reading only starts the measurement
        self._ticks = 0

    def on_tick(self, tick: Tick) -> None:
        self._ticks += 1
        if self._ticks % self.every == 0:
            self.sample()
