"""Build hook: compile the web UI (frontend/, TypeScript + Vite) into the package at install time.

``pip install .`` runs it, so the front end is never committed as built files. It needs Node.js
(20.19+) and npm; without them the install stops with one line that says so. The build is
skipped when ``src/horde/web/static`` is newer than every front-end source (a quick reinstall),
and ``npm ci`` is skipped when ``node_modules`` already matches ``package-lock.json``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC = Path("src/horde/web/static")
FRONTEND = Path("frontend")
SOURCES = ("src", "index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts",
           "vite.report.config.ts")  # fmt: skip


class FrontendBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        frontend = root / FRONTEND
        static = root / STATIC
        if (frontend / "package.json").exists() and _stale(frontend, static):
            _build(frontend)
        if not (static / "index.html").exists():
            raise RuntimeError(f"the web UI was not built: {static / 'index.html'} is missing")
        build_data["artifacts"].append(f"/{STATIC.as_posix()}/**")


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
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "building Horde's web UI needs Node.js 20.19+ and npm (e.g. `apt-get install nodejs npm`)"
        )
    installed = frontend / "node_modules" / ".package-lock.json"
    lock = frontend / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _run([npm, "ci", "--no-audit", "--no-fund"], frontend)
    _run([npm, "run", "build"], frontend)


def _run(command: list[str], cwd: Path) -> None:
    print(f"horde web UI: {' '.join(command[1:])} (in {cwd})", flush=True)
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(command)}` failed with exit code {completed.returncode}:\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
