"""Thresholds while the run goes: windowed ones judged as their windows close, and the run
stopped as soon as an aborting one (``!``, or ``--threshold-abort`` for all) can no longer pass."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from horde.runtime.runner import Runner
from horde.runtime.ticker import Tick
from horde.stats.thresholds import Threshold, WindowJudge, evaluate

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it


class ThresholdWatch:
    """A sink of the runner's ticker. After ``grace`` seconds of the test, an aborting threshold
    that fails stops it: a windowed one once a window broke it (it can never pass again), a
    whole-run one once the run's value so far breaks it (k6's abortOnFail)."""

    def __init__(
        self,
        runner: Runner,
        judge: WindowJudge,
        thresholds: Sequence[Threshold],
        abort_all: bool,
        grace: float,
    ) -> None:
        self.runner = runner
        self.judge = judge
        self.aborting = [t for t in thresholds if t.abort or abort_all]
        self.grace = grace
        self.stopped_by: str | None = None

    def on_tick(self, tick: Tick) -> None:
        stats = self.runner.stats
        self.judge.tick(tick.time, stats)
        if not self.aborting or self.stopped_by is not None or tick.time - stats.start_time < self.grace:
            return
        for judged in evaluate(self.aborting, stats, windows=self.judge):
            if judged.observed is None or judged.passed:
                continue  # nothing observed yet can still pass
            self.stopped_by = judged.threshold.expression
            logger.warning(
                "Threshold %s failed (observed %.4g): stopping the test (it can no longer pass)",
                judged.threshold.expression,
                judged.observed,
            )
            self.runner.quit_later()
            return

    def finish(self) -> None:
        """The last, partial windows, once the test has stopped."""
        self.judge.finish(self.runner.clock.time(), self.runner.stats)
