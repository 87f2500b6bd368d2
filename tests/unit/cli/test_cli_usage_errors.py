"""Every user mistake becomes one UsageError line with Locust's exit code; nothing exits or prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from horde.cli.options import parse_options
from horde.exception import UsageError


def error_for(argv: list[str], tmp_path: Path, environ: dict[str, str] | None = None) -> UsageError:
    with pytest.raises(UsageError) as raised:
        parse_options(argv, environ or {}, tmp_path, tmp_path / "home")
    assert "\n" not in str(raised.value)
    return raised.value


@pytest.mark.parametrize(("argv", "message"), [
    (["--spawn_rate", "5"], "unrecognized arguments: --spawn_rate (did you mean --spawn-rate?)"),
    (["--headles"], "unrecognized arguments: --headles (did you mean --headless?)"),
    (["--run_time=5m"], "unrecognized arguments: --run_time=5m (did you mean --run-time?)"),
    (["--exclude-tag", "x"], "unrecognized arguments: --exclude-tag (did you mean --exclude-tags?)"),
    (["--zzqqxx"], "unrecognized arguments: --zzqqxx"),
    (["-x"], "unrecognized arguments: -x"),
])  # fmt: skip
def test_unknown_flags_suggest_the_closest_long_option(tmp_path: Path, argv: list[str], message: str) -> None:
    error = error_for(argv, tmp_path)
    assert (str(error), error.exit_code) == (message, 2)


def test_suggestions_include_a_locustfiles_options(tmp_path: Path) -> None:
    from horde.cli.options import build_parser

    parser = build_parser()
    parser.add_argument("--product-count", type=int)
    with pytest.raises(UsageError, match=r"did you mean --product-count\?"):
        parse_options(["--product_count", "3"], {}, tmp_path, tmp_path, parser)


def test_hidden_options_are_not_suggested(tmp_path: Path) -> None:
    assert (
        str(error_for(["--headfull"], tmp_path))
        == "unrecognized arguments: --headfull (did you mean --headless?)"
    )


def test_bad_timespan(tmp_path: Path) -> None:
    error = error_for(["-t", "5x"], tmp_path)
    assert (str(error), error.exit_code) == (
        "argument -t/--run-time: invalid timespan '5x': use e.g. 30s, 5m, 1h30m",
        2,
    )


def test_bad_stop_timeout(tmp_path: Path) -> None:
    assert str(error_for(["-s", "soon"], tmp_path)).startswith(
        "argument -s/--stop-timeout: invalid timespan 'soon'"
    )


@pytest.mark.parametrize(("argv", "message"), [
    (["-u", "abc"], "argument -u/--users: invalid int value: 'abc'"),
    (["--web-port", "80.5"], "argument --web-port/-P: invalid port '80.5': expected a number"),
    (["--web-port", "99999"], "argument --web-port/-P: invalid port '99999': must be 0 to 65535"),
    (["--master-port", "-1"], "argument --master-port: invalid port '-1': must be 0 to 65535"),
    (["-u"], "argument -u/--users: expected one argument"),
    (["-r", "fast"], "argument -r/--spawn-rate: invalid spawn rate 'fast': expected a number"),
])  # fmt: skip
def test_bad_numbers(tmp_path: Path, argv: list[str], message: str) -> None:
    error = error_for(argv, tmp_path)
    assert (str(error), error.exit_code) == (message, 2)


@pytest.mark.parametrize("rate", ["0", "-1", "nan", "inf", "-inf"])
def test_spawn_rate_must_be_finite_and_positive(tmp_path: Path, rate: str) -> None:
    error = error_for([f"--spawn-rate={rate}"], tmp_path)
    assert (str(error), error.exit_code) == (
        f"argument -r/--spawn-rate: invalid spawn rate '{rate}': must be a finite number above 0",
        2,
    )


def test_spawn_rate_checked_in_env_too(tmp_path: Path) -> None:
    error = error_for([], tmp_path, {"LOCUST_SPAWN_RATE": "0"})
    assert str(error) == (
        "invalid value for --spawn-rate in environment variable LOCUST_SPAWN_RATE: "
        "invalid spawn rate '0': must be a finite number above 0"
    )


def test_fractional_spawn_rate_is_fine(tmp_path: Path) -> None:
    assert parse_options(["-r", "0.25"], {}, tmp_path, tmp_path).spawn_rate == 0.25


def test_csv_full_history_needs_csv(tmp_path: Path) -> None:
    error = error_for(["--csv-full-history"], tmp_path)
    assert (str(error), error.exit_code) == ("--csv-full-history requires --csv", 2)
    assert parse_options(["--csv-full-history", "--csv", "x"], {}, tmp_path, tmp_path).stats_history_enabled


def test_autoquit_needs_autostart(tmp_path: Path) -> None:
    error = error_for(["--autoquit", "10"], tmp_path)
    assert (str(error), error.exit_code) == ("--autoquit only makes sense together with --autostart", 1)
    assert parse_options(["--autoquit", "10", "--autostart"], {}, tmp_path, tmp_path).autoquit == 10


def test_master_with_worker(tmp_path: Path) -> None:
    error = error_for(["--master", "--worker"], tmp_path)
    assert (str(error), error.exit_code) == ("--master and --worker cannot be used together", 255)


def test_master_with_worker_across_sources(tmp_path: Path) -> None:
    error = error_for(["--worker"], tmp_path, {"LOCUST_MODE_MASTER": "true"})
    assert error.exit_code == 255


def test_processes_with_master(tmp_path: Path) -> None:
    error = error_for(["--master", "--processes", "2"], tmp_path)
    assert (str(error), error.exit_code) == ("--processes cannot be combined with --master", 1)


def test_negative_users(tmp_path: Path) -> None:
    error = error_for(["-u", "-3"], tmp_path)
    assert (str(error), error.exit_code) == ("--users cannot be negative, got -3", 2)


@pytest.mark.parametrize(("argv", "message"), [
    (["--hatch-rate", "5"], "--hatch-rate has been renamed --spawn-rate"),
    (["--slave"], "--slave has been renamed --worker"),
    (["--expect-slaves"], "--expect-slaves has been renamed --expect-workers"),
    (["--web-auth", "u:p"],
     "--web-auth has been replaced by --web-login (authentication is supplied by the locustfile)"),
    (["--legacy-ui"], "--legacy-ui has been removed: there is only one web UI"),
])  # fmt: skip
def test_retired_flags_explain_their_replacement(tmp_path: Path, argv: list[str], message: str) -> None:
    error = error_for(argv, tmp_path)
    assert (str(error), error.exit_code) == (message, 1)


def test_loglevel_is_case_insensitive_and_checked(tmp_path: Path) -> None:
    assert parse_options(["-L", "warning"], {}, tmp_path, tmp_path).loglevel == "WARNING"
    error = error_for(["--loglevel", "LOUD"], tmp_path)
    assert (str(error), error.exit_code) == (
        "argument --loglevel/-L: invalid log level 'LOUD': choose from DEBUG, INFO, WARNING, ERROR, CRITICAL",
        2,
    )


def test_misplaced_user_class_is_reported(tmp_path: Path) -> None:
    assert str(error_for(["A", "--headless", "B"], tmp_path)) == "unrecognized arguments: B"
