"""When the arrivals of an open-model run are due (pure: no asyncio, no clock; the caller brings
the time).

An :class:`ArrivalPlan` is a rate over time, made of linear segments: ``--arrival-rate 50`` is one
segment at 50/s without end; ``--arrival-rate 30s:100,1m:100,30s:0`` ramps from 0 to 100/s, holds
and ramps down, as k6's stages do, and ends. Its integral says how many arrivals are due by a
moment, and its inverse when the k-th one is: arrival k of an evenly spread run is due when the
integral reaches k (the first at once), and of a Poisson run when it reaches a sum of k unit
exponential draws (the time-rescaling of a Poisson process), so the schedule is fixed by the
clock, never by when the previous arrival ended.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from horde.timespan import parse_timespan

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
_RATE = re.compile(r"([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*(?:/\s*([smh]))?", re.IGNORECASE)
HINT = "use e.g. 50, 50/s, 600/m, or stages 30s:100,1m:100,30s:0"


@dataclass(frozen=True)
class ArrivalRate:
    """What a ``LoadTestShape.tick()`` returns to drive arrivals rather than users: ``rate``
    arrivals per second into a pool of ``users``. Each new value takes effect at once."""

    rate: float
    users: int

    def __post_init__(self) -> None:
        if not (self.rate >= 0 and math.isfinite(self.rate)) or self.users < 0:
            raise ValueError(f"{self!r}: the rate must be a finite number 0 or more, and users 0 or more")


class ArrivalRateError(ValueError):
    """A malformed ``--arrival-rate``; the message quotes it and says what was expected."""


def parse_rate(text: str) -> float:
    """``50``, ``50/s``, ``600/m``, ``36000/h`` -> arrivals per second (0 or more, finite)."""
    match = _RATE.fullmatch(text.strip())
    if match is None:
        raise ArrivalRateError(f"invalid arrival rate {text!r}: {HINT}")
    rate = float(match.group(1)) / _UNITS[(match.group(2) or "").lower()]
    if not math.isfinite(rate):
        raise ArrivalRateError(f"invalid arrival rate {text!r}: {HINT}")
    return rate


@dataclass(frozen=True)
class Segment:
    """The rate going linearly from ``rate0`` to ``rate1`` over ``seconds`` (inf: for ever), from
    ``start`` seconds into the plan, when ``before`` arrivals were already due."""

    start: float
    seconds: float
    rate0: float
    rate1: float
    before: float

    def rate_at(self, t: float) -> float:
        """The rate ``t`` seconds into the segment."""
        if self.seconds == math.inf or self.rate0 == self.rate1:
            return self.rate0
        return self.rate0 + (self.rate1 - self.rate0) * min(t, self.seconds) / self.seconds

    def due(self, t: float) -> float:
        """Arrivals due ``t`` seconds into the segment (the rate's integral)."""
        return t * (self.rate0 + self.rate_at(t)) / 2

    def when(self, arrivals: float) -> float | None:
        """Seconds into the segment at which ``arrivals`` of it are due; None past its end."""
        if arrivals <= 0:
            return 0.0
        if self.seconds != math.inf and arrivals > self.due(self.seconds) + 1e-9:
            return None
        slope = 0.0 if self.seconds == math.inf else (self.rate1 - self.rate0) / self.seconds
        if slope == 0:
            return arrivals / self.rate0 if self.rate0 > 0 else None
        # slope/2 t^2 + rate0 t = arrivals, in the form that stays exact as the slope nears 0
        root = self.rate0 * self.rate0 + 2 * slope * arrivals
        t = 2 * arrivals / (self.rate0 + math.sqrt(max(root, 0.0)))
        return min(t, self.seconds)


class ArrivalPlan:
    """A rate over time from the plan's start (see the module docstring). :meth:`retarget`
    changes it from a moment on (the web UI, a shape); what was due before stays due."""

    def __init__(self, start_rate: float, stages: list[tuple[float, float]] | None = None) -> None:
        self.segments: list[Segment] = []
        self._extend(0.0, start_rate, 0.0, stages or [], forever=not stages)

    @classmethod
    def parse(cls, text: str) -> ArrivalPlan:
        """``--arrival-rate``: a rate (``50``, ``50/s``, ``600/m``), or stages ``DURATION:RATE``
        separated by commas (each a linear ramp from the rate before, 0 at first), optionally
        after a starting rate: ``10,30s:100,1m:100``. Raises :class:`ArrivalRateError`."""
        parts = [part.strip() for part in str(text).split(",")]
        start_rate = 0.0
        if parts and ":" not in parts[0]:
            start_rate = parse_rate(parts.pop(0))
        stages: list[tuple[float, float]] = []
        for part in parts:
            duration, colon, rate = part.partition(":")
            if not colon:
                raise ArrivalRateError(f"invalid arrival rate {text!r}: stage {part!r} is not DURATION:RATE")
            try:
                seconds = parse_timespan(duration)
            except ValueError:
                raise ArrivalRateError(
                    f"invalid arrival rate {text!r}: stage {part!r} has no duration like 30s or 1m"
                ) from None
            if seconds <= 0:
                raise ArrivalRateError(f"invalid arrival rate {text!r}: stage {part!r} lasts no time")
            try:
                stages.append((float(seconds), parse_rate(rate)))
            except ArrivalRateError:
                raise ArrivalRateError(
                    f"invalid arrival rate {text!r}: stage {part!r} has no rate like 100 or 100/s"
                ) from None
        if not stages and start_rate <= 0:
            raise ArrivalRateError(f"invalid arrival rate {text!r}: a constant rate must be above 0")
        return cls(start_rate, stages)

    def _extend(
        self, start: float, rate: float, before: float, stages: list[tuple[float, float]], forever: bool
    ) -> None:
        for seconds, target in stages:
            segment = Segment(start, seconds, rate, target, before)
            self.segments.append(segment)
            start, rate, before = start + seconds, target, before + segment.due(seconds)
        if forever:
            self.segments.append(Segment(start, math.inf, rate, rate, before))

    @property
    def end(self) -> float:
        """Seconds into the plan at which it ends (inf: never)."""
        last = self.segments[-1]
        return last.start + last.seconds

    def _segment(self, t: float) -> Segment:
        for segment in reversed(self.segments):
            if t >= segment.start:
                return segment
        return self.segments[0]

    def rate_at(self, t: float) -> float:
        """Arrivals per second ``t`` seconds into the plan (0 after its end)."""
        if t >= self.end:
            return 0.0
        segment = self._segment(t)
        return segment.rate_at(t - segment.start)

    def due(self, t: float) -> float:
        """Arrivals due by ``t`` seconds into the plan (a real number: the rate's integral)."""
        segment = self._segment(min(t, self.end))
        return segment.before + segment.due(min(t, self.end) - segment.start)

    def when(self, arrivals: float) -> float | None:
        """Seconds into the plan at which ``arrivals`` are due; None if the plan ends first."""
        for segment in self.segments:
            t = segment.when(arrivals - segment.before)
            if t is not None:
                return segment.start + t
        return None

    def retarget(self, t: float, rate: float, ramp_seconds: float = 0.0) -> None:
        """From ``t`` seconds into the plan on: ``rate`` per second (reached linearly over
        ``ramp_seconds``), for ever; what was due before ``t`` is unchanged."""
        current = self.rate_at(t)
        before = self.due(t)
        kept = [s for s in self.segments if s.start < t]
        if kept and kept[-1].start + kept[-1].seconds > t:  # cut the segment under way at t
            last = kept.pop()
            kept.append(Segment(last.start, t - last.start, last.rate0, current, last.before))
        self.segments = kept
        stages = [(ramp_seconds, rate)] if ramp_seconds > 0 else []
        self._extend(t, current if stages else rate, before, stages, forever=True)

    def describe(self) -> str:
        """One line for the log: ``50.0/s`` or the stages."""
        if len(self.segments) == 1 and self.segments[0].seconds == math.inf:
            return f"{self.segments[0].rate0:g}/s"
        stages = [f"{s.seconds:g}s to {s.rate1:g}/s" for s in self.segments if s.seconds != math.inf]
        return f"from {self.segments[0].rate0:g}/s, " + ", ".join(stages)
