"""The common shapes' curves, read at chosen times (the runner's clock, faked)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from horde.runtime.clock import FakeClock
from horde.runtime.loading import _is_shape_class
from horde.shapes import SpikeShape, StagesShape, StepShape, WaveShape
from horde.shapes.load_test_shape import LoadTestShape


def curve(shape: LoadTestShape, times: list[float]) -> list[object]:
    clock = FakeClock(monotonic=0.0)
    shape.runner = SimpleNamespace(clock=clock, user_count=0)
    shape.reset_time()
    answers = []
    for moment in times:
        clock._now = moment  # read the curve at this moment
        answers.append(shape.tick())
    return answers


def test_stages_ramp_linearly_to_each_target_then_end() -> None:
    class Shape(StagesShape):
        stages = [(60, 100), (120, 100), (30, 0)]

    assert curve(Shape(), [0, 59, 60, 179, 180, 209, 210]) == [
        (100, pytest.approx(100 / 60)), (100, pytest.approx(100 / 60)),
        (100, 1.0), (100, 1.0),  # the hold: no change, any rate
        (0, pytest.approx(100 / 30)), (0, pytest.approx(100 / 30)),
        None,
    ]  # fmt: skip


def test_steps_spike_and_wave() -> None:
    class Steps(StepShape):
        step_users, step_seconds, steps, spawn_rate = 10, 30, 3, 5

    assert curve(Steps(), [0, 29, 30, 89, 90]) == [(10, 5), (10, 5), (20, 5), (30, 5), None]

    class Spike(SpikeShape):
        base_users, spike_users, spike_at, spike_seconds, run_seconds, spawn_rate = 5, 50, 10, 5, 30, 100

    assert curve(Spike(), [0, 10, 14.9, 15, 29, 30]) == [
        (5, 100),
        (50, 100),
        (50, 100),
        (5, 100),
        (5, 100),
        None,
    ]

    class Wave(WaveShape):
        min_users, max_users, period_seconds, run_seconds = 10, 30, 60, 120

    users = [answer[0] for answer in curve(Wave(), [0, 15, 30, 45, 60])]  # type: ignore[index]
    assert users == [10, 20, 30, 20, 10]
    assert curve(Wave(), [120]) == [None]


def test_the_library_shapes_are_not_taken_for_a_locustfiles_own() -> None:
    class Mine(StagesShape):
        stages = [(10, 1)]

    assert not any(_is_shape_class(cls) for cls in (StagesShape, StepShape, SpikeShape, WaveShape))
    assert _is_shape_class(Mine)
