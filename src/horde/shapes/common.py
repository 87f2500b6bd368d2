"""The common load curves, ready to subclass in a locustfile::

    from horde.shapes import StagesShape

    class RampUpHoldDown(StagesShape):
        stages = [(60, 100), (300, 100), (30, 0)]  # (seconds, users at the stage's end)

Each is a :class:`LoadTestShape` whose numbers are class attributes. Horde asks a shape every
second even while a ramp is under way, and a new answer re-targets the ramp at once (Locust does
not ask during a ramp), so a curve is followed as drawn.
"""

from __future__ import annotations

import math
from typing import ClassVar

from horde.shapes.load_test_shape import LoadTestShape


class StagesShape(LoadTestShape):
    """k6's stages: each ``(seconds, users)`` ramps linearly to ``users`` over ``seconds``, from
    where the previous stage ended (0 users before the first); the test ends after the last."""

    abstract = True
    stages: ClassVar[list[tuple[float, int]]] = []

    def tick(self) -> tuple[int, float] | None:
        elapsed, previous = self.get_run_time(), 0
        for seconds, users in self.stages:
            if elapsed < seconds:
                return users, abs(users - previous) / seconds or 1.0  # a hold: any rate
            elapsed -= seconds
            previous = users
        return None


class StepShape(LoadTestShape):
    """``step_users`` more users every ``step_seconds``, ``steps`` times, then the end."""

    abstract = True
    step_users: ClassVar[int] = 10
    step_seconds: ClassVar[float] = 30.0
    steps: ClassVar[int] = 5
    spawn_rate: ClassVar[float] = 10.0

    def tick(self) -> tuple[int, float] | None:
        step = int(self.get_run_time() // self.step_seconds)
        return ((step + 1) * self.step_users, self.spawn_rate) if step < self.steps else None


class SpikeShape(LoadTestShape):
    """``base_users``, then ``spike_users`` from ``spike_at`` for ``spike_seconds``, then the base
    again until ``run_seconds``."""

    abstract = True
    base_users: ClassVar[int] = 10
    spike_users: ClassVar[int] = 100
    spike_at: ClassVar[float] = 60.0
    spike_seconds: ClassVar[float] = 30.0
    run_seconds: ClassVar[float] = 180.0
    spawn_rate: ClassVar[float] = 100.0

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= self.run_seconds:
            return None
        spiking = self.spike_at <= elapsed < self.spike_at + self.spike_seconds
        return (self.spike_users if spiking else self.base_users), self.spawn_rate


class WaveShape(LoadTestShape):
    """Users rise and fall between ``min_users`` and ``max_users`` as a cosine wave of
    ``period_seconds`` (starting at the minimum), until ``run_seconds``."""

    abstract = True
    min_users: ClassVar[int] = 10
    max_users: ClassVar[int] = 100
    period_seconds: ClassVar[float] = 60.0
    run_seconds: ClassVar[float] = 300.0

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= self.run_seconds:
            return None
        swing = (self.max_users - self.min_users) / 2
        users = self.min_users + swing * (1 - math.cos(2 * math.pi * elapsed / self.period_seconds))
        rate = max(swing * 2 * math.pi / self.period_seconds, 1.0)  # the wave's steepest slope
        return round(users), rate
