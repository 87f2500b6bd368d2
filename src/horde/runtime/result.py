"""A test's result, as every output renders it: the console's final tables, ``--json``, the
summary JSON, the HTML report, and the web UI's downloads (later the run history). The runner
makes it (:meth:`~horde.runtime.runner.Runner.result`), so the outputs agree on what ran."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from horde.runtime.health import HealthMonitor
    from horde.stats.request_stats import RequestStats
    from horde.stats.series import NameSeries
    from horde.stats.thresholds import ThresholdResult
    from horde.user.users import User


@dataclass(frozen=True)
class RunInfo:
    """What the outputs say about the run itself (all optional)."""

    locustfile: str | None = None
    host: str | None = None
    users: int | None = None  # the last target count
    spawn_rate: float | None = None
    run_time_s: float | None = None  # the requested limit
    start_epoch: float | None = None
    end_epoch: float | None = None
    exit_code: int | None = None
    arrival_rate: str | None = None  # an open-model run's plan, as the log says it
    arrival_process: str | None = None
    arrivals_started: int | None = None  # arrivals that found an idle user


@dataclass(frozen=True)
class LostWorker:
    """A worker that went missing during a distributed test (silent, not quit)."""

    client_id: str
    epoch: float
    back_epoch: float | None = None
    """When it was heard again (a network cut that healed), if it was."""


@dataclass(frozen=True)
class RunResult:
    info: RunInfo
    stats: RequestStats
    exceptions: Mapping[Any, Mapping[str, Any]]
    health: HealthMonitor
    series: NameSeries
    """Each request name's time series (empty unless the runner kept them: web UI, ``--html``)."""
    user_classes: Sequence[type[User]]
    profile: str | None = None
    lost_workers: Sequence[LostWorker] = ()
    thresholds: Sequence[ThresholdResult] = ()
    """Each threshold's observed value and whether it passed (``--threshold``)."""
    outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """What each live output delivered, by name (``influxdb``: points written and dropped)."""
    comparison: Mapping[str, Any] | None = None
    """``--baseline``: how this run compares with a recorded one, per request name."""
