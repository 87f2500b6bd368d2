"""The Environment: what one test run is made of (user classes, events, stats, runner)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from horde.concurrency.cooperative import event_loop
from horde.exception import RunnerAlreadyExistsError
from horde.runtime.events import Events
from horde.shapes.load_test_shape import LoadTestShape
from horde.stats import RequestStats
from horde.stats.request_stats import SampleRecorder

if TYPE_CHECKING:
    from horde.runtime.runner import LocalRunner, Runner
    from horde.user.users import User


class Environment:
    """Holds a run's user classes, options, events, statistics and runner (Locust's API)."""

    def __init__(
        self,
        *,
        user_classes: list[type[User]] | None = None,
        shape_class: LoadTestShape | None = None,
        tags: list[str] | None = None,
        exclude_tags: list[str] | None = None,
        locustfile: str | None = None,
        events: Events | None = None,
        host: str | None = None,
        reset_stats: bool = False,
        stop_timeout: float | None = None,
        catch_exceptions: bool = True,
        parsed_options: argparse.Namespace | None = None,
        parsed_locustfiles: list[str] | None = None,
        available_user_classes: dict[str, type[User]] | None = None,
        available_shape_classes: dict[str, LoadTestShape] | None = None,
        available_user_tasks: dict[str, list[Any]] | None = None,
        profile: str | None = None,
    ) -> None:
        self.events = events if events is not None else Events()
        self.user_classes: list[type[User]] = list(user_classes or [])
        self.shape_class = shape_class
        self.tags = tags
        self.exclude_tags = exclude_tags
        self.locustfile = locustfile
        self.host = host
        self.reset_stats = reset_stats
        self.stop_timeout = stop_timeout
        self.catch_exceptions = catch_exceptions
        self.parsed_options = parsed_options
        self.parsed_locustfiles = parsed_locustfiles or []
        self.available_user_classes = available_user_classes or {}
        self.available_shape_classes = available_shape_classes or {}
        self.available_user_tasks = available_user_tasks or {}
        self.profile = profile
        self.runner: Runner | None = None
        self.web_ui: Any = None
        self.single_user_instance: Any = None
        """The user ``run_single_user`` runs in this environment (Locust's attribute)."""
        self.process_exit_code: int | None = None
        self.worker_logs: dict[str, list[str]] = {}
        self.stats = RequestStats()
        self._stats_listener = self._on_request
        self.events.request.add_listener(self._stats_listener)
        self.record_request = SampleRecorder(self.stats, self.events.request, self._stats_listener)
        """Where every session reports each request: one object shared by all of them (bytes per
        user at 100,000 users), straight into the stats unless other ``request`` listeners exist."""
        self._drop_zero_weight_classes()
        self._refuse_same_names()
        if tags is not None or exclude_tags is not None:
            self._filter_tasks_by_tags()
        if shape_class is not None and not isinstance(shape_class, LoadTestShape):
            raise ValueError(  # a class given where an instance is wanted is the common slip
                "shape_class should be instance of LoadTestShape or subclass LoadTestShape, "
                f"but got: {shape_class}"
            )
        if self.host:
            for user_class in self.user_classes:
                user_class.host = self.host

    def _drop_zero_weight_classes(self) -> None:
        kept = [c for c in self.user_classes if c.weight > 0 or c.fixed_count > 0]
        if self.user_classes and not kept:
            raise ValueError("There are no users with weight > 0.")  # Locust's words
        self.user_classes = kept

    def _refuse_same_names(self) -> None:
        """Classes are told apart by name (-u per class, the web UI, the CSV): two with one name
        cannot run together. Locust's check and words."""
        names = [c.__name__ for c in self.user_classes]
        clashing = [c for c in self.user_classes if names.count(c.__name__) > 1]
        if clashing:
            fullnames = ", ".join(c.fullname() for c in clashing)
            raise ValueError(f"The following user classes have the same class name: {fullnames}")

    def _filter_tasks_by_tags(self) -> None:
        """Keep the tasks ``tags`` select and ``exclude_tags`` do not (Locust's Environment does it
        for library scripts too, not only for ``-T``/``-E``)."""
        from horde.user.task import filter_tasks_by_tags

        tags = set(self.tags) if self.tags is not None else None
        exclude = set(self.exclude_tags) if self.exclude_tags is not None else None
        checked: dict[Any, bool] = {}
        for user_class in self.user_classes:
            filter_tasks_by_tags(user_class, tags, exclude, checked)

    @property
    def user_classes_by_name(self) -> dict[str, type[User]]:
        return {c.__name__: c for c in self.user_classes}

    # Request reporting: the hot path of every sample ------------------------------------------
    def _on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int,
        exception: Any = None,
        response: Any = None,
        **_: Any,
    ) -> None:
        self.stats.record_sample(request_type, name, response_time, response_length, response, exception)

    # Runners -----------------------------------------------------------------------------------
    def create_local_runner(self) -> LocalRunner:
        from horde.runtime.runner import LocalRunner

        return self._take_runner(LocalRunner(self))

    def create_master_runner(self, master_bind_host: str = "*", master_bind_port: int = 5557) -> Any:
        """Locust's: a master for workers to connect to (it binds when it serves)."""
        from horde.distributed.master import MasterRunner  # the layer above: imported when called

        return self._take_runner(MasterRunner(self, master_bind_host, master_bind_port))

    def create_worker_runner(self, master_host: str, master_port: int) -> Any:
        """Locust's: a worker of the master at ``master_host:master_port`` (connects when it serves)."""
        from horde.distributed.worker import WorkerRunner

        return self._take_runner(WorkerRunner(self, master_host, master_port))

    def _take_runner(self, runner: Any) -> Any:
        if self.runner is not None:
            raise RunnerAlreadyExistsError(f"Environment.runner already exists ({self.runner})")
        self.runner = runner
        if self.web_ui is not None:  # serving already: it pushes this runner's ticks
            self.web_ui.attach(runner)
        return runner

    def create_web_ui(
        self,
        host: str = "127.0.0.1",
        port: int = 8089,
        web_base_path: str | None = None,
        delayed_start: bool = False,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        **_: Any,
    ) -> Any:
        """Locust's library entry point to the web UI (``environment.web_ui``).

        It starts serving at once (unless ``delayed_start``) on the running event loop, or, from a
        script under gevent as in Locust's library examples, as soon as gevent's hub runs. Without
        either, ``await web_ui.start()`` on the loop. ``web_ui.stop()`` blocks in sync code.
        """
        from horde.web.server import WebUI  # the web stack is only imported by those who serve it

        web_ui = WebUI(
            self, host, port, base_path=web_base_path or "", tls_cert=tls_cert or "", tls_key=tls_key or ""
        )
        self.web_ui = web_ui
        if not delayed_start:
            try:
                loop = event_loop()
            except RuntimeError:
                return web_ui
            web_ui.start_task = loop.create_task(web_ui.start())
        return web_ui

    def update_user_class(self, user_settings: dict[str, Any]) -> None:
        """Set attributes on a user class by name (Locust's ``--config-users`` / UI edits)."""
        settings = dict(user_settings)
        name = settings.pop("user_class_name")
        user_class = self.available_user_classes.get(name) or next(
            (c for c in self.user_classes if c.__name__ == name), None
        )
        if user_class is None:
            raise ValueError(f"Unknown user class '{name}'")
        for key, value in settings.items():
            setattr(user_class, key, value)

    def assign_equal_weights(self) -> None:
        """``--equal-weights``: every class weight 1, tasks flattened to their distinct callables."""
        from horde.user.task import TaskSet

        for user_class in self.user_classes:
            user_class.weight = 1
            leaves: list[Any] = []
            pending = list(user_class.tasks)
            while pending:
                entry = pending.pop(0)
                if isinstance(entry, type) and issubclass(entry, TaskSet):
                    pending.extend(entry.tasks)
                elif entry not in leaves:
                    leaves.append(entry)
            user_class.tasks = leaves
