"""System programs the benchmark needs, installed from Debian's packages when missing.

The benchmark prints each command it runs, and only installs what is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess

# Debian puts daemons in /usr/sbin, which is not on a normal user's PATH.
_EXTRA_PATH = "/usr/sbin:/usr/local/sbin"


class SetupError(RuntimeError):
    """A prerequisite (nginx, wrk, the Locust venv, a certificate, CPU pinning) could not be set up."""


def find_binary(binary: str) -> str | None:
    return shutil.which(binary) or shutil.which(binary, path=_EXTRA_PATH)


def ensure_binary(binary: str, package: str) -> str:
    """Path of ``binary``, installing Debian's ``package`` with apt-get first if it is missing."""
    found = find_binary(binary)
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise SetupError(f"{binary} is not installed and apt-get is not available to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", package]):
        print(f"{binary} is missing; running: {' '.join(command)}", flush=True)
        if subprocess.run(command, env=env, check=False).returncode != 0:
            raise SetupError(f"`{' '.join(command)}` failed; install {package} yourself and re-run")
    found = find_binary(binary)
    if not found:
        raise SetupError(f"apt-get installed {package} but no {binary} binary was found")
    return found
