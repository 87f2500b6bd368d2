"""A log-linear latency histogram of integer microseconds (the HdrHistogram model).

Values below ``LINEAR_LIMIT`` (256 µs) each get their own bucket, so they are exact. Above that,
every power of two is cut into ``SUB_BUCKETS`` (128) equal buckets, so a bucket is at most 1/128 of
its lower bound wide. A bucket is reported by its middle value, which is within 1/256 (0.39 %) of
any value inside it; percentiles are therefore within 0.4 % of the exact nearest-rank answer, and
they are clamped into the exact [min, max].

Bucket index of a value ``v``::

    v < 256:   index = v
    otherwise: shift = v.bit_length() - 8;  index = shift * 128 + (v >> shift)

which numbers the buckets contiguously from 0 to ``MAX_INDEX`` (3839 for the 2**36 µs ceiling, about
19 hours). Values above ``MAX_VALUE_US`` land in the last bucket and are counted in ``clamped``;
negative values count as 0. Nothing raises on record.

Storage is sparse while a histogram has few buckets (a dict ``index -> count``) and turns into a
dense list indexed by bucket once it has ``DENSE_MIN_BUCKETS``: a list update is cheaper than a
dict update, and with 1,000 request names every histogram would otherwise spend its first few
hundred samples in the dict (``bench/stats_record.py --names 1000``: ~25 % of ``record``'s cost).
The list reaches to the highest bucket: ~10 KB for latencies up to 100 ms, 30 KB at most.

A dense histogram does not record into that list but into ``_pending``, one byte per bucket
(``librt.vecs``' packed ``vec[u8]``, which compiled code indexes natively), and every reader first
folds the pending counts into the list (:meth:`Histogram._fold`); a bucket's 256th pending sample
goes to the list at once. With 1,000 request names the lists are tens of megabytes touched at
random, a cache miss per update; the pending bytes are an eighth of that (``bench/README.md``:
``record()`` about twice as fast with 1,000 names). A new bucket costs no exception:
:meth:`Histogram.record` checks the index against the pending buffer's length.

``RequestStats.record`` calls :meth:`Histogram.record_ms` for every request; both are compiled
(``hatch_build.py``), so the call costs no more than the code written out would.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, count
from operator import add, sub
from typing import Final

from librt.vecs import vec
from mypy_extensions import u8

from horde.stats.histogram_codec import pack_histogram, unpack_histogram

SUB_BUCKET_BITS: Final = 7
SUB_BUCKETS: Final = 1 << SUB_BUCKET_BITS  # buckets per power of two above the linear range
LINEAR_BITS: Final = SUB_BUCKET_BITS + 1
LINEAR_LIMIT: Final = 1 << LINEAR_BITS  # 256: values below this are stored exactly
MAX_VALUE_BITS: Final = 36
MAX_VALUE_US: Final = (1 << MAX_VALUE_BITS) - 1  # ~19.1 hours
MAX_SHIFT: Final = MAX_VALUE_BITS - LINEAR_BITS
MAX_INDEX: Final = (MAX_SHIFT << SUB_BUCKET_BITS) + LINEAR_LIMIT - 1

DENSE_MIN_BUCKETS: Final = 16
"""A sparse histogram turns dense once it has this many buckets (see the module docstring)."""
_COMPILED: Final = not __file__.endswith(".py")
"""Whether this module runs compiled (``hatch_build.py``): :meth:`Histogram._fold` differs."""
_NON_ZERO: Final = bytes.maketrans(bytes(range(256)), b"\x00" + b"\x01" * 255)
PENDING_MAX: Final = 255
"""The most samples a bucket's pending byte holds; the next one moves them to the list."""

# Slack for p * N computed in binary floating point (0.95 * 100 may be 95.00000000000001).
_RANK_EPSILON: Final = 1e-9
_EMPTY_MIN: Final = MAX_VALUE_US + 1  # sentinels so record() compares without a None check
_EMPTY_MAX: Final = -1


def to_us(milliseconds: float) -> int:
    """Milliseconds to whole microseconds, rounded; NaN reads as 0 and infinity as the ceiling."""
    try:
        return int(milliseconds * 1000.0 + 0.5)
    except (ValueError, OverflowError):
        return MAX_VALUE_US + 1 if milliseconds > 0 else 0


