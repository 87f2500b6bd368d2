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


def test_users_beyond_capacity_names_the_open_files_or_the_memory() -> None:
    from horde.runtime.limits import MEMORY_PER_USER, users_beyond_capacity

    plenty = 64 * 2**30
    assert users_beyond_capacity(10_000, open_files=20_000, available_memory=plenty) is None
    files = users_beyond_capacity(15_000, 5_000, open_files=20_000, available_memory=plenty)
    assert files is not None and files.startswith("20,000 users need about 20,100 open files")
    # Users of other clients hold no connection each: only their memory counts.
    assert users_beyond_capacity(15_000, 5_000, False, open_files=20_000, available_memory=plenty) is None
    memory = users_beyond_capacity(10_000_000, connections=False, available_memory=2**30)
    assert memory == (
        f"10,000,000 more users need about {10_000_000 * MEMORY_PER_USER / 2**30:,.1f} GiB (16 KiB each, "
        "as bench/memory.py measured), but 1.0 GiB is available"
    )
    assert users_beyond_capacity(-5, 100, open_files=10) is None  # fewer users: always possible
