from __future__ import annotations

import pytest

from horde.timespan import format_timespan, parse_timespan


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20", 20),
        ("0", 0),
        ("20s", 20),
        ("3m", 180),
        ("2h", 7200),
        ("1h30m", 5400),
        ("3h30m10s", 12610),
        ("1H30M", 5400),
        ("90m", 5400),
        ("1h10s", 3610),
        (" 45s ", 45),
    ],
)
def test_parse_timespan_accepts_locust_forms(text: str, seconds: int) -> None:
    assert parse_timespan(text) == seconds


@pytest.mark.parametrize("text", ["", "x", "5x", "1.5h", "-5", "30m1h", "1h 30m", "s", "1d", "²", "5ss"])
def test_parse_timespan_rejects_with_a_hint(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_timespan(text)
    assert str(raised.value) == f"invalid timespan {text!r}: use e.g. 30s, 5m, 1h30m"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (60, "1m"), (3600, "1h"), (5400, "1h30m"), (12610, "3h30m10s")],
)
def test_format_timespan(seconds: int, text: str) -> None:
    assert format_timespan(seconds) == text


@pytest.mark.parametrize("seconds", [0, 1, 59, 61, 3599, 3601, 86399, 90061])
def test_format_then_parse_round_trips(seconds: int) -> None:
    assert parse_timespan(format_timespan(seconds)) == seconds


def test_format_timespan_rejects_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_timespan(-1)
