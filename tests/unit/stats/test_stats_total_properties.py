"""The Aggregated row is the fold of the entries, whatever the order of recording, merging,
replacing and resetting (the merge path a master will use)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from horde.stats import RequestStats, StatsEntry

NAMES = st.sampled_from(["/a", "/b", "/c"])
METHODS = st.sampled_from(["GET", "POST"])
TIMES = st.lists(st.floats(min_value=0.01, max_value=60_000.0), max_size=5)


def detached(name: str, method: str, times: list[float], failures: int) -> StatsEntry:
    """An entry holding data that no stats object owns: what a worker's report becomes."""
    entry = StatsEntry(None, name, method)
    for time in times:
        entry.log(time, 100)
    entry.num_failures = failures
    return entry


OPERATIONS = st.one_of(
    st.tuples(
        st.just("record"), NAMES, METHODS, st.floats(min_value=0.01, max_value=60_000.0), st.booleans()
    ),
    st.tuples(st.just("record_none"), NAMES, METHODS),
    st.tuples(st.just("log_error"), NAMES, METHODS),
    st.tuples(st.just("entry_log_error"), NAMES, METHODS),
    st.tuples(st.just("entry_reset"), NAMES, METHODS),
    st.tuples(st.just("extend"), NAMES, METHODS, TIMES, st.integers(0, 3)),
    st.tuples(st.just("assign"), NAMES, METHODS, TIMES, st.integers(0, 3)),
    st.tuples(st.just("setdefault"), NAMES, METHODS, TIMES, st.integers(0, 3)),
    st.tuples(st.just("update"), NAMES, METHODS, TIMES, st.integers(0, 3)),
    st.tuples(st.just("pop"), NAMES, METHODS),
    st.tuples(st.just("reset_all")),
    st.tuples(st.just("clear_all")),
)


def apply(stats: RequestStats, operation: tuple[Any, ...]) -> None:
    kind, *args = operation
    if kind == "record":
        name, method, time, failed = args
        stats.record(method, name, time, 100, RuntimeError("boom") if failed else None)
    elif kind == "record_none":
        stats.record(args[1], args[0], None, 0, None)
    elif kind == "log_error":
        stats.log_error(args[1], args[0], "boom")
    elif kind == "entry_log_error":
        stats.get(*args).log_error("boom")
    elif kind == "entry_reset":
        stats.get(*args).reset()
    elif kind == "extend":
        stats.get(args[0], args[1]).extend(detached(*args))
    elif kind == "assign":
        stats.entries[(args[0], args[1])] = detached(*args)
    elif kind == "setdefault":
        stats.entries.setdefault((args[0], args[1]), detached(*args))
    elif kind == "update":
        stats.entries.update({(args[0], args[1]): detached(*args)})
    elif kind == "pop":
        stats.entries.pop((args[0], args[1]), None)
    elif kind == "reset_all":
        stats.reset_all()
    else:
        stats.clear_all()


@settings(max_examples=300, deadline=None)
@given(st.lists(OPERATIONS, max_size=25))
def test_the_total_is_the_fold_of_the_entries_after_every_operation(
    operations: list[tuple[Any, ...]],
) -> None:
    stats = RequestStats()
    for operation in operations:
        apply(stats, operation)
        entries = list(stats.entries.values())
        total = stats.total
        requests = sum(entry.num_requests for entry in entries)
        assert stats.num_requests == total.num_requests == requests, operation
        assert stats.num_failures == total.num_failures == sum(entry.num_failures for entry in entries)
        assert total.num_none_requests == sum(entry.num_none_requests for entry in entries)
        timed = sum(entry.response_times.count for entry in entries)
        assert total.response_times.count == timed, operation
        time_sum = sum(entry.total_response_time for entry in entries)
        assert total.total_response_time == pytest.approx(time_sum)
        if timed:
            assert total.max_response_time == max(
                e.max_response_time for e in entries if e.response_times.count
            )


def test_an_entry_taken_out_no_longer_reports_and_one_put_in_does() -> None:
    stats = RequestStats()
    stats.record("GET", "/a", 10.0, 0, None)
    taken = stats.entries.pop(("/a", "GET"))
    taken.log_error("late")  # a script still holding it
    taken.reset()
    assert (stats.num_requests, stats.num_failures) == (0, 0)
    put = detached("/b", "GET", [5.0, 7.0], 0)
    stats.entries[("/b", "GET")] = put
    put.log_error("boom")
    assert (stats.total.num_requests, stats.total.num_failures) == (2, 1)
    stats.clear_all()
    put.log_error("after clear_all")
    assert stats.num_failures == 0
