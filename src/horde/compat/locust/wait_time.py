"""``locust.wait_time``."""

from horde.user.wait_time import between, constant, constant_pacing, constant_throughput, poisson

__all__ = ("between", "constant", "constant_pacing", "constant_throughput", "poisson")
