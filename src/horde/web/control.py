"""Starting, changing and stopping a test from the web UI (or ``--autostart``), on the runner's loop.

In a web run, the end of a test is not the end of the process: the form can start the next one.
The process ends on Ctrl-C / SIGTERM, or ``--autoquit`` seconds after a test ends.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from horde.distributed.master import MasterRunner
from horde.runtime.limits import users_beyond_capacity
from horde.runtime.runner import Runner, RunnerState
from horde.shapes.arrivals import ArrivalPlan, ArrivalRateError, parse_rate
from horde.user.http_users import needs_host
from horde.web.swarm import SwarmError, SwarmRequest

if TYPE_CHECKING:
    from horde.runtime.environment import Environment

logger = logging.getLogger("locust.web")  # Locust's logger name: scripts and filters match it


class TestControl:
    """What the start form, the stop and reset buttons, and ``--autostart`` do."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, environment: Environment, autoquit: float | None = None) -> None:
        runner = environment.runner
        assert isinstance(runner, Runner)
        self.environment = environment
        self.runner = runner
        self.autoquit = autoquit
        """Seconds after a test ends to quit the process (None: stay up for the next test)."""
        self.run_time: int | None = None
        self.last_request: SwarmRequest | None = None
        """The last start or change that was accepted (the form offers its values again)."""
        self._stop_timer: asyncio.TimerHandle | None = None
        self._quit_timer: asyncio.TimerHandle | None = None
        environment.events.test_stop.add_listener(self._on_test_stop)

    def swarm(self, request: SwarmRequest) -> dict[str, Any]:
        """Start a test, or change the user count of the running one; Locust's /swarm answer."""
        runner = self.runner
        environment = self.environment
        use_shape = environment.shape_class is not None and request.user_count is None
        # Everything that can refuse the request comes first: a refused one changes nothing.
        if runner.state == RunnerState.STOPPING:
            raise SwarmError("the test is still stopping; try again in a moment")
        if not use_shape and (request.user_count is None or request.spawn_rate is None):
            raise SwarmError("user_count and spawn_rate are required")
        available = environment.available_user_classes or {}
        classes = environment.user_classes
        if request.user_classes is not None:
            classes = [available[name] for name in request.user_classes]
        missing = [c.__name__ for c in classes if needs_host(c) and not (request.host or c.host)]
        if missing:
            raise SwarmError(
                f"No host for {', '.join(missing)}: type the address of the system to test in the Host "
                "field (e.g. http://127.0.0.1:8080)"
            )
        arrivals = self._arrivals(request)
        if request.user_count is not None:
            connections = any(needs_host(c) for c in classes)
            running = runner.user_count
            too_many = users_beyond_capacity(request.user_count - running, running, connections)
            if too_many:
                raise SwarmError(f"user_count {request.user_count:,}: {too_many}")
        environment.user_classes = classes
        if request.host:
            environment.host = request.host
            for user_class in environment.user_classes:
                user_class.host = request.host
        if request.profile is not None:
            environment.profile = request.profile
        if request.custom and environment.parsed_options is not None:
            for name, value in request.custom.items():  # as Locust: the form's values are the options'
                setattr(environment.parsed_options, name, value)
        if self._quit_timer is not None:
            self._quit_timer.cancel()
            self._quit_timer = None
        if use_shape:
            runner.start_shape()
        elif arrivals is not None:
            assert request.user_count is not None
            process = getattr(environment.parsed_options, "arrival_process", None) or "constant"
            runner.start_arrivals(arrivals, request.user_count, process=process)  # the pool at once
        else:
            assert request.user_count is not None and request.spawn_rate is not None
            runner.start(request.user_count, request.spawn_rate)
        self._arm_run_time(request.run_time)
        self.last_request = request
        answer: dict[str, Any] = {"success": True, "message": "Swarming started", "host": environment.host}
        if request.run_time is not None:
            answer["run_time"] = request.run_time
        if request.user_classes is not None:
            answer["user_classes"] = request.user_classes
        return answer

    def _arrivals(self, request: SwarmRequest) -> ArrivalPlan | float | None:
        """The form's arrival rate, as the runner takes it: a plan for a new test, a rate for a
        running one (its arrivals change from now on)."""
        text = request.arrival_rate
        if text is None:
            return None
        runner = self.runner
        if isinstance(runner, MasterRunner):
            raise SwarmError("arrival rates run in one process in this version of Horde, not on workers")
        if runner.state in (RunnerState.READY, RunnerState.STOPPED):
            return ArrivalPlan.parse(text)
        if runner.arrivals is None:
            raise SwarmError("this test runs its users in a loop: stop it to start one with an arrival rate")
        try:
            return parse_rate(text)
        except ArrivalRateError:
            raise SwarmError(
                f"arrival_rate {text!r}: a running test takes a new rate (e.g. 50 or 50/s), not stages"
            ) from None

    def update_user_class(self, settings: dict[str, Any]) -> None:
        """Locust's ``POST /user``: set attributes of a User class; ``tasks`` picks tasks by name."""
        settings = dict(settings)
        task_names = settings.pop("tasks", None)
        name = settings.get("user_class_name")
        available = self.environment.available_user_classes or {}
        if name not in available:
            raise ValueError(f"unknown user class {name!r}")
        self.environment.update_user_class(settings)
        if task_names is not None:
            user_class = available[name]
            tasks = [t for t in user_class.tasks if getattr(t, "__name__", str(t)) in set(task_names)]
            if not tasks:
                raise ValueError(f"none of the tasks {task_names} belong to {name}")
            user_class.tasks = tasks

    async def stop(self) -> None:
        """Stop the running test; the web UI stays up for the next one."""
        self._cancel_run_time()
        if self.runner.state not in (RunnerState.READY, RunnerState.STOPPED):
            await self.runner.stop()

    def reset(self) -> None:
        """Zero the statistics and exceptions of the running test (Locust's "Reset stats")."""
        self.runner.stats.reset_all()
        self.runner.exceptions.clear()
        self.environment.events.reset_stats.fire()

    def _arm_run_time(self, run_time: int | None) -> None:
        if run_time is None:
            return
        self._cancel_run_time()
        self.run_time = run_time
        loop = asyncio.get_running_loop()
        self._stop_timer = loop.call_later(run_time, self._time_up)
        logger.info("Run time limit set to %s seconds", run_time)

    def _cancel_run_time(self) -> None:
        if self._stop_timer is not None:
            self._stop_timer.cancel()
            self._stop_timer = None
        self.run_time = None

    def _time_up(self) -> None:
        self._stop_timer = None
        logger.info("--run-time limit reached, stopping the test")
        asyncio.get_running_loop().create_task(self.stop())

    def _on_test_stop(self, **_: Any) -> None:
        if self.autoquit is None:
            return
        logger.info("Quitting in %g seconds (--autoquit)", self.autoquit)
        self._quit_timer = asyncio.get_running_loop().call_later(self.autoquit, self._autoquit)

    def _autoquit(self) -> None:
        logger.info("--autoquit time reached, shutting down")
        self.runner.quit_later()
