"""A scratch virtualenv holding the reference Locust, created once and reused.

Locust must not share Horde's environment: Horde's import hook answers ``import locust`` inside a
Horde run, and Locust's gevent monkey-patching has no business in Horde's interpreter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nginx_target import SetupError

LOCUST_VERSION = "2.47.0"


def ensure_locust(venv_dir: Path, version: str = LOCUST_VERSION) -> Path:
    """Path of the ``locust`` executable in ``venv_dir``, creating the venv on first use."""
    locust = venv_dir / "bin" / "locust"
    if _reports_version(locust, version):
        return locust
    python = venv_dir / "bin" / "python"
    steps = []
    if not python.exists():
        steps.append([sys.executable, "-m", "venv", str(venv_dir)])
    steps.append([str(python), "-m", "pip", "install", "--quiet", f"locust=={version}"])
    for command in steps:
        print(f"setting up Locust {version}: {' '.join(command)}", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            raise SetupError(f"could not set up Locust {version}: `{' '.join(command)}` failed")
    if not _reports_version(locust, version):
        raise SetupError(f"{locust} does not report version {version} after installing it")
    return locust


def _reports_version(locust: Path, version: str) -> bool:
    if not locust.exists():
        return False
    try:
        result = subprocess.run(
            [str(locust), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and version in result.stdout + result.stderr
