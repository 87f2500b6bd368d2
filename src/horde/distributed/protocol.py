"""Locust 2.47's master/worker messages, on the wire and as types.

A frame is the msgpack of the 3-tuple ``(type, data, node_id)``; datetimes travel as
``{"__datetime__": True, "as_str": "%Y%m%dT%H:%M:%S.%f"}`` and BSON ObjectIds as
``{"__ObjectId__": True, "as_str": hex}``, as Locust's hooks write them. A Locust master reads a
Horde worker's frames and the other way round; third-party workers (Boomer, Locust4j) speak the
same.

:func:`decode` never raises anything but :class:`ProtocolError` on what a network can deliver:
garbage, a truncated frame, a frame that is not such a tuple, or one over ``max_size`` bytes.

The typed messages below give the data of the structured message types names and checks
(``from_data`` raises ProtocolError on a malformed one); the others carry ``None`` or a plain value.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import msgpack

from horde.runtime.health import Window
from horde.stats.report import HORDE_KEY, PLANNED_KEY, StatsReport, from_wire, to_horde, to_locust

MAX_FRAME = 64 * 1024 * 1024
"""Frames above this many bytes are refused (a report of 10,000 names is a few MB)."""

_DATETIME_FORMAT = "%Y%m%dT%H:%M:%S.%f"

# Message types (Locust's names) ----------------------------------------------------------------
# Worker to master
CLIENT_READY = "client_ready"  # data: the worker's Locust version string
HEARTBEAT = "heartbeat"  # data: Heartbeat (to the master); None (the master's answer)
STATS = "stats"  # data: Stats
SPAWNING = "spawning"
SPAWNING_COMPLETE = "spawning_complete"  # data: SpawningComplete (from a worker), {"user_count"} (to one)
CLIENT_STOPPED = "client_stopped"
EXCEPTION = "exception"  # data: {"msg", "traceback"}
LOGS = "logs"  # data: {"worker_id", "logs": [lines]}
LOCUSTFILE = "locustfile"
# Master to worker
ACK = "ack"  # data: {"index": n}
SPAWN = "spawn"  # data: Spawn
STOP = "stop"
QUIT = "quit"  # both ways
RECONNECT = "reconnect"
UPDATE_USER_CLASS = "update_user_class"


class ProtocolError(ValueError):
    """A frame or a message's data that is not Locust's protocol."""


class Message(NamedTuple):
    type: str
    data: Any
    node_id: str


def encode(message: Message) -> bytes:
    return msgpack.packb((message.type, message.data, message.node_id), default=_encode_value)


def decode(frame: bytes, max_size: int = MAX_FRAME) -> Message:
    if len(frame) > max_size:
        raise ProtocolError(f"a frame of {len(frame):,} bytes is over the limit of {max_size:,}")
    try:
        value = msgpack.unpackb(frame, raw=False, strict_map_key=False, object_hook=_decode_value)
    except (ValueError, TypeError, KeyError, msgpack.UnpackException) as error:
        raise ProtocolError(f"not a msgpack frame: {error}") from None
    if not (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[2], str)
    ):
        raise ProtocolError(f"not a (type, data, node_id) message: {_preview(value)}")
    return Message(value[0], value[1], value[2])


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"__datetime__": True, "as_str": value.strftime(_DATETIME_FORMAT)}
    if type(value).__name__ == "ObjectId":  # bson's, when a locustfile sends one
        return {"__ObjectId__": True, "as_str": str(value)}
    raise TypeError(f"cannot send a {type(value).__name__} in a message")


def _decode_value(value: dict[Any, Any]) -> Any:
    if "__datetime__" in value:
        return datetime.datetime.strptime(value["as_str"], _DATETIME_FORMAT)
    if "__ObjectId__" in value:
        try:
            from bson import ObjectId
        except ImportError:
            return value["as_str"]  # without bson installed, its hex string
        return ObjectId(value["as_str"])
    return value


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# Typed messages ---------------------------------------------------------------------------------
def _mapping(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProtocolError(f"{what}: expected a map, got {_preview(data)}")
    return data


def _counts(value: Any, what: str) -> dict[str, int]:
    counts = _mapping(value, what)
    if not all(isinstance(k, str) and isinstance(n, int) and n >= 0 for k, n in counts.items()):
        raise ProtocolError(f"{what}: expected user counts by class name, got {_preview(counts)}")
    return counts


def _number(data: dict[str, Any], key: str, what: str) -> float:
    value = data.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ProtocolError(f"{what}: {key!r} must be a number, got {_preview(value)}")
    return float(value)


class _Data:
    """A typed message whose data is its fields, by name."""

    def to_data(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Heartbeat(_Data):
    """A worker's, every second."""

    state: str
    current_cpu_usage: float
    current_memory_usage: int

    @classmethod
    def from_data(cls, data: Any) -> Heartbeat:
        data = _mapping(data, HEARTBEAT)
        state = data.get("state")
        if not isinstance(state, str):
            raise ProtocolError(f"heartbeat: 'state' must be a string, got {_preview(state)}")
        cpu = _number(data, "current_cpu_usage", HEARTBEAT)
        memory = int(_number(data, "current_memory_usage", HEARTBEAT))
        return cls(state, cpu, memory)


