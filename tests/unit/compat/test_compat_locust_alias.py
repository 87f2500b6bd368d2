"""``import locust`` inside a Horde run resolves to Horde's modules, the very same objects."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import horde

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
    "locust.web",
    "locust.log",
    "locust.contrib.csv_request_logger",
]


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


def python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_outside_a_horde_run_locust_is_horde_unless_a_real_one_is_installed(tmp_path: Path) -> None:
    # In fresh interpreters: horde_locust.pth installs the fallback finder at start-up, and the
    # import patches with gevent, as Locust's does.
    probe = "import locust, gevent.monkey; print(locust.__name__, gevent.monkey.is_module_patched('socket'))"
    fallback = python(probe)
    assert fallback.stdout.split() == ["horde.compat.locust", "True"], fallback.stderr

    real = tmp_path / "locust"  # a stand-in for a real Locust install: never shadowed
    real.mkdir()
    (real / "__init__.py").write_text("ORIGIN = 'real'\n")
    shadow = "import locust; print(locust.__name__, locust.ORIGIN)"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    found = subprocess.run(
        [sys.executable, "-c", shadow], capture_output=True, text=True, env=env, timeout=60
    )
    assert found.stdout.split() == ["locust", "real"], found.stderr


def test_a_folder_named_locust_does_not_shadow_horde(tmp_path: Path) -> None:
    # A project keeping its locustfiles in ./locust/, with the working directory on sys.path:
    # that folder is only a namespace portion, not a Locust install.
    (tmp_path / "locust").mkdir()
    (tmp_path / "locust" / "locustfile.py").write_text("")
    probe = "import locust; print(locust.__name__, hasattr(locust, 'HttpUser'))"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert found.stdout.split() == ["horde.compat.locust", "True"], found.stderr


def test_horde_public_api_is_pinned() -> None:
    assert sorted(horde.__all__) == sorted(
        [
            "Environment", "FastHttpUser", "HttpUser", "LoadTestShape", "MarkovTaskSet", "SequentialTaskSet",
            "TaskSet", "User", "__version__", "between", "constant", "constant_pacing", "constant_throughput",
            "events", "poisson", "run_single_user", "sleep", "tag", "task", "transition", "transitions",
        ]
    )  # fmt: skip
