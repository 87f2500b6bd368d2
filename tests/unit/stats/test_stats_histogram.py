"""Histogram: accuracy against exact nearest-rank percentiles, merge, subtract, encoding."""

from __future__ import annotations

import copy
import math
import pickle
import random
from collections import Counter

import pytest
from librt.vecs import vec
from mypy_extensions import u8

from horde.stats.histogram import (
    LINEAR_LIMIT,
    MAX_INDEX,
    MAX_VALUE_US,
    PENDING_MAX,
    Histogram,
    _fold_each,
    _fold_marked,
    bucket_bounds,
    bucket_index,
    bucket_value,
)

PERCENTILES = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999]


def exact_percentile(ordered: list[int], p: float) -> int:
    """Nearest rank: the smallest value with at least ceil(p*N) samples at or below it."""
    rank = max(1, math.ceil(p * len(ordered) - 1e-9))
    return ordered[rank - 1]


def uniform(rng: random.Random, n: int) -> list[int]:
    return [rng.randrange(0, 2_000_000) for _ in range(n)]


def lognormal(rng: random.Random, n: int) -> list[int]:
    return [int(rng.lognormvariate(9.5, 1.0)) for _ in range(n)]  # median ~13 ms


def bimodal(rng: random.Random, n: int) -> list[int]:
    """70 % around 0.8 ms, 30 % around 250 ms."""
    return [int(rng.gauss(800, 50) if rng.random() < 0.7 else rng.gauss(250_000, 20_000)) for _ in range(n)]


def wide(rng: random.Random, n: int) -> list[int]:
    """Log-uniform from 1 µs to 60 s."""
    return [int(math.exp(rng.uniform(0, math.log(60_000_000)))) for _ in range(n)]


@pytest.mark.parametrize("distribution", [uniform, lognormal, bimodal, wide])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_percentile_is_within_one_percent_of_exact(distribution, seed):
    rng = random.Random(seed)
    values = [max(0, v) for v in distribution(rng, 20_000)]
    histogram = Histogram()
    for value in values:
        histogram.record(value)
    ordered = sorted(values)
    got = histogram.percentiles(PERCENTILES)
    for p, value in zip(PERCENTILES, got, strict=True):
        expected = exact_percentile(ordered, p)
        assert abs(value - expected) <= 0.01 * expected, (p, value, expected)
        assert abs(value - expected) <= expected / 256 + 1, "bucket middles are within 1/256"
    assert histogram.percentile(0.0) == ordered[0]
    assert histogram.percentile(1.0) == ordered[-1]
    assert (histogram.count, histogram.min_us, histogram.max_us) == (len(values), ordered[0], ordered[-1])


def test_percentiles_never_leave_the_exact_range():
    histogram = Histogram()
    for value in (100_001, 100_003, 100_007):  # all in one bucket wider than 1 µs
        histogram.record(value)
    for p in (0.0, 0.01, 0.5, 0.99, 1.0, 1.5):
        assert 100_001 <= histogram.percentile(p) <= 100_007
    assert histogram.percentile(1.0) == 100_007
    assert histogram.percentile(0.0) == 100_001


def test_values_below_the_linear_limit_are_exact():
    histogram = Histogram()
    values = list(range(LINEAR_LIMIT))
    for value in values:
        histogram.record(value)
    for p in (0.1, 0.37, 0.5, 0.9):
        assert histogram.percentile(p) == exact_percentile(values, p)
    assert [value for value, _ in histogram.buckets()] == values


def test_bucket_numbering_is_contiguous_and_consistent():
    previous_upper = -1
    for index in range(MAX_INDEX + 1):
        lower, upper = bucket_bounds(index)
        assert lower == previous_upper + 1
        assert bucket_index(lower) == index and bucket_index(upper) == index
        middle = bucket_value(index)
        assert lower <= middle <= upper
        assert middle - lower <= lower / 256 + 1 and upper - middle <= lower / 256
        previous_upper = upper
    assert previous_upper == MAX_VALUE_US
    assert MAX_VALUE_US > 3_600 * 1_000_000  # covers at least an hour