@dataclass(frozen=True)
class Spawn(_Data):
    """The master's order: run exactly these users (the absolute count per class)."""

    timestamp: float
    user_classes_count: dict[str, int]
    host: str | None = None
    stop_timeout: float | None = None
    parsed_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Any) -> Spawn:
        data = _mapping(data, SPAWN)
        host = data.get("host")
        stop_timeout = data.get("stop_timeout")
        options = data.get("parsed_options") or {}
        if host is not None and not isinstance(host, str):
            raise ProtocolError(f"spawn: 'host' must be a string, got {_preview(host)}")
        if stop_timeout is not None and not isinstance(stop_timeout, (int, float)):
            raise ProtocolError(f"spawn: 'stop_timeout' must be a number, got {_preview(stop_timeout)}")
        return cls(
            _number(data, "timestamp", SPAWN),
            _counts(data.get("user_classes_count"), "spawn: 'user_classes_count'"),
            host,
            stop_timeout,
            _mapping(options, "spawn: 'parsed_options'"),
        )


@dataclass(frozen=True)
class SpawningComplete(_Data):
    user_classes_count: dict[str, int]
    user_count: int

    @classmethod
    def from_data(cls, data: Any) -> SpawningComplete:
        data = _mapping(data, SPAWNING_COMPLETE)
        counts = _counts(data.get("user_classes_count"), "spawning_complete: 'user_classes_count'")
        return cls(counts, int(_number(data, "user_count", SPAWNING_COMPLETE)))


HEALTH_KEY = "horde_health"
"""A Horde worker's generator-health windows, for a Horde master (Locust's ignore the key)."""


@dataclass
class Stats:
    """A worker's report: the requests since its last one, and the users it runs. ``extra``
    holds what ``report_to_master`` listeners added (Locust's custom data). ``health``: when the
    worker's health windows count from (epoch), and those closed since its last report."""

    report: StatsReport
    user_classes_count: dict[str, int]
    user_count: int
    extra: dict[str, Any] = field(default_factory=dict)
    health: tuple[float, list[Window]] | None = None

    RESERVED = (
        "stats", "stats_total", "errors", "user_classes_count", "user_count",
        HORDE_KEY, PLANNED_KEY, HEALTH_KEY,
    )  # fmt: skip

    def to_data(self, exact: bool = True) -> dict[str, Any]:
        """Horde's codec (exact histograms, health) for a Horde master, Locust's for a Locust one."""
        data = dict(self.extra)
        data.update(to_horde(self.report) if exact else to_locust(self.report))
        data["user_classes_count"] = self.user_classes_count
        data["user_count"] = self.user_count
        if exact and self.health is not None:
            started, windows = self.health
            data[HEALTH_KEY] = {"start": started, "windows": [window.to_json() for window in windows]}
        return data

    @classmethod
    def from_data(cls, data: Any) -> Stats:
        data = _mapping(data, STATS)
        try:
            report = from_wire(data)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ProtocolError(f"stats: {error}") from None
        counts = _counts(data.get("user_classes_count") or {}, "stats: 'user_classes_count'")
        user_count = int(_number(data, "user_count", STATS)) if "user_count" in data else sum(counts.values())
        extra = {key: value for key, value in data.items() if key not in cls.RESERVED}
        return cls(report, counts, user_count, extra, _health(data.get(HEALTH_KEY)))


def _health(data: Any) -> tuple[float, list[Window]] | None:
    if data is None:
        return None
    data = _mapping(data, f"stats: {HEALTH_KEY!r}")
    windows = data.get("windows")
    if not isinstance(windows, list):
        raise ProtocolError(f"stats: {HEALTH_KEY!r} needs a list of windows, got {_preview(windows)}")
    try:
        return _number(data, "start", HEALTH_KEY), [
            Window.from_json(_mapping(w, "a window")) for w in windows
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise ProtocolError(f"stats: a malformed health window: {error!r}") from None
