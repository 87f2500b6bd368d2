"""Config file formats: Locust's INI-ish files and TOML tables, read into settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from horde.cli.config_files import Setting, read_ini_settings, settings_from_table
from horde.cli.options import parse_options
from horde.exception import UsageError


def test_ini_forms(tmp_path: Path) -> None:
    path = tmp_path / "locust.conf"
    path.write_text(
        "# comment\n; another comment\n[locust]\n\n"
        "users = 10\nspawn-rate: 2\nhost http://h\nheadless\n"
        'profile = "a # b"\nlogfile = x.log  # trailing comment\n'
        "tags = [a, 'b', c]\nexclude-tags = d e\n"
    )
    assert read_ini_settings(path) == [
        Setting("users", "10", f"{path}, line 5"),
        Setting("spawn-rate", "2", f"{path}, line 6"),
        Setting("host", "http://h", f"{path}, line 7"),
        Setting("headless", "true", f"{path}, line 8"),
        Setting("profile", "a # b", f"{path}, line 9"),
        Setting("logfile", "x.log", f"{path}, line 10"),
        Setting("tags", ["a", "b", "c"], f"{path}, line 11"),
        Setting("exclude-tags", "d e", f"{path}, line 12"),
    ]


def test_ini_values_reach_the_options(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text(
        "users = 10\nheadless\ntags = [a, b]\nexclude-tags = d e\nrun-time = 1m\n"
    )
    options = parse_options([], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.headless, options.run_time) == (10, True, 60)
    assert (options.tags, options.exclude_tags) == (["a", "b"], ["d", "e"])


def test_short_option_letters_are_config_keys_as_in_locust(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("u 100\nr = 5\nt: 1m\nH http://h\n")
    options = parse_options([], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.spawn_rate, options.run_time, options.host) == (100, 5, 60, "http://h")


@pytest.mark.parametrize("line", ["= 5", ": x", "spawn/rate = 3", "[unterminated"])
def test_bad_ini_line_names_file_and_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "locust.conf"
    path.write_text(f"users = 1\n{line}\n")
    with pytest.raises(UsageError) as raised:
        parse_options([], {}, tmp_path, tmp_path / "home")
    assert str(raised.value) == f"cannot read {path}, line 2: expected 'key = value', got {line!r}"
    assert raised.value.exit_code == 2


def test_toml_table_values() -> None:
    table = {
        "users": 10,
        "spawn-rate": 0.5,
        "headless": True,
        "tags": ["a", "b"],
        "host": "http://h",
        "x": None,
    }
    assert settings_from_table(table, "origin") == [
        Setting("users", "10", "origin"),
        Setting("spawn-rate", "0.5", "origin"),
        Setting("headless", True, "origin"),
        Setting("tags", ["a", "b"], "origin"),
        Setting("host", "http://h", "origin"),
    ]


def test_null_is_skipped_so_a_lower_source_still_applies() -> None:
    # TOML itself cannot spell null; Locust skips None values of the table, and so do we.
    assert settings_from_table({"users": None, "host": "h"}, "o") == [Setting("host", "h", "o")]


def test_pyproject_lists_booleans_and_numbers(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.locust]\nusers = 10\nspawn-rate = 2.5\nheadless = true\n'
        'tags = ["a", "b"]\nrun-time = "2m"\n'
    )
    options = parse_options([], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.spawn_rate, options.headless) == (10, 2.5, True)
    assert (options.tags, options.run_time) == (["a", "b"], 120)


def test_horde_toml_uses_top_level_keys(tmp_path: Path) -> None:
    (tmp_path / "horde.toml").write_text('users = 3\nexclude-tags = ["slow"]\n')
    options = parse_options([], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.exclude_tags) == (3, ["slow"])


def test_toml_subtable_is_refused(tmp_path: Path) -> None:
    (tmp_path / "horde.toml").write_text("[thresholds]\np95 = 200\n")
    with pytest.raises(UsageError, match=r"'thresholds' in .*horde\.toml is a table"):
        parse_options([], {}, tmp_path, tmp_path / "home")


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.locust\nusers = 1\n")
    with pytest.raises(UsageError) as raised:
        parse_options([], {}, tmp_path, tmp_path / "home")
    assert str(raised.value).startswith(f"cannot read {path}: ")
    assert raised.value.exit_code == 2


def test_config_option_toml_reads_tool_tables_horde_over_locust(tmp_path: Path) -> None:
    path = tmp_path / "extra.toml"
    path.write_text("[tool.locust]\nusers = 1\nhost = 'http://l'\n[tool.horde]\nusers = 2\n")
    options = parse_options(["--config", "extra.toml"], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.host) == (2, "http://l")


def test_config_option_toml_without_tool_table_reads_top_level(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text("users = 4\n")
    assert parse_options(["--config=extra.toml"], {}, tmp_path, tmp_path / "home").num_users == 4


def test_config_option_ini(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "my.conf").write_text("users = 6\n")
    options = parse_options(["--config", "sub/my.conf"], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.config) == (6, "sub/my.conf")


def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        parse_options(["--config", "nope.conf"], {}, tmp_path, tmp_path / "home")
    assert str(raised.value) == f"config file not found: {tmp_path / 'nope.conf'}"
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(("key", "suggestion"), [("spawn_rate", "spawn-rate"), ("headles", "headless")])
def test_unknown_config_key_suggests(tmp_path: Path, key: str, suggestion: str) -> None:
    path = tmp_path / "locust.conf"
    path.write_text(f"users = 1\n{key} = 1\n")
    with pytest.raises(UsageError) as raised:
        parse_options([], {}, tmp_path, tmp_path / "home")
    assert str(raised.value) == f"unknown option {key!r} in {path}, line 2 (did you mean {suggestion!r}?)"
    assert raised.value.exit_code == 2


def test_unknown_config_key_without_near_match(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.horde]\nzzqqxx = 1\n")
    with pytest.raises(UsageError) as raised:
        parse_options([], {}, tmp_path, tmp_path / "home")
    assert str(raised.value) == f"unknown option 'zzqqxx' in {tmp_path / 'pyproject.toml'} [tool.horde]"


INVALID = "invalid value for {option} in {path}, line 1: "


@pytest.mark.parametrize(("line", "option", "problem"), [
    ("run-time = 5x", "--run-time", "invalid timespan '5x': use e.g. 30s, 5m, 1h30m"),
    ("users = many", "--users", "invalid int value: 'many'"),
    ("headless = maybe", "--headless", "expected true or false, got 'maybe'"),
    ("host = [a, b]", "--host", "expected one value, got a list ['a', 'b']"),
    ("loglevel = loud", "--loglevel",
     "invalid log level 'loud': choose from DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("version = true", "--version", "it can only be given on the command line"),
    ("config = other.conf", "--config", "it can only be given on the command line"),
])  # fmt: skip
def test_bad_config_values_name_option_file_and_line(
    tmp_path: Path, line: str, option: str, problem: str
) -> None:
    path = tmp_path / "locust.conf"
    path.write_text(line + "\n")
    with pytest.raises(UsageError) as raised:
        parse_options([], {}, tmp_path, tmp_path / "home")
    assert str(raised.value) == INVALID.format(option=option, path=path) + problem
    assert raised.value.exit_code == 2


def test_choices_are_checked_for_config_values(tmp_path: Path) -> None:
    from horde.cli.options import build_parser

    parser = build_parser()
    parser.add_argument("--mode", choices=["a", "b"], default="a")
    (tmp_path / "locust.conf").write_text("mode = c\n")
    with pytest.raises(UsageError, match=r"--mode in .*: invalid choice: 'c' \(choose from 'a', 'b'\)"):
        parse_options([], {}, tmp_path, tmp_path / "home", parser)
    (tmp_path / "locust.conf").write_text("mode = b\n")
    assert parse_options([], {}, tmp_path, tmp_path / "home", parser).mode == "b"


def test_ini_with_bom_and_crlf(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_bytes(b"\xef\xbb\xbfusers = 2\r\nheadless = true\r\n")
    options = parse_options([], {}, tmp_path, tmp_path / "home")
    assert (options.num_users, options.headless) == (2, True)