def test_out_of_range_values_are_clamped_and_counted_never_raised():
    histogram = Histogram()
    histogram.record(MAX_VALUE_US * 10)
    histogram.record(-5)
    histogram.record_many(MAX_VALUE_US + 1, 3)
    assert histogram.clamped == 4
    assert histogram.count == 5
    assert histogram.max_us == MAX_VALUE_US
    assert histogram.min_us == 0
    assert len(histogram) == 2


def test_empty_histogram():
    histogram = Histogram()
    assert (histogram.count, histogram.min_us, histogram.max_us, len(histogram)) == (0, 0, 0, 0)
    assert not histogram
    assert histogram.percentile(0.5) == 0
    assert histogram.percentiles([0.0, 1.0]) == [0, 0]
    assert histogram.buckets() == []
    assert histogram.mean_us() == 0.0
    assert Histogram.decode(histogram.encode()) == histogram


def test_storage_turns_dense_for_busy_histograms_and_stays_equal():
    rng = random.Random(5)
    values = lognormal(rng, 5_000)
    dense, sparse = Histogram(), Histogram()
    for value in values:
        dense.record(value)
    assert isinstance(dense._counts, list)
    for index, count in dense.bucket_counts().items():
        sparse._counts[index] = count  # type: ignore[index]
    sparse._min, sparse._max, sparse._total = dense._min, dense._max, dense._total
    assert isinstance(sparse._counts, dict)
    assert sparse == dense
    assert sparse.percentiles(PERCENTILES) == dense.percentiles(PERCENTILES)
    assert len(sparse) == len(dense) and sparse.count == dense.count


def busy_histogram(hot_records: int) -> tuple[Histogram, Counter[int], int]:
    """A dense histogram (20 buckets) whose bucket at 900 µs is recorded ``hot_records`` times
    more, with the expected counts per bucket index; nothing reads it in between."""
    histogram, expected = Histogram(), Counter[int]()
    for value in [*range(300, 2_300, 100), *([900] * hot_records)]:
        histogram.record(value)
        expected[bucket_index(value)] += 1
    return histogram, expected, bucket_index(900)


def test_dense_samples_wait_in_the_pending_bytes_until_someone_reads():
    # A full byte (256 samples) goes to the list at once; the rest waits for a reader.
    histogram, expected, hot = busy_histogram(1_000)
    assert isinstance(histogram._counts, list) and len(histogram._pending) == len(histogram._counts)
    # The first 900 came while the histogram was sparse (into the dict that became the list).
    assert expected[hot] == 1_001 == 1 + 3 * (PENDING_MAX + 1) + 232
    assert histogram._counts[hot] == 1 + 3 * (PENDING_MAX + 1) and histogram._pending[hot] == 232
    assert sum(histogram._counts) + sum(histogram._pending) == histogram.count == sum(expected.values())
    assert histogram.bucket_counts() == dict(expected)
    assert histogram._counts[hot] == 1_001 and not any(histogram._pending)


@pytest.mark.parametrize("hot_records", [PENDING_MAX - 1, PENDING_MAX, PENDING_MAX + 1, 3 * PENDING_MAX + 5])
def test_pending_samples_are_seen_by_every_reader(hot_records):
    histogram, expected, hot = busy_histogram(hot_records)
    values = sorted(bucket_value(index) for index, n in expected.items() for _ in range(n))
    reference = Histogram()
    for value in values:
        reference.record_many(value, 1)
    assert histogram.count == sum(expected.values())
    assert histogram.percentiles(PERCENTILES) == reference.percentiles(PERCENTILES)
    for _ in range(PENDING_MAX + 3):  # pending again after the read folded them into the list
        histogram.record(900)
    expected[hot] += PENDING_MAX + 3
    assert len(histogram) == len(expected)
    assert dict(zip(histogram.snapshot().indexes, histogram.snapshot().counts, strict=True)) == dict(expected)
    assert Histogram.decode(histogram.encode()).bucket_counts() == dict(expected)


@pytest.mark.parametrize("fold", [_fold_each, _fold_marked])
def test_both_ways_of_folding_add_every_pending_byte_and_clear_it(fold):
    # The installed build uses one of them (compiled or not); both are tested in either build.
    rng = random.Random(5)
    pending = vec[u8]([0] * 1_000)
    for index in [0, 1, 255, 256, 998, 999, *rng.sample(range(2, 998), 60)]:
        pending[index] = rng.randrange(1, PENDING_MAX + 1)
    pending[500] = PENDING_MAX
    counts = [rng.randrange(0, 10_000) for _ in range(1_000)]
    expected = [n + p for n, p in zip(counts, pending, strict=True)]
    fold(counts, pending)
    assert counts == expected and not any(pending) and len(pending) == 1_000


