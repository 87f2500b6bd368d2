"""``locust.util.rounding``."""

from decimal import ROUND_HALF_UP, Decimal


def proper_round(value: float, digits: int = 0) -> float:
    """Round halves away from zero (2.5 -> 3.0), where ``round`` rounds them to even (2.0)."""
    return float(Decimal(str(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


__all__ = ("proper_round",)
