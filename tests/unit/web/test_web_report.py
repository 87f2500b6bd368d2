"""The HTML report's data and document, the display histogram, and the log buffer."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.stats.histogram import Histogram
from horde.user.task import task
from horde.user.users import User
from horde.web import payloads
from horde.web.logs import MAX_LINES, LogBuffer
from horde.web.report import html_file_name, render_report, report_data


class Shopper(User):
    @task(3)
    def browse(self) -> None:
        pass

    @task
    def buy(self) -> None:
        pass


def finished_environment() -> Environment:
    environment = Environment(user_classes=[Shopper], events=Events(), host="http://127.0.0.1:1")
    runner = environment.create_local_runner()
    runner.keep_series = True  # as with --html
    stats = runner.stats
    for second in range(1, 4):
        for n in range(1, 101):
            stats.record("GET", "/item</script><b>", n / 10, 50, None)
        stats.record("POST", "/buy", 20.0, 10, RuntimeError("payment declined"))
        runner.snapshot(stats.start_time + second)  # the ticker's, once a second
    runner.log_exception("local", "ZeroDivisionError: division by zero", '  File "x.py", line 3\n')
    return environment


def embedded(html: str) -> Any:
    found = re.search(r'<script id="horde-report" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_the_report_is_one_file_with_its_data_inside() -> None:
    environment = finished_environment()
    html = render_report(report_data(environment.runner.result()))
    assert "<script src" not in html and "<link" not in html  # nothing to fetch: opens offline
    assert "</script><b>" not in html  # a name cannot end the data element early
    data = embedded(html)
    names = [row[1] for row in data["stats"]["rows"]]
    assert names == ["/buy", "/item</script><b>"]
    assert data["stats"]["total"][2] == 303
    assert data["percentiles"]["columns"] == [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0]
    item = next(row for row in data["percentiles"]["rows"] if row[1] == "/item</script><b>")
    assert item[3] == pytest.approx(5.0, rel=0.01)  # the median of 0.1 .. 10 ms
    assert data["failures"] == [
        {"method": "POST", "name": "/buy", "error": "RuntimeError('payment declined')", "occurrences": 3}
    ]
    assert data["exceptions"][0]["msg"] == "ZeroDivisionError: division by zero"
    assert len(data["history"]) == 3
    busiest = data["entries"][0]
    assert busiest["name"] == "/item</script><b>"
    assert busiest["series"]["rps"] == [100.0, 100.0, 100.0]
    assert data["ratios"]["per_class"]["Shopper"]["tasks"]["browse"]["ratio"] == 0.75
    assert len(html) < 200_000  # Locust's is ~950 KB
    assert data["thresholds"] == []  # none given


def test_the_report_lists_each_threshold_judged() -> None:
    from dataclasses import replace

    from horde.stats.thresholds import evaluate, parse_all

    result = finished_environment().runner.result()
    judged = evaluate(parse_all(["/buy:fail_ratio<0.01", "p50<1s"]), result.stats)
    data = embedded(render_report(report_data(replace(result, thresholds=judged))))
    assert [(row["expression"], row["passed"], row["unit"]) for row in data["thresholds"]] == [
        ("/buy:fail_ratio<0.01", False, ""),
        ("p50<1s", True, "ms"),
    ]


def test_report_file_names_like_locust() -> None:
    assert html_file_name("r_{u}_{r}_{t}.html", 50, 5.0, 300) == "r_50_5_300.html"
    assert html_file_name("r_{u}_{r}.html", 50, 2.5, None) == "r_50_2.5.html"
    assert html_file_name("r_{t}.html", None, None, None) == "r_{t}.html"


def test_display_distribution_keeps_every_sample_and_exact_percentiles() -> None:
    histogram = Histogram()
    for value in range(100, 100_001, 100):  # 0.1 ms .. 100 ms
        histogram.record(value)
    shown = payloads.distribution(histogram, bins=40)
    assert shown["count"] == 1000
    assert sum(n for _, _, n in shown["buckets"]) == 1000
    assert len(shown["buckets"]) <= 40
    lows = [low for low, _, _ in shown["buckets"]]
    assert lows == sorted(lows) and lows[0] == pytest.approx(0.1)
    assert dict(shown["percentiles"])[0.5] == pytest.approx(50.0, rel=0.005)
    spectrum = shown["spectrum"]
    assert [p for p, _ in spectrum][:3] == pytest.approx([0.0, 1 - 10 ** (-1 / 8), 1 - 10 ** (-2 / 8)])
    assert spectrum[-1] == [1.0, 100.0]  # ends at the maximum
    values = [value for _, value in spectrum]
    assert values == sorted(values) and values[0] == pytest.approx(0.1)
    assert payloads.distribution(Histogram())["buckets"] == []


def test_the_log_buffer_keeps_the_newest_lines() -> None:
    buffer = LogBuffer(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("horde.test.logbuffer")
    logger.addHandler(buffer)
    logger.propagate = False
    try:
        for n in range(MAX_LINES + 20):
            logger.warning("line %d", n)
    finally:
        logger.removeHandler(buffer)
    assert len(buffer.lines) == MAX_LINES
    assert buffer.lines[0] == "WARNING line 20" and buffer.lines[-1] == f"WARNING line {MAX_LINES + 19}"
    assert buffer.emitted == MAX_LINES + 20