def bucket_index(value_us: int) -> int:
    """The bucket a (non-negative, already clamped) value falls in."""
    if value_us < LINEAR_LIMIT:
        return value_us
    shift = value_us.bit_length() - LINEAR_BITS
    return (shift << SUB_BUCKET_BITS) + (value_us >> shift)


def bucket_bounds(index: int) -> tuple[int, int]:
    """The smallest and largest value (µs) that fall in bucket ``index``."""
    if index < LINEAR_LIMIT:
        return index, index
    shift = (index >> SUB_BUCKET_BITS) - 1
    lower = ((index & (SUB_BUCKETS - 1)) | SUB_BUCKETS) << shift
    return lower, lower + (1 << shift) - 1


def bucket_value(index: int) -> int:
    """The value that stands for bucket ``index``: its middle, within 1/256 of every member."""
    lower, upper = bucket_bounds(index)
    return (lower + upper + 1) >> 1


def estimated_extremes(first: int, last: int, known_min: int, known_max: int) -> tuple[int, int]:
    """Min and max when only bucket counts are known (a window of a histogram): the middles of
    the outer buckets, moved to the known bounds of the data when those lie inside the bucket.
    Like every percentile, within 1/256 of the true values."""
    low = min(max(bucket_value(first), known_min), bucket_bounds(first)[1])
    high = max(min(bucket_value(last), known_max), bucket_bounds(last)[0])
    return low, max(high, low)


def _dense(counts: dict[int, int], top: int) -> list[int]:
    """The list form of sparse ``counts`` whose highest index is ``top``."""
    dense = [0] * (top + 1)
    for index, n in counts.items():
        dense[index] = n
    return dense


def _settle(
    results: list[int],
    wanted: list[tuple[int, int]],
    found: int,
    running: int,
    value: int,
    low: int,
    high: int,
) -> int:
    """Give ``value`` (clamped into [low, high]) to every wanted rank that ``running`` reaches,
    from ``wanted[found]`` on; returns how many ranks are settled now."""
    value = low if value < low else high if value > high else value
    while found < len(wanted) and running >= wanted[found][0]:
        results[wanted[found][1]] = value
        found += 1
    return found


def _settle_down(
    results: list[int],
    wanted: list[tuple[int, int]],
    last: int,
    below: int,
    value: int,
    low: int,
    high: int,
) -> int:
    """The walk from the top's :func:`_settle`: give ``value`` to every wanted rank above
    ``below`` (the samples under this bucket), from ``wanted[last]`` down; returns the position
    of the highest rank still unsettled, -1 when none is left."""
    value = low if value < low else high if value > high else value
    while last >= 0 and wanted[last][0] > below:
        results[wanted[last][1]] = value
        last -= 1
    return last


class BucketCounts:
    """An immutable, compact copy of a histogram's occupied buckets (~10 bytes per bucket).

    The time-series windows keep one of these per change point instead of a full histogram copy.
    """

    __slots__ = ("counts", "indexes")

    def __init__(self, indexes: array[int], counts: array[int]) -> None:
        self.indexes = indexes  # ascending bucket indexes, array("H")
        self.counts = counts  # array("Q"), same length

    def pairs(self) -> Iterator[tuple[int, int]]:
        return zip(self.indexes, self.counts, strict=True)

    def __len__(self) -> int:
        return len(self.indexes)


