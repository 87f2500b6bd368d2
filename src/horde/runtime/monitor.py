"""Watches this process: CPU and memory, reported through Locust's usage events."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from horde.runtime.clock import Clock
    from horde.runtime.environment import Environment

logger = logging.getLogger("locust.runners")  # Locust's logger name: scripts and filters match it

CPU_MONITOR_INTERVAL = 10.0
CPU_WARNING_THRESHOLD = 90.0


class UsageMonitor:
    """Fires ``usage_monitor`` every interval and ``cpu_warning`` while CPU is above the threshold."""

    def __init__(self, environment: Environment, interval: float = CPU_MONITOR_INTERVAL) -> None:
        self.environment = environment
        self.interval = interval
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

    async def run(self, clock: Clock) -> None:
        self.process.cpu_percent()  # the first reading only starts the measurement
        while True:
            await clock.sleep(self.interval)
            self.sample()
