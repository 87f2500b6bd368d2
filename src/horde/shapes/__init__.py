"""Load curves: Locust's LoadTestShape, the ramp, and the common shapes ready to subclass."""

from horde.shapes.common import SpikeShape, StagesShape, StepShape, WaveShape

__all__ = ["SpikeShape", "StagesShape", "StepShape", "WaveShape"]
