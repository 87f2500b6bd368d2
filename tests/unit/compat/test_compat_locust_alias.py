"""``import locust`` inside a Horde run resolves to Horde's modules, the very same objects."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator

import pytest

import horde
from horde.compat.hook import install, uninstall

PUBLIC_MODULES = [
    "locust",
    "locust.contrib.fasthttp",
    "locust.env",
    "locust.runners",
    "locust.exception",
    "locust.stats",
    "locust.user",
    "locust.user.task",
    "locust.user.users",
    "locust.user.wait_time",
    "locust.user.sequential_taskset",
    "locust.user.markov_taskset",
    "locust.event",
    "locust.clients",
    "locust.shape",
    "locust.debug",
    "locust.wait_time",
]


@pytest.fixture
def alias() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()


@pytest.mark.usefixtures("alias")
@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_import(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__name__.startswith("horde.compat.locust")
    assert sys.modules[name] is module


@pytest.mark.usefixtures("alias")
def test_names_are_horde_objects() -> None:
    import locust
    from locust import events
    from locust.contrib.fasthttp import FastHttpUser
    from locust.env import Environment
    from locust.exception import StopUser

    assert locust.HttpUser is horde.HttpUser
    assert FastHttpUser is horde.FastHttpUser
    assert events is horde.events
    assert Environment is horde.Environment
    assert StopUser is horde.exception.StopUser
    assert locust.__version__ == "2.47.0"
    assert set(locust.__all__) >= {"User", "HttpUser", "task", "between", "events", "LoadTestShape"}


@pytest.mark.usefixtures("alias")
def test_unknown_submodule_is_a_normal_import_error() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("locust.nonexistent")


def test_nothing_is_aliased_without_install() -> None:
    uninstall()
    if importlib.util.find_spec("locust") is not None:
        pytest.skip("real Locust is installed here")
    assert not any(name == "locust" for name in sys.modules)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("locust")


def test_horde_public_api_is_pinned() -> None:
    assert sorted(horde.__all__) == sorted(
        [
            "Environment", "FastHttpUser", "HttpUser", "LoadTestShape", "MarkovTaskSet", "SequentialTaskSet",
            "TaskSet", "User", "__version__", "between", "constant", "constant_pacing", "constant_throughput",
            "events", "poisson", "run_single_user", "sleep", "tag", "task", "transition", "transitions",
        ]
    )  # fmt: skip
