"""The first parsing phase: find the locustfile from every source before importing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from horde.cli.early_exit import VersionRequested
from horde.cli.options import DEFAULT_LOCUSTFILE, parse_early_options, parse_locustfile_option
from horde.exception import UsageError


def locustfile(argv: list[str], tmp_path: Path, environ: dict[str, str] | None = None) -> str:
    return parse_locustfile_option(argv, environ or {}, tmp_path, tmp_path / "home")


def test_default_is_locustfile_py(tmp_path: Path) -> None:
    assert locustfile([], tmp_path) == DEFAULT_LOCUSTFILE == "locustfile.py"


@pytest.mark.parametrize(
    "argv", [["-f", "x.py"], ["--locustfile", "x.py"], ["--locustfile=x.py"], ["-fx.py"]]
)
def test_command_line_forms(tmp_path: Path, argv: list[str]) -> None:
    assert locustfile(argv, tmp_path) == "x.py"


def test_other_and_unknown_flags_do_not_disturb_it(tmp_path: Path) -> None:
    argv = ["--headless", "-u", "5", "--my-custom-flag", "v", "-f", "a.py,b.py", "--tags", "x", "y", "UserA"]
    assert locustfile(argv, tmp_path) == "a.py,b.py"


def test_layered_sources(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".locust.conf").write_text("locustfile = home.py\n")
    assert locustfile([], tmp_path) == "home.py"
    (tmp_path / "locust.conf").write_text("locustfile = conf.py\ncustom-option-from-locustfile = 1\n")
    assert locustfile([], tmp_path) == "conf.py"
    (tmp_path / "pyproject.toml").write_text('[tool.locust]\nlocustfile = "pyproject.py"\n')
    assert locustfile([], tmp_path) == "pyproject.py"
    (tmp_path / "extra.conf").write_text("locustfile = extra.py\n")
    assert locustfile(["--config", "extra.conf"], tmp_path) == "extra.py"
    environ = {"LOCUST_LOCUSTFILE": "env.py"}
    assert locustfile(["--config", "extra.conf"], tmp_path, environ) == "env.py"
    environ["HORDE_LOCUSTFILE"] = "horde.py"
    assert locustfile([], tmp_path, environ) == "horde.py"
    assert locustfile(["-f", "cli.py"], tmp_path, environ) == "cli.py"


def test_help_is_noted_not_raised(tmp_path: Path) -> None:
    early = parse_early_options(["-h", "-f", "x.py"], {}, tmp_path, tmp_path)
    assert (early.locustfile, early.help_requested) == ("x.py", True)
    assert parse_early_options([], {}, tmp_path, tmp_path).help_requested is False


def test_version_needs_no_locustfile(tmp_path: Path) -> None:
    with pytest.raises(VersionRequested):
        parse_early_options(["-V"], {}, tmp_path, tmp_path)


def test_broken_config_file_is_reported_already(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("=oops\n")
    with pytest.raises(UsageError, match="line 1"):
        locustfile([], tmp_path)


def test_missing_value_is_reported(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        locustfile(["-f"], tmp_path)
    assert (str(raised.value), raised.value.exit_code) == (
        "argument -f/--locustfile: expected one argument",
        2,
    )