@pytest.mark.parametrize("shape", ["empty", "sparse", "dense", "subtracted", "clamped"])
def test_copy_deepcopy_and_pickle_give_an_equal_histogram_that_records_on(shape):
    histogram, expected, hot = busy_histogram(300)  # dense, with samples pending
    if shape == "empty":
        histogram, expected = Histogram(), Counter[int]()
    elif shape == "sparse":
        histogram, expected = Histogram(), Counter({bucket_index(900): 1, bucket_index(5_000): 1})
        histogram.record(900)
        histogram.record(5_000)
    elif shape == "subtracted":
        earlier = histogram.copy()
        histogram.record(900)
        histogram.subtract(earlier)
        expected = Counter({hot: 1})
    elif shape == "clamped":
        histogram.record(MAX_VALUE_US + 5)
        expected[bucket_index(MAX_VALUE_US)] += 1
    for clone in (
        copy.copy(histogram),
        copy.deepcopy(histogram),
        pickle.loads(pickle.dumps(histogram)),
        copy.deepcopy({"nested": [histogram]})["nested"][0],
    ):
        assert clone == histogram and clone is not histogram
        assert clone.bucket_counts() == dict(expected) and clone.count == histogram.count
        assert (clone.min_us, clone.max_us) == (histogram.min_us, histogram.max_us)
        assert clone.clamped == histogram.clamped
        clone.record(900)  # the clone records on its own
        assert clone.count == histogram.count + 1
        assert clone.bucket_counts() == dict(expected + Counter({hot: 1}))
    assert histogram.bucket_counts() == dict(expected)


def test_pending_samples_survive_copy_merge_and_subtract():
    histogram, expected, hot = busy_histogram(700)
    clone = histogram.copy()
    assert clone.bucket_counts() == dict(expected)
    earlier = histogram.copy()
    for _ in range(600):
        histogram.record(900)
    other, other_expected, _ = busy_histogram(500)
    merged = Histogram()
    merged.merge(histogram)
    merged.merge(other)
    assert merged.bucket_counts() == {
        index: expected[index] + other_expected[index] + (600 if index == hot else 0)
        for index in expected | other_expected
    }
    histogram.subtract(earlier)
    assert histogram.bucket_counts() == {hot: 600}
    histogram.reset()
    assert len(histogram._pending) == 0 and histogram.bucket_counts() == {}
    histogram.record(900)  # sparse again: nothing goes to a pending buffer
    assert histogram.bucket_counts() == {hot: 1} and len(histogram._pending) == 0


@pytest.mark.parametrize("sizes", [(10, 10), (5_000, 10), (10, 5_000), (5_000, 5_000)])
def test_merge_equals_recording_everything_into_one(sizes):
    rng = random.Random(11)
    first, second = bimodal(rng, sizes[0]), [*wide(rng, sizes[1]), MAX_VALUE_US + 7]
    a, b, together = Histogram(), Histogram(), Histogram()
    for value in first:
        a.record(value)
        together.record(value)
    for value in second:
        b.record(value)
        together.record(value)
    a.merge(b)
    assert a == together
    assert a.percentiles(PERCENTILES) == together.percentiles(PERCENTILES)
    assert a.clamped == 1


def test_merging_an_empty_histogram_changes_nothing():
    histogram = Histogram()
    histogram.record(1234)
    before = histogram.copy()
    histogram.merge(Histogram())
    assert histogram == before
    empty = Histogram()
    empty.merge(before)
    assert empty == before


