"""Raising the open-files limit before a run, and the warning when the users cannot fit."""

from __future__ import annotations

from horde.runtime.limits import raise_open_files_limit


class FakeLimits:
    def __init__(self, soft: int, hard: int, refuse: bool = False) -> None:
        self.limits = (soft, hard)
        self.refuse = refuse

    def get(self) -> tuple[int, int]:
        return self.limits

    def set(self, limits: tuple[int, int]) -> None:
        if self.refuse:
            raise ValueError("not allowed")
        self.limits = limits


def test_soft_limit_is_raised_to_the_hard_one() -> None:
    limits = FakeLimits(1024, 65536)
    assert raise_open_files_limit(10_000, limits.get, limits.set) is None
    assert limits.limits == (65536, 65536)


def test_users_beyond_the_hard_limit_get_a_clear_warning() -> None:
    limits = FakeLimits(1024, 20_000)
    warning = raise_open_files_limit(100_000, limits.get, limits.set)
    assert limits.limits == (20_000, 20_000)
    assert warning is not None
    assert warning.startswith(
        "100,000 users need about 100,100 open files, but this process may open only 20,000"
    )
    assert "ulimit -Hn 100100" in warning


def test_unlimited_and_refused_raises() -> None:
    unlimited = FakeLimits(-1, -1)
    assert raise_open_files_limit(1_000_000, unlimited.get, unlimited.set) is None
    refused = FakeLimits(1024, 4096, refuse=True)
    warning = raise_open_files_limit(2_000, refused.get, refused.set)
    assert refused.limits == (1024, 4096) and warning is not None and "only 1,024" in warning
    assert raise_open_files_limit(None, refused.get, refused.set) is None  # e.g. a shape decides later
