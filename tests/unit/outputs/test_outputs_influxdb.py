"""--influxdb without a server: where the lines go, and what each second's lines say."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from horde.outputs.influxdb import Destination, InfluxError, Seconds
from horde.stats.request_stats import RequestStats


def test_influxdb_1_takes_the_database_from_the_path_and_credentials_from_the_url() -> None:
    plain = Destination.from_options("http://influx:8086/horde")
    assert plain.url == "http://influx:8086/write?db=horde&precision=ms" and plain.headers == {}
    signed = Destination.from_options("https://bob:s3cret@influx:8086/horde/")
    assert signed.url.startswith("https://influx:8086/write?db=horde")
    assert signed.headers == {"Authorization": "Basic Ym9iOnMzY3JldA=="}
    assert "s3cret" not in signed.shown


def test_influxdb_2_takes_org_bucket_and_token() -> None:
    target = Destination.from_options("http://influx:8086", "acme", "load", "t0k")
    assert target.url == "http://influx:8086/api/v2/write?org=acme&bucket=load&precision=ms"
    assert target.headers == {"Authorization": "Token t0k"} and "t0k" not in target.shown


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("influx:8086/horde",), "expected a URL such as http://127.0.0.1:8086/horde"),
        (("http://influx:8086",), "for InfluxDB 1.x the path is the database"),
        (("http://influx:8086/a/b",), "for InfluxDB 1.x the path is the database"),
        (("http://influx:8086", "acme"), "InfluxDB 2.x needs --influxdb-bucket, --influxdb-token"),
    ],
)
def test_bad_options_say_what_is_missing(args: tuple[str, ...], says: str) -> None:
    with pytest.raises(InfluxError, match=says):
        Destination.from_options(*args)


def runner_with(stats: RequestStats, state: str = "running") -> SimpleNamespace:
    return SimpleNamespace(stats=stats, state=state, user_classes_count={"Shop per": 3})


def test_each_second_has_that_second_s_counts_and_times_of_each_name() -> None:
    stats = RequestStats()
    seconds = Seconds()
    for ms in (10.0, 20.0, 30.0):
        stats.record("GET", "/a b,c=d", ms, 0, None)
    first = seconds.lines(runner_with(stats), 1_000)
    assert first == [
        "horde_requests,method=GET,name=/a\\ b\\,c\\=d count=3i,failures=0i,avg=20.000,p50=20.032,p95=30.000,"
        "p99=30.000,max=30.000 1000",
        "horde_users,user_class=Shop\\ per users=3i 1000",
    ]
    stats.record("GET", "/a b,c=d", 500.0, 0, RuntimeError("slow"))
    second = seconds.lines(runner_with(stats, "stopped"), 2_000)  # no users line once stopped
    assert second == [
        "horde_requests,method=GET,name=/a\\ b\\,c\\=d count=1i,failures=1i,avg=500.000,p50=500.736,"
        "p95=500.736,p99=500.736,max=500.736 2000"
    ]
    assert seconds.lines(runner_with(stats, "stopped"), 3_000) == []  # nothing new: no point


def test_a_new_test_counts_from_zero_again() -> None:
    stats = RequestStats()
    seconds = Seconds()
    stats.record("GET", "/", 1.0, 0, None)
    stats.record("GET", "/", 1.0, 0, None)
    seconds.lines(runner_with(stats), 1_000)
    stats.clear_all()
    stats.record("GET", "/", 1.0, 0, None)
    assert seconds.lines(runner_with(stats, "stopped"), 2_000)[0].split(" ")[1].startswith("count=1i,")
