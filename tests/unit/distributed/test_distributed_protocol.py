"""Locust's master/worker frames: the wire format, the typed messages, and what garbage does."""

from __future__ import annotations

import datetime

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from horde.distributed import protocol
from horde.distributed.protocol import (
    HEALTH_KEY,
    Heartbeat,
    Message,
    ProtocolError,
    Spawn,
    SpawningComplete,
    Stats,
    decode,
    encode,
)
from horde.runtime.health import Thresholds, WindowSample, judge
from horde.stats import RequestStats
from horde.stats.report import HORDE_KEY, StatsReport


def test_a_frame_is_the_msgpack_of_type_data_and_node_id_as_locust_sends_it() -> None:
    when = datetime.datetime(2026, 12, 6, 21, 45, 0, 123456)
    message = Message("custom", {"at": when, 7: b"\x00bytes", "nested": [1.5, None, True]}, "host_ab12")
    frame = encode(message)
    # What a Locust peer unpacks: the tuple, and Locust's datetime hook format.
    assert msgpack.unpackb(frame, raw=False, strict_map_key=False) == [
        "custom",
        {
            "at": {"__datetime__": True, "as_str": "20261206T21:45:00.123456"},
            7: b"\x00bytes",
            "nested": [1.5, None, True],
        },
        "host_ab12",
    ]
    assert decode(frame) == message
    # And a frame as Locust packs one (msgpack.dumps of the tuple) decodes the same.
    assert decode(msgpack.dumps(("client_ready", "2.47.0", "w1"))) == Message("client_ready", "2.47.0", "w1")


def test_an_object_id_without_bson_installed_arrives_as_its_hex_string() -> None:
    frame = msgpack.packb(("custom", {"__ObjectId__": True, "as_str": "65f0a1b2c3d4e5f607182930"}, "w1"))
    assert decode(frame).data == "65f0a1b2c3d4e5f607182930"


def test_what_msgpack_cannot_carry_is_refused_when_sending() -> None:
    with pytest.raises(TypeError, match="cannot send a set"):
        encode(Message("custom", {1, 2}, "w1"))


@settings(max_examples=300, deadline=None)
@given(frame=st.binary(max_size=200))
def test_garbage_frames_raise_only_protocol_errors(frame: bytes) -> None:
    try:
        message = decode(frame)
    except ProtocolError:
        return
    assert isinstance(message.type, str) and isinstance(message.node_id, str)


def test_truncated_wrong_shaped_and_oversized_frames_are_protocol_errors() -> None:
    frame = encode(Message("heartbeat", {"state": "running", "current_cpu_usage": 3.5}, "w1"))
    for cut in range(len(frame)):
        with pytest.raises(ProtocolError):
            decode(frame[:cut])
    for value in ([1, 2, 3], ["stats", {}], {"type": "stats"}, ["stats", None, 5], "x" * 100):
        with pytest.raises(ProtocolError, match="not a \\(type, data, node_id\\) message"):
            decode(msgpack.packb(value))
    with pytest.raises(ProtocolError, match="not a msgpack frame"):
        decode(msgpack.packb(("custom", {"__datetime__": True, "as_str": "yesterday"}, "w1")))
    with pytest.raises(ProtocolError, match="over the limit of 100"):
        decode(b"\x93" + b"\xa0" * 200, max_size=100)
    assert protocol.MAX_FRAME == 64 * 1024 * 1024


def test_typed_messages_go_through_the_wire_and_refuse_malformed_data() -> None:
    heartbeat = Heartbeat("running", 12.5, 50_000_000)
    spawn = Spawn(1_765_000_000.5, {"Shopper": 3, "Admin": 1}, "http://127.0.0.1:8080", 5.0, {"users": 4})
    complete = SpawningComplete({"Shopper": 3, "Admin": 1}, 4)
    for typed in (heartbeat, spawn, complete):
        data = decode(encode(Message("t", typed.to_data(), "w1"))).data
        assert type(typed).from_data(data) == typed
    assert Spawn.from_data({"timestamp": 1, "user_classes_count": {"A": 2}}) == Spawn(1.0, {"A": 2})
    with pytest.raises(ProtocolError, match="'state' must be a string"):
        Heartbeat.from_data({"state": 3, "current_cpu_usage": 1, "current_memory_usage": 2})
    with pytest.raises(ProtocolError, match="expected user counts by class name"):
        Spawn.from_data({"timestamp": 1, "user_classes_count": {"A": -1}})
    with pytest.raises(ProtocolError, match="'timestamp' must be a number"):
        Spawn.from_data({"timestamp": "soon", "user_classes_count": {}})
    with pytest.raises(ProtocolError, match="expected a map"):
        SpawningComplete.from_data(["A", 1])


def test_a_stats_message_carries_the_report_the_counts_and_custom_data_in_either_codec() -> None:
    worker = RequestStats()
    for i in range(200):
        worker.record("GET", "/item", 1.0 + i, 10, RuntimeError("no stock") if i % 50 == 0 else None)
    stats = Stats(StatsReport.take(worker), {"Shopper": 2}, 2, {"my_counter": 17})
    for exact in (True, False):
        data = decode(encode(Message("stats", stats.to_data(exact), "w1"))).data
        assert (HORDE_KEY in data) is exact  # a Locust master gets Locust's message
        received = Stats.from_data(data)
        assert (received.user_classes_count, received.user_count, received.extra) == (
            {"Shopper": 2},
            2,
            {"my_counter": 17},
        )
        master = RequestStats()
        received.report.merge_into(master)
        assert (master.num_requests, master.num_failures) == (200, 4)
        assert master.total.get_response_time_percentile(0.99) == pytest.approx(199.0, rel=0.01)
    with pytest.raises(ProtocolError, match="stats: "):
        Stats.from_data({"stats": [{"name": "/x"}]})  # an entry without its method
    with pytest.raises(ProtocolError, match="histograms for"):
        Stats.from_data({"stats": [], HORDE_KEY: [b"x"]})


def test_a_stats_message_carries_the_generator_health_windows_to_a_horde_master_only() -> None:
    window = judge(WindowSample(0.0, 10.0, 9.5, None), Thresholds(), 2)  # CPU 95%: limited
    stats = Stats(StatsReport([], {}), {}, 0, {}, (1_000.5, [window]))
    assert Stats.from_data(decode(encode(Message("stats", stats.to_data(True), "w"))).data).health == (
        1_000.5,
        [window],
    )
    assert HEALTH_KEY not in stats.to_data(exact=False)  # Locust's masters get Locust's message
    for bad in ({"start": 1.0}, {"start": 1.0, "windows": [{"cpu_percent": 1}]}, {"windows": []}, [1]):
        with pytest.raises(ProtocolError, match="stats: "):
            Stats.from_data({"stats": [], HEALTH_KEY: bad})


def test_spawn_orders_carry_the_options_but_never_the_secrets() -> None:
    from types import SimpleNamespace

    from horde.distributed.master import _primitive_options

    options = SimpleNamespace(
        master_secret="s3cret",
        web_token="t",
        web_user="u:p",
        num_users=3,
        tags=["a"],
        host=None,
        obj=object(),
    )
    assert _primitive_options(options) == {"num_users": 3, "tags": ["a"], "host": None}