def test_subtract_leaves_what_was_recorded_since():
    rng = random.Random(3)
    early, late = lognormal(rng, 3_000), [v * 3 for v in lognormal(rng, 2_000)]
    cumulative = Histogram()
    for value in early:
        cumulative.record(value)
    snapshot = cumulative.copy()
    compact = cumulative.snapshot()
    for value in late:
        cumulative.record(value)
    only_late = Histogram()
    for value in late:
        only_late.record(value)
    for older in (snapshot, compact):
        window = cumulative.copy()
        window.subtract(older)
        assert window.bucket_counts() == only_late.bucket_counts()
        assert window.count == len(late)
        # Extremes are estimates in the buckets of the true extremes, as good as percentiles.
        assert bucket_index(window.min_us) == bucket_index(min(late))
        assert bucket_index(window.max_us) == bucket_index(max(late))
        assert abs(window.min_us - min(late)) <= min(late) / 256 + 1
        assert abs(window.max_us - max(late)) <= max(late) / 256 + 1
        for p in PERCENTILES:
            exact = exact_percentile(sorted(late), p)
            assert abs(window.percentile(p) - exact) <= 0.01 * exact


def test_subtracting_everything_leaves_an_empty_histogram_that_records_afresh():
    histogram = Histogram()
    for value in (5, 500, 50_000):
        histogram.record(value)
    histogram.subtract(histogram.copy())
    assert histogram.count == 0 and not histogram and histogram.percentile(0.5) == 0
    histogram.record(700)
    assert (histogram.min_us, histogram.max_us) == (700, 700)


def test_copy_is_independent_and_reset_empties():
    histogram = Histogram()
    histogram.record(10)
    clone = histogram.copy()
    clone.record(20)
    assert histogram.count == 1 and clone.count == 2
    clone.reset()
    assert clone == Histogram()


def test_encode_decode_round_trip_is_exact_and_compact():
    rng = random.Random(8)
    histogram = Histogram()
    for value in [*lognormal(rng, 50_000), MAX_VALUE_US + 1]:
        histogram.record(value)
    data = histogram.encode()
    restored = Histogram.decode(data)
    assert restored == histogram
    assert restored.clamped == 1
    assert restored.percentiles(PERCENTILES) == histogram.percentiles(PERCENTILES)
    assert len(data) < 4 * len(histogram) + 64  # far below 10 bytes per bucket


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01\x00", b"\x09" + bytes(26), Histogram().encode()[:-1] + b"x", Histogram().encode() + b"zz"],
)
def test_decode_rejects_malformed_data(data):
    with pytest.raises(ValueError):
        Histogram.decode(data)


def test_from_parts_checks_buckets_and_extremes():
    with pytest.raises(ValueError):
        Histogram.from_parts([(MAX_INDEX + 1, 1)], None, None)
    with pytest.raises(ValueError):
        Histogram.from_parts([(10, 1)], 11, 11)  # bucket 10 holds only the value 10
    histogram = Histogram.from_parts([(10, 2), (20, 1)], None, None)
    assert (histogram.count, histogram.min_us, histogram.max_us) == (3, 10, 20)


def test_from_dense_estimates_extremes_within_known_bounds():
    counts = [0] * (MAX_INDEX + 1)
    counts[bucket_index(1_000)] = 2
    counts[bucket_index(90_000)] = 1
    counts[5] = -1  # negative counts (a reset mid-window) read as zero
    histogram = Histogram.from_dense(counts)
    assert histogram.count == 3
    middles = (bucket_value(bucket_index(1_000)), bucket_value(bucket_index(90_000)))
    assert (histogram.min_us, histogram.max_us) == middles
    # Known bounds of the data (the cumulative min and max) win when they fall inside the bucket.
    narrowed = Histogram.from_dense(counts.copy(), lower_us=1_003, upper_us=89_700)
    assert (narrowed.min_us, narrowed.max_us) == (1_003, 89_700)


def test_buckets_and_mean_are_bucket_middles():
    histogram = Histogram()
    for value in (3, 3, 1_000_000):
        histogram.record(value)
    assert histogram.buckets() == [(3, 2), (bucket_value(bucket_index(1_000_000)), 1)]
    assert histogram.mean_us() == pytest.approx((3 + 3 + 1_000_000) / 3, rel=0.004)


