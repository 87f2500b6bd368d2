"""Every step of the source ladder overrides the one below it, for a value, a boolean (both ways) and a list.

~/.locust.conf < ./locust.conf < pyproject [tool.locust] < horde.toml < pyproject [tool.horde]
< --config FILE < LOCUST_* < HORDE_* < command line
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from horde.cli.options import parse_options

LEVELS = [
    "home_conf",
    "locust_conf",
    "pyproject_locust",
    "horde_toml",
    "pyproject_horde",
    "config_file",
    "locust_env",
    "horde_env",
    "command_line",
]

# (config key, dest, env suffix, command-line flag)
VALUE = ("spawn-rate", "spawn_rate", "SPAWN_RATE", "--spawn-rate")
BOOLEAN = ("headless", "headless", "HEADLESS", "--headless")
LIST = ("tags", "tags", "TAGS", "--tags")


@dataclass
class Sources:
    """Collects what each level says, then writes the files, environment and argv for one parse."""

    root: Path
    ini: dict[str, list[str]] = field(default_factory=dict)
    toml: dict[str, list[str]] = field(default_factory=dict)
    environ: dict[str, str] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)

    def set(self, level: str, option: tuple[str, str, str, str], value: object) -> None:
        key, _, env_suffix, flag = option
        if level in ("home_conf", "locust_conf", "config_file"):
            self.ini.setdefault(level, []).append(f"{key} = {_ini_text(value)}")
        elif level in ("pyproject_locust", "horde_toml", "pyproject_horde"):
            self.toml.setdefault(level, []).append(f"{key} = {json.dumps(value)}")
        elif level in ("locust_env", "horde_env"):
            prefix = "LOCUST_" if level == "locust_env" else "HORDE_"
            self.environ[prefix + env_suffix] = (
                " ".join(value) if isinstance(value, list) else _ini_text(value)
            )
        elif value is True:
            self.argv.append(flag)
        elif value is False:
            self.argv.append("--headful")  # the command line's only way to say "not headless"
        else:
            self.argv.extend([flag, *value] if isinstance(value, list) else [flag, str(value)])

    def parse(self) -> argparse.Namespace:
        home, cwd = self.root / "home", self.root / "project"
        home.mkdir(exist_ok=True)
        cwd.mkdir(exist_ok=True)
        files = {
            "home_conf": home / ".locust.conf",
            "locust_conf": cwd / "locust.conf",
            "config_file": cwd / "c.conf",
        }
        for level, lines in self.ini.items():
            files[level].write_text("\n".join(lines) + "\n")
        pyproject = ""
        for level, table in (("pyproject_locust", "[tool.locust]"), ("pyproject_horde", "[tool.horde]")):
            if level in self.toml:
                pyproject += table + "\n" + "\n".join(self.toml[level]) + "\n"
        if pyproject:
            (cwd / "pyproject.toml").write_text('[project]\nname = "p"\n' + pyproject)
        if "horde_toml" in self.toml:
            (cwd / "horde.toml").write_text("\n".join(self.toml["horde_toml"]) + "\n")
        argv = [*self.argv, "--config", "c.conf"] if "config_file" in self.ini else self.argv
        return parse_options(argv, self.environ, cwd, home)


def _ini_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return str(value)


STEPS = list(itertools.pairwise(LEVELS))
STEP_IDS = [f"{low}<{high}" for low, high in STEPS]


@pytest.mark.parametrize(("low", "high"), STEPS, ids=STEP_IDS)
def test_value_from_higher_source_wins(tmp_path: Path, low: str, high: str) -> None:
    sources = Sources(tmp_path)
    sources.set(low, VALUE, 1.5)
    sources.set(high, VALUE, 7.0)
    assert sources.parse().spawn_rate == 7.0


@pytest.mark.parametrize(("low", "high"), STEPS, ids=STEP_IDS)
def test_value_from_lower_source_applies_alone(tmp_path: Path, low: str, high: str) -> None:
    sources = Sources(tmp_path)
    sources.set(low, VALUE, 1.5)
    assert sources.parse().spawn_rate == 1.5


@pytest.mark.parametrize(("low", "high"), STEPS, ids=STEP_IDS)
def test_false_beats_true_below(tmp_path: Path, low: str, high: str) -> None:
    sources = Sources(tmp_path)
    sources.set(low, BOOLEAN, True)
    sources.set(high, BOOLEAN, False)
    assert sources.parse().headless is False


@pytest.mark.parametrize(("low", "high"), STEPS, ids=STEP_IDS)
def test_true_beats_false_below(tmp_path: Path, low: str, high: str) -> None:
    sources = Sources(tmp_path)
    sources.set(low, BOOLEAN, False)
    sources.set(high, BOOLEAN, True)
    assert sources.parse().headless is True


@pytest.mark.parametrize(("low", "high"), STEPS, ids=STEP_IDS)
def test_list_from_higher_source_replaces_lower(tmp_path: Path, low: str, high: str) -> None:
    sources = Sources(tmp_path)
    sources.set(low, LIST, ["low1", "low2"])
    sources.set(high, LIST, ["high1", "high2"])
    assert sources.parse().tags == ["high1", "high2"]


def test_all_levels_at_once_the_command_line_wins_then_each_next_one(tmp_path: Path) -> None:
    for top in range(len(LEVELS), 0, -1):
        root = tmp_path / str(top)
        root.mkdir()
        sources = Sources(root)
        for index, level in enumerate(LEVELS[:top]):
            sources.set(level, VALUE, float(index + 1))
            sources.set(level, LIST, [f"t{index}"])
        options = sources.parse()
        assert (options.spawn_rate, options.tags) == (float(top), [f"t{top - 1}"]), LEVELS[top - 1]


def test_unrelated_options_from_different_levels_combine(tmp_path: Path) -> None:
    sources = Sources(tmp_path)
    sources.set("home_conf", VALUE, 3.0)
    sources.set("horde_toml", LIST, ["x"])
    sources.set("horde_env", BOOLEAN, True)
    options = sources.parse()
    assert (options.spawn_rate, options.tags, options.headless) == (3.0, ["x"], True)
