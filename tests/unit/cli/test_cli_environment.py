"""Environment variables: Locust's names, their HORDE_ twins, booleans, lists, positionals, custom ones."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from horde.cli.argparser import env_var_of
from horde.cli.env_settings import horde_twin
from horde.cli.options import build_parser, parse_options
from horde.exception import UsageError

# Locust 2.47's table (reference §2.2): option -> variable.
LOCUST_ENV_NAMES = {
    "--locustfile": "LOCUST_LOCUSTFILE",
    "--host": "LOCUST_HOST",
    "--users": "LOCUST_USERS",
    "--spawn-rate": "LOCUST_SPAWN_RATE",
    "--hatch-rate": "LOCUST_HATCH_RATE",
    "--run-time": "LOCUST_RUN_TIME",
    "--config-users": "LOCUST_CONFIG_USERS",
    "--web-host": "LOCUST_WEB_HOST",
    "--web-host-display-name": "LOCUST_WEB_HOST_DISPLAY_NAME",
    "--web-port": "LOCUST_WEB_PORT",
    "--headless": "LOCUST_HEADLESS",
    "--autostart": "LOCUST_AUTOSTART",
    "--autoquit": "LOCUST_AUTOQUIT",
    "--headful": "LOCUST_HEADFUL",
    "--web-auth": "LOCUST_WEB_AUTH",
    "--web-login": "LOCUST_WEB_LOGIN",
    "--tls-cert": "LOCUST_TLS_CERT",
    "--tls-key": "LOCUST_TLS_KEY",
    "--class-picker": "LOCUST_USERCLASS_PICKER",
    "--build-path": "LOCUST_BUILD_PATH",
    "--legacy-ui": "LOCUST_LEGACY_UI",
    "--web-base-path": "LOCUST_WEB_BASE_PATH",
    "--master": "LOCUST_MODE_MASTER",
    "--master-bind-host": "LOCUST_MASTER_BIND_HOST",
    "--master-bind-port": "LOCUST_MASTER_BIND_PORT",
    "--expect-workers": "LOCUST_EXPECT_WORKERS",
    "--expect-workers-max-wait": "LOCUST_EXPECT_WORKERS_MAX_WAIT",
    "--worker": "LOCUST_MODE_WORKER",
    "--processes": "LOCUST_PROCESSES",
    "--master-host": "LOCUST_MASTER_NODE_HOST",
    "--master-port": "LOCUST_MASTER_NODE_PORT",
    "--tags": "LOCUST_TAGS",
    "--exclude-tags": "LOCUST_EXCLUDE_TAGS",
    "--csv": "LOCUST_CSV",
    "--csv-full-history": "LOCUST_CSV_FULL_HISTORY",
    "--print-stats": "LOCUST_PRINT_STATS",
    "--only-summary": "LOCUST_ONLY_SUMMARY",
    "--reset-stats": "LOCUST_RESET_STATS",
    "--html": "LOCUST_HTML",
    "--skip-log-setup": "LOCUST_SKIP_LOG_SETUP",
    "--loglevel": "LOCUST_LOGLEVEL",
    "--logfile": "LOCUST_LOGFILE",
    "--exit-code-on-error": "LOCUST_EXIT_CODE_ON_ERROR",
    "--stop-timeout": "LOCUST_STOP_TIMEOUT",
    "--otel": "LOCUST_ENABLE_OPENTELEMETRY",
}
WITHOUT_ENV = [
    "--json",
    "--json-file",
    "--equal-weights",
    "--profile",
    "--enable-rebalancing",
    "--show-task-ratio",
]


def parse(environ: dict[str, str], tmp_path: Path, argv: list[str] | None = None) -> argparse.Namespace:
    return parse_options(argv or [], environ, tmp_path, tmp_path / "home")


def _by_option() -> dict[str, argparse.Action]:
    return {option: action for action in build_parser().actions() for option in action.option_strings}


def test_env_var_names_are_locusts() -> None:
    actions = _by_option()
    assert {option: env_var_of(actions[option]) for option in LOCUST_ENV_NAMES} == LOCUST_ENV_NAMES
    assert [env_var_of(actions[option]) for option in WITHOUT_ENV] == [None] * len(WITHOUT_ENV)


def test_user_classes_positional_reads_locust_user_classes() -> None:
    positional = next(action for action in build_parser().actions() if action.dest == "user_classes")
    assert env_var_of(positional) == "LOCUST_USER_CLASSES"


def test_horde_twin_names() -> None:
    assert horde_twin("LOCUST_USERS") == "HORDE_USERS"
    assert horde_twin("LOCUST_MODE_MASTER") == "HORDE_MODE_MASTER"
    assert horde_twin("SHOP_ID") is None


@pytest.mark.parametrize("prefix", ["LOCUST_", "HORDE_"])
def test_values_by_env(tmp_path: Path, prefix: str) -> None:
    environ = {
        "USERS": "12", "SPAWN_RATE": "3", "RUN_TIME": "1m30s", "HOST": "http://h", "CSV": "out/x",
        "LOCUSTFILE": "f.py", "TAGS": "a b", "MASTER_NODE_HOST": "m", "LOGLEVEL": "warning",
    }  # fmt: skip
    options = parse({prefix + key: value for key, value in environ.items()}, tmp_path)
    assert (options.num_users, options.spawn_rate, options.run_time, options.host) == (
        12,
        3.0,
        90,
        "http://h",
    )
    assert (options.csv_prefix, options.locustfile, options.tags) == ("out/x", "f.py", ["a", "b"])
    assert (options.master_host, options.loglevel) == ("m", "WARNING")


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("Yes", True),
    ("false", False), ("False", False), ("0", False), ("no", False), ("NO", False),
])  # fmt: skip
def test_boolean_env_values(tmp_path: Path, text: str, expected: bool) -> None:
    assert parse({"LOCUST_HEADLESS": text}, tmp_path).headless is expected
    assert parse({"HORDE_MODE_WORKER": text}, tmp_path).worker is expected


def test_bad_boolean_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        parse({"LOCUST_HEADLESS": "sure"}, tmp_path)
    assert str(raised.value) == (
        "invalid value for --headless in environment variable LOCUST_HEADLESS: "
        "expected true or false, got 'sure'"
    )
    assert raised.value.exit_code == 2


def test_bad_number_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        parse({"HORDE_USERS": "ten"}, tmp_path)
    assert (
        str(raised.value)
        == "invalid value for --users in environment variable HORDE_USERS: invalid int value: 'ten'"
    )


def test_empty_env_value_counts_as_unset(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("host = http://conf\n")
    assert parse({"LOCUST_HOST": "", "HORDE_HOST": "  "}, tmp_path).host == "http://conf"


def test_list_env_value_in_brackets(tmp_path: Path) -> None:
    assert parse({"LOCUST_EXCLUDE_TAGS": "[slow, flaky]"}, tmp_path).exclude_tags == ["slow", "flaky"]


def test_config_users_json_is_not_split(tmp_path: Path) -> None:
    text = '[{"user_class_name": "A", "weight": 2}]'
    assert parse({"LOCUST_CONFIG_USERS": text}, tmp_path).config_users == [text]


def test_user_classes_from_env_are_space_separated(tmp_path: Path) -> None:
    assert parse({"LOCUST_USER_CLASSES": "WebUser  ApiUser"}, tmp_path).user_classes == ["WebUser", "ApiUser"]


def test_user_classes_from_horde_env_beat_locust_env(tmp_path: Path) -> None:
    environ = {"LOCUST_USER_CLASSES": "A", "HORDE_USER_CLASSES": "B C"}
    assert parse(environ, tmp_path).user_classes == ["B", "C"]


def test_user_classes_on_the_command_line_beat_env(tmp_path: Path) -> None:
    options = parse({"LOCUST_USER_CLASSES": "A B"}, tmp_path, ["--headless", "C"])
    assert (options.user_classes, options.headless) == (["C"], True)


def test_env_user_classes_survive_other_flags(tmp_path: Path) -> None:
    assert parse({"LOCUST_USER_CLASSES": "A"}, tmp_path, ["-u", "3"]).user_classes == ["A"]


def test_unknown_locust_and_horde_variables_are_ignored(tmp_path: Path) -> None:
    # Locust has env knobs that are not options (LOCUST_SKIP_MONKEY_PATCH ...): they must not be errors.
    options = parse({"LOCUST_SKIP_MONKEY_PATCH": "1", "HORDE_SOMETHING_ELSE": "x"}, tmp_path)
    assert options.num_users is None


def test_options_without_env_var_ignore_lookalike_names(tmp_path: Path) -> None:
    assert parse({"LOCUST_JSON": "true", "HORDE_EQUAL_WEIGHTS": "true"}, tmp_path).json is False


def test_horde_only_option_reads_its_horde_variable(tmp_path: Path) -> None:
    assert parse({"HORDE_SUMMARY_JSON": "s.json"}, tmp_path).summary_json == "s.json"
    assert parse({"LOCUST_SUMMARY_JSON": "s.json"}, tmp_path).summary_json is None