@pytest.mark.parametrize("samples", [5, 31, 400, 20_000])
@pytest.mark.parametrize("seed", [3, 4])
def test_percentiles_are_the_nearest_rank_of_the_bucket_values(samples, seed):
    rng = random.Random(seed)
    histogram = Histogram()
    values = lognormal(rng, samples)
    for value in values:
        histogram.record(value)
    if samples in (5, 20_000):
        assert isinstance(histogram._counts, list) == (samples == 20_000)  # both storages are walked
    # The reference: each sample stands as its bucket's value, clamped into the exact extremes,
    # except the first and last rank, which are the exact extremes themselves.
    low, high = min(values), max(values)
    ordered = sorted(min(max(bucket_value(bucket_index(v)), low), high) for v in values)
    ps = [0.0, 0.001, 0.25, 0.5, 0.5, 0.9, 0.99, 0.999, 1.0, 0.75]  # any order, repeats allowed

    def reference(p: float) -> int:
        rank = math.ceil(p * samples - 1e-9)
        return low if rank <= 1 else high if rank >= samples else ordered[rank - 1]

    expected = [reference(p) for p in ps]
    assert histogram.percentiles(ps) == expected
    assert [histogram.percentile(p) for p in ps] == expected
    # Only upper-half ranks: the list storage is walked down from the top instead.
    high_ps = [0.99, 0.5, 0.9999, 0.75, 0.999, 1.0, 0.5, 0.95]
    assert histogram.percentiles(high_ps) == [reference(p) for p in high_ps]


def test_count_is_the_sum_of_the_buckets_after_every_kind_of_change():
    """``count`` is kept as the histogram changes, not summed when read: check it against the
    buckets after each operation that touches them, in both storages."""
    rng = random.Random(5)

    def bucket_sum(histogram: Histogram) -> int:
        return sum(n for _, n in histogram.pairs())

    small, busy = Histogram(), Histogram()
    for value in lognormal(rng, 6):
        small.record(value)
    for value in lognormal(rng, 5_000):
        busy.record(value)
    busy.record_many(MAX_VALUE_US + 5, 3)
    assert isinstance(small._counts, dict) and isinstance(busy._counts, list)
    changed = [small, busy]
    for histogram in (small.copy(), busy.copy()):
        histogram.merge(small)
        histogram.merge(busy)
        changed.append(histogram)
    for earlier, added in ((busy, 300), (small, 3)):
        # The older state has counts the later one lacks (a reset in between): buckets never
        # go below zero, so only what was there is taken away.
        older = earlier.copy()
        older.record_many(2_000_000, 7)
        window = earlier.copy()
        since = lognormal(rng, added)
        for value in since:
            window.record(value)
        window.subtract(older)
        in_the_extra_bucket = sum(bucket_index(v) == bucket_index(2_000_000) for v in since)
        assert window.count == added - min(in_the_extra_bucket, 7)
        changed.append(window)
    changed += [Histogram.decode(busy.encode()), Histogram.from_dense([0, 4, 0, 2])]
    for histogram in changed:
        assert histogram.count == bucket_sum(histogram) > 0
    cleared = busy.copy()
    cleared.reset()
    assert cleared.count == 0
    cleared.record(9)
    assert cleared.count == 1


def test_a_rank_on_a_bucket_boundary_belongs_to_the_lower_bucket():
    counts = [0] * 2_000
    counts[300] = counts[1_500] = 2
    dense = Histogram.from_dense(counts)
    sparse = Histogram.from_parts([(300, 2), (1_500, 2)], None, None)
    assert isinstance(sparse._counts, dict)
    for histogram in (dense, sparse):
        # The median's rank (2) is the count below the upper bucket: it is the lower one's value.
        assert histogram.percentiles([0.5, 0.75]) == [bucket_value(300), bucket_value(1_500)]


@pytest.mark.parametrize(("before", "after"), [(50, 20), (5_000, 3_000), (3, 2), (2_000, 0)])
def test_since_gives_what_subtract_gives(before: int, after: int) -> None:
    """The one-pass difference of dense counts and the general one agree (sparse and dense
    histograms, and nothing recorded since)."""
    rng = random.Random(before + after)
    histogram = Histogram()
    for _ in range(before):
        histogram.record(int(rng.lognormvariate(8, 1.5)))
    older = histogram.copy()
    for _ in range(after):
        histogram.record(int(rng.lognormvariate(9, 1)))
    expected = histogram.copy()
    expected.subtract(older)
    since = histogram.since(older)
    assert since.count == expected.count == after
    assert list(since.pairs()) == list(expected.pairs())
    assert (since.min_us, since.max_us) == (expected.min_us, expected.max_us)
    assert since.percentiles([0.5, 0.99]) == expected.percentiles([0.5, 0.99])
