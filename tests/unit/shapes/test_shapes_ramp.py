"""The ramp as a function of time: how many users are due so far."""

from __future__ import annotations

import pytest

from horde.shapes.ramp import due


@pytest.mark.parametrize(
    ("elapsed", "rate", "total", "expected"),
    [
        (0.0, 10.0, 100, 1),  # the first at once, as in Locust
        (0.0999, 10.0, 100, 1),
        (0.1, 10.0, 100, 2),  # the k-th at (k - 1) / rate
        (2.05, 10.0, 100, 21),
        (60.0, 10.0, 100, 100),  # never beyond the ramp's total
        (0.0, 10.0, 0, 0),
        (0.5, 0.5, 3, 1),  # slower than one a second
        (2.0, 0.5, 3, 2),
    ],
)
def test_users_due_so_far(elapsed: float, rate: float, total: int, expected: int) -> None:
    assert due(elapsed, rate, total) == expected
