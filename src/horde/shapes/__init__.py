"""Load curves: Locust's LoadTestShape, the ramp, and the common shapes ready to subclass."""

from horde.shapes.arrivals import ArrivalRate
from horde.shapes.common import SpikeShape, StagesShape, StepShape, WaveShape

__all__ = ["ArrivalRate", "SpikeShape", "StagesShape", "StepShape", "WaveShape"]
