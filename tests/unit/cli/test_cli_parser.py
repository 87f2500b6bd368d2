"""The parser itself: Locust's dests and defaults, ConfigArgParse keywords, help/version, no exits."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from horde.cli.argparser import EXTRA_KEYWORDS, HordeArgumentParser
from horde.cli.early_exit import EarlyExit, HelpRequested, VersionRequested
from horde.cli.options import build_parser, parse_options
from horde.exception import UsageError


def parse(argv: list[str], tmp_path: Path, parser: HordeArgumentParser | None = None) -> argparse.Namespace:
    return parse_options(argv, {}, tmp_path, tmp_path / "home", parser)


LOCUST_DEFAULTS = {
    "locustfile": "locustfile.py",
    "config": None,
    "host": None,
    "num_users": None,
    "spawn_rate": None,
    "run_time": None,
    "list_commands": False,
    "config_users": None,
    "web_port": 8089,
    "headless": False,
    "autostart": False,
    "autoquit": -1,
    "web_login": False,
    "tls_cert": "",
    "tls_key": "",
    "class_picker": False,
    "web_base_path": "",
    "master": False,
    "master_bind_host": "*",
    "master_bind_port": 5557,
    "expect_workers": 1,
    "expect_workers_max_wait": 0,
    "enable_rebalancing": False,
    "worker": False,
    "processes": None,
    "master_host": "127.0.0.1",
    "master_port": 5557,
    "tags": None,
    "exclude_tags": None,
    "csv_prefix": None,
    "stats_history_enabled": False,
    "print_stats": False,
    "only_summary": False,
    "reset_stats": False,
    "html_file": None,
    "json": False,
    "json_file": None,
    "skip_log_setup": False,
    "loglevel": "INFO",
    "logfile": None,
    "show_task_ratio": False,
    "show_task_ratio_json": False,
    "exit_code_on_error": 1,
    "stop_timeout": 0,
    "equal_weights": False,
    "profile": None,
    "otel": False,
    "user_classes": [],
}


def test_defaults_match_locust(tmp_path: Path) -> None:
    options = vars(parse([], tmp_path))
    assert {dest: options[dest] for dest in LOCUST_DEFAULTS} == LOCUST_DEFAULTS


def test_web_host_defaults_to_loopback(tmp_path: Path) -> None:
    # DESIGN §7: secure by default, unlike Locust's all-interfaces ''.
    assert parse([], tmp_path).web_host == "127.0.0.1"


def test_every_flag_lands_on_locusts_dest(tmp_path: Path) -> None:
    argv = [
        "-f", "a.py", "-H", "http://h", "-u", "10", "-r", "2.5", "-t", "1h30m", "-l",
        "--config-users", '{"a": 1}', "--web-host", "0.0.0.0", "-P", "9000", "--headless", "--autostart",
        "--autoquit", "5", "--web-login", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--class-picker",
        "--web-base-path", "/x", "--master-bind-host", "10.0.0.1", "--master-bind-port", "6000",
        "--expect-workers", "3", "--expect-workers-max-wait", "30", "--enable-rebalancing",
        "--master-host", "m", "--master-port", "6001", "-T", "a", "b", "-E", "c", "--csv", "out/run",
        "--csv-full-history", "--print-stats", "--only-summary", "--reset-stats", "--html", "r.html",
        "--json", "--json-file", "j", "--skip-log-setup", "-L", "debug", "--logfile", "l.log",
        "--show-task-ratio", "--show-task-ratio-json", "--exit-code-on-error", "3", "-s", "2m",
        "--equal-weights", "--profile", "nightly", "--otel", "--summary-json", "s.json",
        "--web-host-display-name", "shown", "--build-path", "dist",
        "UserA", "UserB",
    ]  # fmt: skip
    options = parse(argv, tmp_path)
    expected = {
        "locustfile": "a.py", "host": "http://h", "num_users": 10, "spawn_rate": 2.5, "run_time": 5400,
        "list_commands": True, "config_users": ['{"a": 1}'], "web_host": "0.0.0.0", "web_port": 9000,
        "headless": True, "autostart": True, "autoquit": 5, "web_login": True, "tls_cert": "c.pem",
        "tls_key": "k.pem", "class_picker": True, "web_base_path": "/x", "master_bind_host": "10.0.0.1",
        "master_bind_port": 6000, "expect_workers": 3, "expect_workers_max_wait": 30,
        "enable_rebalancing": True, "master_host": "m", "master_port": 6001, "tags": ["a", "b"],
        "exclude_tags": ["c"],
        "csv_prefix": "out/run", "stats_history_enabled": True, "print_stats": True, "only_summary": True,
        "reset_stats": True, "html_file": "r.html", "json": True, "json_file": "j", "skip_log_setup": True,
        "loglevel": "DEBUG", "logfile": "l.log", "show_task_ratio": True, "show_task_ratio_json": True,
        "exit_code_on_error": 3, "stop_timeout": 120, "equal_weights": True, "profile": "nightly",
        "otel": True, "summary_json": "s.json", "web_host_display_name": "shown", "build_path": "dist",
        "user_classes": ["UserA", "UserB"],
    }  # fmt: skip
    assert {dest: getattr(options, dest) for dest in expected} == expected


def test_master_worker_and_processes_flags(tmp_path: Path) -> None:
    assert parse(["--master"], tmp_path).master is True
    worker = parse(["--worker", "--processes", "4"], tmp_path)
    assert (worker.worker, worker.processes) == (True, 4)


def test_headful_switches_headless_off(tmp_path: Path) -> None:
    assert parse(["--headless", "--headful"], tmp_path).headless is False


def test_hidden_options_stay_out_of_help() -> None:
    text = build_parser().format_help()
    assert "--spawn-rate" in text and "--summary-json" in text
    for hidden in ("--headful", "--hatch-rate", "--web-auth", "--legacy-ui", "--slave", "--expect-slaves"):
        assert hidden not in text


def test_help_raises_with_the_text_including_custom_options(tmp_path: Path) -> None:
    parser = build_parser()
    parser.add_argument("--my-custom", help="a custom option from a locustfile")
    with pytest.raises(HelpRequested) as raised:
        parse(["-h"], tmp_path, parser)
    assert raised.value.exit_code == 0
    assert raised.value.text.startswith("Usage: horde [options] [UserClass ...]")
    assert "a custom option from a locustfile" in raised.value.text


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_raises_with_horde_version_line(tmp_path: Path, flag: str) -> None:
    import horde

    with pytest.raises(VersionRequested) as raised:
        parse([flag], tmp_path)
    assert raised.value.exit_code == 0
    package_dir = re.escape(str(Path(horde.__file__).parent))
    assert re.fullmatch(rf"horde {re.escape(horde.__version__)} from {package_dir} \(Python 3\.\d+\.\d+\S*\)",
                        raised.value.text)  # fmt: skip


def test_configargparse_keywords_are_accepted_and_stored() -> None:
    parser = build_parser()
    action = parser.add_argument(
        "--secret-token", env_var="LOCUST_TOKEN", include_in_web_ui=False, is_secret=True, is_required=True,
        is_multiple=True, default="x",
    )  # fmt: skip
    assert {name: vars(action)[name] for name in EXTRA_KEYWORDS} == {
        "env_var": "LOCUST_TOKEN",
        "include_in_web_ui": False,
        "is_secret": True,
        "is_required": True,
        "is_multiple": True,
    }
    assert action.default == "x"
    plain = parser.add_argument("--plain")
    assert {name: vars(plain)[name] for name in EXTRA_KEYWORDS} == EXTRA_KEYWORDS


def test_groups_accept_the_same_keywords(tmp_path: Path) -> None:
    parser = build_parser()
    group = parser.add_argument_group("Custom", "from a locustfile")
    action = group.add_argument("--shop-id", type=int, env_var="SHOP_ID", is_secret=True, default=1)
    exclusive = group.add_mutually_exclusive_group()
    fast = exclusive.add_argument("--fast", action="store_true", include_in_web_ui=False)
    exclusive.add_argument("--slow", action="store_true", env_var="SLOW")
    assert getattr(action, "is_secret", None) is True and getattr(fast, "include_in_web_ui", None) is False
    options = parse_options(["--fast"], {"SHOP_ID": "42"}, tmp_path, tmp_path, parser)
    assert (options.shop_id, options.fast, options.slow) == (42, True, False)
    with pytest.raises(UsageError) as raised:
        parse_options(["--fast", "--slow"], {}, tmp_path, tmp_path, parser)
    assert "not allowed with argument" in str(raised.value) and raised.value.exit_code == 2


def test_configargparse_add_alias_works() -> None:
    parser = build_parser()
    action = parser.add("--aliased", env_var="ALIASED")
    assert action.dest == "aliased" and getattr(action, "env_var", None) == "ALIASED"


def test_custom_actions_are_those_added_after_build() -> None:
    parser = build_parser()
    assert parser.custom_actions() == []
    added = parser.add_argument("--mine")
    assert parser.custom_actions() == [added]


def test_abbreviations_are_not_accepted(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unrecognized arguments: --head"):
        parse(["--head"], tmp_path)


def test_a_foreign_version_action_raises_instead_of_exiting() -> None:
    parser = HordeArgumentParser(prog="x", add_help=False)
    parser.add_argument("--v", action="version", version="x 1")
    with pytest.raises(EarlyExit) as raised:
        parser.parse_known_args(["--v"])
    assert raised.value.exit_code == 0


def test_parser_error_raises_usage_error_instead_of_exiting() -> None:
    with pytest.raises(UsageError) as raised:
        build_parser().parse_known_args(["-u"])
    assert str(raised.value) == "argument -u/--users: expected one argument"
    assert raised.value.exit_code == 2
