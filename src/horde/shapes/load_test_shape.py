"""Custom load curves: a ``tick()`` that says how many users to run at each moment."""

from __future__ import annotations

import time
from typing import Any, ClassVar


class LoadTestShapeMeta(type):
    def __new__(mcs, classname: str, bases: tuple[type, ...], class_dict: dict[str, Any]) -> Any:
        class_dict.setdefault("abstract", False)
        return super().__new__(mcs, classname, bases, class_dict)


class LoadTestShape(metaclass=LoadTestShapeMeta):
    """Subclass and implement :meth:`tick`.

    ``tick()`` returns ``(user_count, spawn_rate)``, ``(user_count, spawn_rate, user_classes)``, or
    None to end the test. The runner asks about once a second.
    """

    abstract: ClassVar[bool] = True
    use_common_options: ClassVar[bool] = False
    runner: Any = None

    def __init__(self) -> None:
        self.start_time = self._now()

    def reset_time(self) -> None:
        """Start counting run time from now."""
        self.start_time = self._now()

    def get_run_time(self) -> float:
        """Seconds since the shape started."""
        return self._now() - self.start_time

    def _now(self) -> float:
        """The runner's clock once the shape drives one (a test's FakeClock too), else the machine's."""
        clock = getattr(self.runner, "clock", None)
        return clock.monotonic() if clock is not None else time.perf_counter()

    def get_current_user_count(self) -> int:
        return int(self.runner.user_count) if self.runner is not None else 0

    def tick(self) -> tuple[int, float] | tuple[int, float, list[type]] | None:
        raise NotImplementedError("a LoadTestShape must implement tick()")