class Histogram:
    """Counts of microsecond values in log-linear buckets; see the module docstring.

    ``count``, ``min_us`` and ``max_us`` are exact for recorded and merged histograms. An empty
    histogram reports 0 for all three and for every percentile. After :meth:`subtract`, and for
    histograms built from bucket counts alone, min and max are estimates as good as percentiles.
    """

    __slots__ = ("_counts", "_dirty", "_max", "_min", "_pending", "_total", "clamped")

    def __init__(self) -> None:
        self._counts: dict[int, int] | list[int] = {}
        # A dense histogram's recent samples, one byte per bucket of the list (none while sparse,
        # and possibly shorter than a list that merge() grew); folded in before anything reads the
        # counts. _dirty: something is pending.
        self._pending: vec[u8] = vec[u8]()
        self._dirty = False
        self._total = 0  # samples (counts plus pending), kept so that a percentile is one walk, not a sum too
        self._min = _EMPTY_MIN
        self._max = _EMPTY_MAX
        self.clamped = 0
        """How many recorded values were above ``MAX_VALUE_US`` (and stored as that value)."""

    # Recording ---------------------------------------------------------------------------------
    def record(self, value_us: int) -> None:
        """Count one value (µs): one list or dict update and two comparisons."""
        if value_us >= LINEAR_LIMIT:
            shift = value_us.bit_length() - LINEAR_BITS
            if shift > MAX_SHIFT:
                value_us = MAX_VALUE_US
                shift = MAX_SHIFT
                self.clamped += 1
            index = (shift << SUB_BUCKET_BITS) + (value_us >> shift)
        elif value_us >= 0:
            index = value_us
        else:
            index = value_us = 0
        # Compiled, the pending buffer is read and written as bytes in C; everything else (a sparse
        # histogram, a bucket above the list's end) takes the slow path, which raises nothing (a
        # histogram of one of 1,000 names meets new buckets for a long time).
        self._total += 1
        pending = self._pending
        if index < len(pending):
            had = pending[index]
            if had < PENDING_MAX:
                pending[index] = had + 1
                self._dirty = True
            else:
                self._carry(index)
        else:
            self._add_slow(index)
        if value_us < self._min:
            self._min = value_us
        if value_us > self._max:
            self._max = value_us

    def record_ms(self, milliseconds: float) -> int:
        """Count one value given in ms (see :func:`to_us`); returns it in µs, as recorded before
        any clamping, so another histogram can :meth:`record` the same value."""
        value = to_us(milliseconds)
        self.record(value)
        return value

    def record_many(self, value_us: int, times: int) -> None:
        """Count ``times`` occurrences of one value (used to rebuild from bucketed data)."""
        if times <= 0:
            return
        if value_us > MAX_VALUE_US:
            value_us = MAX_VALUE_US
            self.clamped += times
        elif value_us < 0:
            value_us = 0
        self._add(bucket_index(value_us), times)
        self._min = min(self._min, value_us)
        self._max = max(self._max, value_us)

    def _carry(self, index: int) -> None:
        """A bucket's pending byte is full: its samples and this one go to the list."""
        counts = self._counts
        if isinstance(counts, list):  # only a list has a pending buffer
            counts[index] += PENDING_MAX + 1
            self._pending[index] = 0

    def _add_slow(self, index: int) -> None:
        """One sample the pending buffer does not reach: a sparse histogram, or a bucket beyond
        the buffer (a new one, or one of a list that merge() grew)."""
        counts = self._counts
        if isinstance(counts, dict):
            n = counts.get(index)
            if n is not None:
                counts[index] = n + 1
                return
        self._add_bucket(index, 1)

    def _fold(self) -> None:
        """Add the pending samples into the list: every reader of ``_counts`` calls this first."""
        counts = self._counts
        if self._dirty and isinstance(counts, list):  # only a list has pending samples
            self._dirty = False
            if _COMPILED:
                _fold_each(counts, self._pending)
            else:
                _fold_marked(counts, self._pending)

    def _add(self, index: int, n: int) -> None:
        self._total += n
        try:
            self._counts[index] += n
        except LookupError:
            self._add_bucket(index, n)

    def _add_bucket(self, index: int, n: int) -> None:
        """A count for a bucket beyond a dense list's pending buffer, or new to a sparse dict; a
        dense histogram then gets a pending buffer as long as its (grown) list."""
        counts = self._counts
        if isinstance(counts, list):
            self._fold()
            if index >= len(counts):
                counts.extend([0] * (index + 1 - len(counts)))
            counts[index] += n
        else:
            counts[index] = n
            if len(counts) < DENSE_MIN_BUCKETS:
                return
            counts = self._counts = _dense(counts, max(counts))
        self._pending = vec[u8]([0] * len(counts))

    def set_extremes(self, min_us: int, max_us: int) -> None:
        """Replace min and max with exact values known from elsewhere (e.g. bucketed data from
        another tool whose bucket values lie outside the true extremes)."""
        if self._total and 0 <= min_us <= max_us:
            self._min = min(min_us, MAX_VALUE_US)
            self._max = min(max_us, MAX_VALUE_US)

    # Reading -----------------------------------------------------------------------------------
    def pairs(self) -> Iterator[tuple[int, int]]:
        """(bucket index, count) of the occupied buckets, ascending."""
        self._fold()
        counts = self._counts
        if isinstance(counts, list):
            return zip(compress(count(), counts), filter(None, counts), strict=True)
        return iter(sorted(counts.items()))

    @property
    def count(self) -> int:
        """Number of recorded values."""
        return self._total

    @property
    def min_us(self) -> int:
        return self._min if self._max >= 0 else 0

    @property
    def max_us(self) -> int:
        return self._max if self._max >= 0 else 0

    def __bool__(self) -> bool:
        return self._max >= 0

    def __len__(self) -> int:
        """Number of occupied buckets (not samples: see ``count``)."""
        self._fold()
        counts = self._counts
        return len(counts) - counts.count(0) if isinstance(counts, list) else len(counts)

    def percentile(self, p: float) -> int:
        """Nearest-rank percentile (µs) for ``p`` in 0..1: the smallest value with at least
        ceil(p·N) samples at or below it. ``p`` = 0 gives min, 1 gives max, empty gives 0."""
        return self.percentiles((p,))[0]

    def percentiles(self, ps: Sequence[float]) -> list[int]:
        """Several percentiles with one pass over the buckets (``ps`` in any order)."""
        total = self._total
        if not total:
            return [0] * len(ps)
        low, high = self._min, self._max
        results = [high] * len(ps)
        wanted: list[tuple[int, int]] = []  # (rank, position in ps), ascending
        for i, p in enumerate(ps):
            rank = math.ceil(p * total - _RANK_EPSILON)
            if rank <= 1:
                results[i] = low  # the smallest sample is known exactly
            elif rank < total:
                wanted.append((rank, i))  # otherwise the largest (already set)
        if not wanted:
            return results
        wanted.sort()
        self._fold()
        # One walk with a running total, to the last wanted rank. Compiled, this is a loop over C
        # integers: a report of 1,000 entries asks for their percentiles every second or two.
        counts = self._counts
        if isinstance(counts, list) and wanted[0][0] * 2 >= total:
            # Only ranks in the upper half (a report's p50 to p99.99): walk down from the highest
            # bucket, which passes far fewer buckets than the walk up from zero does for
            # latencies (most of the list below the median is empty). Rank r is in the first
            # bucket from the top at or above which more than total - r samples lie.
            last = len(wanted) - 1
            limit = total - wanted[last][0]
            above = 0
            index = len(counts)
            for n in reversed(counts):  # compiled: a C loop over the list, no index checks
                index -= 1
                above += n
                if above > limit:
                    last = _settle_down(results, wanted, last, total - above, bucket_value(index), low, high)
                    if last < 0:
                        break
                    limit = total - wanted[last][0]
            return results
        found = 0
        rank = wanted[0][0]
        running = 0
        if isinstance(counts, list):
            index = -1
            for n in counts:
                index += 1
                running += n
                if running >= rank:
                    found = _settle(results, wanted, found, running, bucket_value(index), low, high)
                    if found == len(wanted):
                        break
                    rank = wanted[found][0]
        else:
            for index in sorted(counts):
                running += counts[index]
                if running >= rank:
                    found = _settle(results, wanted, found, running, bucket_value(index), low, high)
                    if found == len(wanted):
                        break
                    rank = wanted[found][0]
        return results

    def mean_us(self) -> float:
        """Mean from bucket middles (within 0.4 % of the exact mean); 0.0 when empty."""
        total = weighted = 0
        for index, n in self.pairs():
            total += n
            weighted += bucket_value(index) * n
        return weighted / total if total else 0.0

    def buckets(self) -> list[tuple[int, int]]:
        """(bucket middle value µs, count) for every occupied bucket, ascending: chart data."""
        return [(bucket_value(index), n) for index, n in self.pairs()]

    def bucket_counts(self) -> dict[int, int]:
        """The ``bucket index -> count`` map of occupied buckets (a copy)."""
        return dict(self.pairs())

    def snapshot(self) -> BucketCounts:
        """A compact immutable copy of the buckets (extremes not included)."""
        self._fold()
        counts = self._counts
        if isinstance(counts, list):
            return BucketCounts(array("H", compress(count(), counts)), array("Q", filter(None, counts)))
        indexes = sorted(counts)
        return BucketCounts(array("H", indexes), array("Q", map(counts.__getitem__, indexes)))

    # Combining ---------------------------------------------------------------------------------
    def merge(self, other: Histogram) -> None:
        """Add ``other``'s counts into this one. Lossless: same result as recording both streams."""
        self._fold()
        other._fold()
        mine, theirs = self._counts, other._counts
        if isinstance(mine, list):
            if isinstance(theirs, list):
                if len(theirs) > len(mine):
                    mine.extend([0] * (len(theirs) - len(mine)))
                mine[: len(theirs)] = map(add, mine, theirs)
            elif theirs:
                top = max(theirs)
                if top >= len(mine):
                    mine.extend([0] * (top + 1 - len(mine)))
                for index, n in theirs.items():
                    mine[index] += n
        else:
            pairs = other.pairs() if isinstance(theirs, list) else theirs.items()
            get = mine.get
            for index, n in pairs:
                mine[index] = get(index, 0) + n
            if len(mine) >= DENSE_MIN_BUCKETS:
                self._counts = _dense(mine, max(mine))
        self._total += other._total
        if other._max >= 0:
            self._min = min(self._min, other._min)
            self._max = max(self._max, other._max)
        self.clamped += other.clamped

    def subtract(self, older: Histogram | BucketCounts) -> None:
        """Remove ``older``'s counts (an earlier state of this histogram), leaving what was
        recorded since. Buckets never go below zero. Used for the windowed "current" percentiles."""
        self._fold()
        counts = self._counts
        for index, n in older.pairs():
            try:
                had = counts[index]
            except LookupError:
                continue
            left = had - n
            self._total -= had if left < 0 else n
            if left > 0:
                counts[index] = left
            elif isinstance(counts, list):
                counts[index] = 0
            else:
                del counts[index]
        if isinstance(older, Histogram):
            self.clamped = max(0, self.clamped - older.clamped)
        self._tighten_extremes()

    def since(self, older: Histogram) -> Histogram:
        """What was recorded after ``older``, an earlier :meth:`copy` of this histogram, as a new
        histogram (extremes estimated, as :meth:`subtract` does). Dense counts take one pass: the
        per-interval outputs call this for every request name each second."""
        self._fold()
        mine, theirs = self._counts, older._counts
        if not isinstance(mine, list) or not isinstance(theirs, list) or len(theirs) > len(mine):
            result = self.copy()
            result.subtract(older)
            return result
        counts = [n if n > 0 else 0 for n in map(sub, mine, theirs)]
        counts.extend(mine[len(theirs) :])
        result = Histogram()
        result._counts = counts
        result._total = sum(counts)
        result.clamped = max(0, self.clamped - older.clamped)
        first = 0
        while first < len(counts) and not counts[first]:
            first += 1
        if first < len(counts):
            last = len(counts) - 1
            while not counts[last]:
                last -= 1
            known = (self._min, self._max) if self._max >= 0 else (0, MAX_VALUE_US)
            result._min, result._max = estimated_extremes(first, last, *known)
        return result

    def _tighten_extremes(self) -> None:
        """After removing counts the exact extremes are unknown: estimate them (see
        :func:`estimated_extremes`), using the old exact ones as bounds."""
        occupied = [index for index, _ in self.pairs()]
        if not occupied:
            self._min, self._max = _EMPTY_MIN, _EMPTY_MAX
            return
        known = (self._min, self._max) if self._max >= 0 else (0, MAX_VALUE_US)
        self._min, self._max = estimated_extremes(occupied[0], occupied[-1], *known)

    def copy(self) -> Histogram:
        self._fold()
        clone = Histogram()
        clone._counts = self._counts.copy()
        clone._total = self._total
        clone._min = self._min
        clone._max = self._max
        clone.clamped = self.clamped
        return clone

    def reset(self) -> None:
        self._counts = {}
        self._pending = vec[u8]()
        self._dirty = False
        self._total = 0
        self._min = _EMPTY_MIN
        self._max = _EMPTY_MAX
        self.clamped = 0

    # Building and serialising ------------------------------------------------------------------
    @classmethod
    def from_parts(
        cls, counts: Iterable[tuple[int, int]], min_us: int | None, max_us: int | None, clamped: int = 0
    ) -> Histogram:
        """Build from (bucket index, count) pairs. ``min_us``/``max_us`` are the exact extremes if
        known (they must fall in the lowest/highest bucket); None means "use the bucket bounds"."""
        buckets: dict[int, int] = {}
        for index, n in counts:
            if not 0 <= index <= MAX_INDEX or n < 0:
                raise ValueError(f"bad histogram bucket {index}: {n}")
            if n:
                buckets[index] = buckets.get(index, 0) + n
        histogram = cls()
        histogram._total = sum(buckets.values())
        if len(buckets) >= DENSE_MIN_BUCKETS:  # at its final size at once, not grown bucket by bucket
            dense = _dense(buckets, max(buckets))
            histogram._counts = dense
            histogram._pending = vec[u8]([0] * len(dense))
        else:
            histogram._counts = buckets
        histogram.clamped = clamped
        histogram._tighten_extremes()
        if histogram and min_us is not None and max_us is not None:
            occupied = [index for index, _ in histogram.pairs()]
            low_bucket, high_bucket = bucket_bounds(occupied[0]), bucket_bounds(occupied[-1])
            if not (low_bucket[0] <= min_us <= low_bucket[1] and high_bucket[0] <= max_us <= high_bucket[1]):
                raise ValueError(f"histogram extremes {min_us}..{max_us} do not match its buckets")
            histogram._min, histogram._max = min_us, max_us
        return histogram

    @classmethod
    def from_dense(cls, counts: list[int], lower_us: int = 0, upper_us: int = MAX_VALUE_US) -> Histogram:
        """Take over a list of counts indexed by bucket (negative counts read as 0). Extremes are
        estimated (:func:`estimated_extremes`) within the known bounds [``lower_us``, ``upper_us``]."""
        if min(counts, default=0) < 0:
            counts = [n if n > 0 else 0 for n in counts]
        histogram = cls()
        histogram._counts = counts
        histogram._total = sum(counts)
        first = next(compress(count(), counts), None)
        if first is not None:
            last = len(counts) - 1 - next(compress(count(), reversed(counts)))
            histogram._min, histogram._max = estimated_extremes(first, last, lower_us, upper_us)
        return histogram

    def encode(self) -> bytes:
        """Compact bytes for shipping between processes; see ``histogram_codec``."""
        snapshot = self.snapshot()
        return pack_histogram(snapshot.indexes, snapshot.counts, self.min_us, self.max_us, self.clamped)

    @classmethod
    def decode(cls, data: bytes) -> Histogram:
        """Rebuild a histogram from :meth:`encode` output. Raises ``ValueError`` if malformed."""
        pairs, min_us, max_us, clamped = unpack_histogram(data)
        return cls.from_parts(pairs, min_us, max_us, clamped)

    # copy.copy, copy.deepcopy and pickle (the pending buffer is neither copyable nor picklable).
    def __copy__(self) -> Histogram:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, object]) -> Histogram:
        return self.copy()

    def __reduce__(self) -> tuple[object, tuple[dict[int, int], int, int, int]]:
        return _rebuilt, (self.bucket_counts(), self._min, self._max, self.clamped)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Histogram):
            return NotImplemented
        return (
            list(self.pairs()) == list(other.pairs())
            and self.min_us == other.min_us
            and self.max_us == other.max_us
            and self.clamped == other.clamped
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Histogram(count={self.count}, min_us={self.min_us}, max_us={self.max_us})"


def _fold_each(counts: list[int], pending: vec[u8]) -> None:
    """Add every non-zero pending byte to its bucket's count and clear it: a loop over every byte,
    a C loop when compiled."""
    for i in range(len(pending)):
        n = pending[i]
        if n:
            counts[i] += n
            pending[i] = 0


def _fold_marked(counts: list[int], pending: vec[u8]) -> None:
    """:func:`_fold_each` for interpreted code, where a loop over every byte costs ~40 µs per
    histogram and a read of 1,000 entries folds 1,000 of them: C finds the non-zero bytes."""
    data = bytes(pending)
    marks = data.translate(_NON_ZERO)
    i = marks.find(1)
    while i >= 0:
        counts[i] += data[i]
        pending[i] = 0
        i = marks.find(1, i + 1)


def _rebuilt(counts: dict[int, int], min_us: int, max_us: int, clamped: int) -> Histogram:
    """Unpickle a histogram (see ``Histogram.__reduce__``)."""
    return Histogram.from_parts(counts.items(), min_us, max_us, clamped)
