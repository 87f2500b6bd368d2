"""Reports between processes: Horde's codec merges exactly, Locust's as Locust's master would."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from horde.stats import RequestStats
from horde.stats.percentiles import PERCENTILES_TO_REPORT
from horde.stats.report import HORDE_KEY, PLANNED_KEY, StatsReport, from_wire, to_horde, to_locust

NAMES = [("GET", "/"), ("GET", "/item"), ("POST", "/buy")]

Sample = tuple[int, float, bool]  # (name index, response time in ms, failed)


def record(stats: RequestStats, samples: list[Sample]) -> None:
    for index, ms, failed in samples:
        method, name = NAMES[index]
        stats.record(method, name, ms, 100, RuntimeError(f"{name} failed") if failed else None)


def percentiles(stats: RequestStats) -> dict[str, list[float]]:
    shown = list(PERCENTILES_TO_REPORT)
    rows = {"Aggregated": stats.total.get_response_time_percentiles(shown)}
    for (name, method), entry in stats.entries.items():
        if entry.num_requests:
            rows[f"{method} {name}"] = entry.get_response_time_percentiles(shown)
    return rows


def counts(stats: RequestStats) -> dict[str, tuple[int, int, float | None, float]]:
    rows = {"Aggregated": stats.total}
    rows.update({f"{m} {n}": e for (n, m), e in stats.entries.items() if e.num_requests or e.num_failures})
    return {
        key: (e.num_requests, e.num_failures, e.min_response_time, e.max_response_time)
        for key, e in rows.items()
    }


def through_workers(samples: list[Sample], workers: int, seed: int) -> RequestStats:
    """The samples dealt at random over ``workers`` processes, each reporting twice (a delta each
    time) in Horde's codec to one master."""
    dealer = random.Random(seed)
    shares: list[list[Sample]] = [[] for _ in range(workers)]
    for sample in samples:
        shares[dealer.randrange(workers)].append(sample)
    master = RequestStats()
    for share in shares:
        worker = RequestStats()
        half = len(share) // 2
        for part in (share[:half], share[half:]):
            record(worker, part)
            from_wire(to_horde(StatsReport.take(worker))).merge_into(master)
        assert worker.num_requests == 0 and not worker.errors  # each report took its delta
    return master


samples_strategy = st.lists(
    st.tuples(
        st.integers(0, len(NAMES) - 1),
        st.floats(0.001, 600_000, allow_nan=False, allow_infinity=False),
        st.booleans(),
    ),
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(samples=samples_strategy, seed=st.integers(0, 2**16))
def test_the_same_samples_over_1_2_and_5_workers_give_the_percentiles_of_one_process(
    samples: list[Sample], seed: int
) -> None:
    alone = RequestStats()
    record(alone, samples)
    for workers in (1, 2, 5):
        master = through_workers(samples, workers, seed)
        assert percentiles(master) == percentiles(alone)
        assert counts(master) == counts(alone)
        assert {k: e.occurrences for k, e in master.errors.items()} == {
            k: e.occurrences for k, e in alone.errors.items()
        }


def test_locusts_codec_is_locusts_message_and_a_horde_master_reads_it_rounded() -> None:
    worker = RequestStats()
    samples = [(i % 3, 1.0 + i * 7.3, i % 10 == 0) for i in range(500)]
    record(worker, samples)
    alone = RequestStats()
    record(alone, samples)
    data = to_locust(StatsReport.take(worker))
    assert set(data) == {"stats", "stats_total", "errors"}  # what a Locust master reads
    assert data["stats_total"]["num_requests"] == 500 and data["stats_total"]["num_failures"] == 50
    assert sum(len(row["response_times"]) for row in data["stats"]) > 0
    master = RequestStats()
    from_wire(data).merge_into(master)
    assert counts(master)["Aggregated"][:2] == (500, 50)
    assert master.total.get_response_time_percentile(0.95) == pytest.approx(
        alone.total.get_response_time_percentile(0.95), rel=0.01
    )
    horde = to_horde(StatsReport.take(alone))
    assert set(horde) == {"stats", "stats_total", "errors", HORDE_KEY}  # one key a Locust master ignores
    assert [row["response_times"] for row in horde["stats"]] == [{}, {}, {}]  # the compact form instead


def test_a_malformed_report_is_refused() -> None:
    worker = RequestStats()
    record(worker, [(0, 5.0, False), (1, 6.0, False)])
    data = to_horde(StatsReport.take(worker))
    with pytest.raises(ValueError, match="1 histograms for 2 entries"):
        from_wire({**data, HORDE_KEY: data[HORDE_KEY][:1]})
    with pytest.raises(ValueError):
        from_wire({**data, HORDE_KEY: [b"\x00garbage", b""]})


def test_latency_from_the_planned_start_travels_in_horde_s_codec() -> None:
    """A worker's paced users record it; its master merges it exactly, name by name."""
    worker = RequestStats()
    record(worker, [(0, 5.0, False), (1, 6.0, False)])
    planned = worker.get("/item", "GET").planned = worker.get("/item", "GET").response_times.copy()
    planned.record_ms(900.0)
    data = to_horde(StatsReport.take(worker))
    assert data[PLANNED_KEY][0] is None and data[PLANNED_KEY][1] is not None
    master = RequestStats()
    from_wire(data).merge_into(master)
    merged = master.get("/item", "GET").planned
    assert merged is not None and merged.count == 2 and merged.max_us == 900_000
    assert master.get("/", "GET").planned is None
    assert master.total.planned is not None and master.total.planned.count == 2
    assert PLANNED_KEY not in to_horde(StatsReport.take(worker))  # nothing planned: no key
    with pytest.raises(ValueError, match="1 planned histograms for 2 entries"):
        from_wire({**data, PLANNED_KEY: data[PLANNED_KEY][:1]})
