"""The container image (the repository's Dockerfile), built with podman and run as Locust's charts
run Locust's image: a master and a worker given only Locust's arguments, against the demo target
on 127.0.0.1, which counts what it served.

Docker Hub cannot be reached here, so the base images are stand-ins made on this machine: Debian
bookworm from debootstrap (with this machine's CA certificates, through which its TLS to the
package registries goes), plus Debian's Python 3.11 for the Python stages and this machine's Node
20 for the UI stage. They are built once and kept in podman's storage.

Not part of ``pytest -n 2`` (``-m container`` selects it; ``.ci/run`` runs it after the others,
with HORDE_REQUIRE_CONTAINER=1 so that a missing podman fails instead of skipping): the build takes
minutes of both cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from horde.cli.demo import start_demo_target

pytestmark = pytest.mark.container

REPO = Path(__file__).resolve().parents[2]
IMAGE = "localhost/horde:test"
BASE, PYTHON, NODE = (
    "localhost/standin-base:bookworm",
    "localhost/standin-python:3.11",
    "localhost/standin-node:20",
)
# This machine's kernel refuses crun's cgroup setup and root may not raise its own file limit.
RUN = ["podman", "--runtime", "runc"]
BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
LIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]
LOCUSTFILE = """\
from locust import HttpUser, constant, task


class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task
    def browse(self):
        self.client.get("/products?q=laptop")
"""


def podman(*args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*RUN, *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(
            f"podman {args[0]} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}"
        )
    return done


def exists(image: str) -> bool:
    return podman("image", "exists", image, check=False).returncode == 0


def build(tag: str, containerfile: str, context: Path) -> None:
    (context / "Containerfile").write_text(containerfile)
    podman("build", *LIMITS, "-t", tag, str(context))


def make_base_images(work: Path) -> None:
    """The stand-ins for python:3.11-slim-bookworm and node:20-bookworm-slim (kept once made)."""
    if not exists(BASE):
        rootfs = work / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", "--include=ca-certificates", "bookworm", str(rootfs),
             "http://deb.debian.org/debian"],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(
            [*RUN, "import", "-", f"{BASE}-rootfs"], stdin=tar.stdout, check=True, capture_output=True
        )
        tar.wait()
        certs = work / "base"
        certs.mkdir()
        for cert in Path("/usr/local/share/ca-certificates").glob("*.crt"):
            shutil.copy(cert, certs)
        build(
            BASE,
            f"FROM {BASE}-rootfs\nCOPY . /usr/local/share/ca-certificates/\nRUN update-ca-certificates\n"
            f"ENV NODE_EXTRA_CA_CERTS={BUNDLE} PIP_CERT={BUNDLE}\n",
            certs,
        )
    if not exists(PYTHON):  # as the official image: no EXTERNALLY-MANAGED marker
        (work / "python").mkdir()
        build(
            PYTHON,
            f"FROM {BASE}\nRUN apt-get update && apt-get install -y --no-install-recommends python3-dev "
            "python3-pip python3-venv && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED "
            "&& rm -rf /var/lib/apt/lists/*\n",
            work / "python",
        )
    if not exists(NODE):
        node = work / "node"
        node.mkdir()
        binary = Path(shutil.which("node") or "/usr/bin/node").resolve()
        shutil.copy(binary, node / "node")
        shutil.copytree(binary.parents[1] / "lib" / "node_modules" / "npm", node / "npm")
        build(
            NODE,
            f"FROM {BASE}\nCOPY node /usr/local/bin/node\nCOPY npm /usr/local/lib/node_modules/npm\n"
            "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && node --version\n",
            node,
        )


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    tools = [tool for tool in ("podman", "runc", "debootstrap") if shutil.which(tool) is None]
    if tools:
        if os.environ.get("HORDE_REQUIRE_CONTAINER"):
            pytest.fail(f"HORDE_REQUIRE_CONTAINER is set but {', '.join(tools)} is not installed")
        pytest.skip(f"needs {', '.join(tools)} (apt-get install podman runc debootstrap)")
    with tempfile.TemporaryDirectory() as work:
        make_base_images(Path(work))
    podman(
        "build", *LIMITS, "--build-arg", f"NODE_IMAGE={NODE}", "--build-arg", f"PYTHON_IMAGE={PYTHON}",
        "-t", IMAGE, str(REPO),
    )  # fmt: skip
    yield IMAGE


def test_a_master_and_a_worker_from_the_image_run_a_test_from_locusts_arguments(
    image: str, tmp_path: Path
) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    tmp_path.chmod(0o755)
    (tmp_path / "locustfile.py").chmod(0o644)
    target = start_demo_target()
    port = 15000 + os.getpid() % 5000
    run = ["run", "--rm", "--network", "host", *LIMITS, "-v", f"{tmp_path}:/mnt/locust:ro"]
    worker = subprocess.Popen(  # fetches the master's locustfile (-f -), as in a cluster
        [*RUN, *run, "--name", f"horde-worker-{port}", image, "-f", "-", "--worker", "--master-port",
         str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        master = podman(
            *run, "--name", f"horde-master-{port}", image, "-f", "/mnt/locust/locustfile.py", "--master",
            "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port), "--headless",
            "--expect-workers", "1", "--expect-workers-max-wait", "60", "-u", "4", "-r", "4", "-t", "5s",
            "-H", target.url, "--json", "--only-summary",
            timeout=180, check=False,
        )  # fmt: skip
        worker_out, _ = worker.communicate(timeout=60)
        with urllib.request.urlopen(f"{target.url}/__stats", timeout=5) as response:
            served = json.loads(response.read())["total"]
    finally:
        if worker.poll() is None:
            podman("kill", f"horde-worker-{port}", check=False)
            worker.wait()
        target.stop()
    assert master.returncode == 0, master.stderr
    assert worker.returncode == 0, worker_out
    rows = json.loads(master.stdout[master.stdout.index("[") :])
    counted = sum(row["num_requests"] for row in rows)
    assert counted > 100 and 0 <= served - counted <= 4, (counted, served)
    assert "(index 0) reported as ready" in master.stderr


def test_the_image_runs_as_a_non_root_user(image: str) -> None:
    assert podman("run", "--rm", *LIMITS, "--entrypoint", "id", image, "-u").stdout.strip() == "10001"
    started = time.monotonic()
    assert podman("run", "--rm", *LIMITS, image, "--version").stdout.startswith("horde ")
    assert time.monotonic() - started < 60
