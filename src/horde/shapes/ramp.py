"""How far a ramp should be at a given moment (pure: no asyncio, no clock; the caller brings the
time). A runner starts users to catch up with it; a master can split the same count over workers."""

from __future__ import annotations

import math


def due(elapsed: float, rate: float, total: int) -> int:
    """Users started (or stopped) ``elapsed`` seconds into a ramp of ``total`` at ``rate`` per second:
    the k-th is due (k - 1) / rate seconds in, so the first goes at once, as in Locust."""
    return min(total, math.floor(elapsed * rate) + 1)
