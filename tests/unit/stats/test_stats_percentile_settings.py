"""The percentile settings a locustfile may patch are checked before a run, in Locust's words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from horde.exception import UsageError
from horde.stats import percentiles


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    chart, statistics = percentiles.PERCENTILES_TO_CHART, percentiles.PERCENTILES_TO_STATISTICS
    yield
    percentiles.PERCENTILES_TO_CHART, percentiles.PERCENTILES_TO_STATISTICS = chart, statistics


def test_the_defaults_and_fractions_given_as_strings_pass() -> None:
    percentiles.validate_settings()
    percentiles.PERCENTILES_TO_STATISTICS = ["0.9", 0.999]
    percentiles.validate_settings()


@pytest.mark.parametrize("bad", [0, 1, 1.2, -0.5, "x", None])
def test_a_value_outside_zero_to_one_is_refused(bad: object) -> None:
    percentiles.PERCENTILES_TO_STATISTICS = [0.5, bad]  # type: ignore[list-item]
    with pytest.raises(UsageError, match=r"^stats.PERCENTILES_TO_STATISTICS parameter need to be float"):
        percentiles.validate_settings()


def test_at_most_six_charted() -> None:
    percentiles.PERCENTILES_TO_CHART = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    with pytest.raises(UsageError, match="maximum of 6"):
        percentiles.validate_settings()
