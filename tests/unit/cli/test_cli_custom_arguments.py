"""Options a locustfile adds in an init_command_line_parser listener, before the full parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from horde.cli.argparser import HordeArgumentParser
from horde.cli.options import build_parser, parse_options
from horde.exception import UsageError


def listener(parser: HordeArgumentParser) -> None:
    """What a Locust locustfile writes (Locust docs, "custom arguments")."""
    parser.add_argument(
        "--my-argument", type=str, env_var="LOCUST_MY_ARGUMENT", default="", help="It's working"
    )
    parser.add_argument("--my-ui-invisible-argument", include_in_web_ui=False, default="I am invisible")
    parser.add_argument("--my-secret-argument", is_secret=True, default="secret")
    parser.add_argument("--shop-size", type=int, env_var="SHOP_SIZE", default=5)
    parser.add_argument("--fast-mode", action="store_true", env_var="LOCUST_FAST_MODE")
    parser.add_argument("--regions", nargs="+", env_var="LOCUST_REGIONS", is_multiple=True)


@pytest.fixture
def parser() -> HordeArgumentParser:
    made = build_parser()
    listener(made)
    return made


def test_defaults_of_custom_arguments(parser: HordeArgumentParser, tmp_path: Path) -> None:
    options = parse_options([], {}, tmp_path, tmp_path, parser)
    assert (options.my_argument, options.my_ui_invisible_argument, options.my_secret_argument) == (
        "",
        "I am invisible",
        "secret",
    )
    assert (options.shop_size, options.fast_mode, options.regions) == (5, False, None)


def test_custom_env_var_and_its_horde_twin(parser: HordeArgumentParser, tmp_path: Path) -> None:
    assert parse_options([], {"LOCUST_MY_ARGUMENT": "env"}, tmp_path, tmp_path, parser).my_argument == "env"
    environ = {"LOCUST_MY_ARGUMENT": "env", "HORDE_MY_ARGUMENT": "horde"}
    assert parse_options([], environ, tmp_path, tmp_path, parser).my_argument == "horde"
    assert parse_options(["--my-argument", "cli"], environ, tmp_path, tmp_path, parser).my_argument == "cli"


def test_custom_env_var_outside_locust_family(parser: HordeArgumentParser, tmp_path: Path) -> None:
    assert parse_options([], {"SHOP_SIZE": "9"}, tmp_path, tmp_path, parser).shop_size == 9


def test_custom_boolean_and_list_from_env(parser: HordeArgumentParser, tmp_path: Path) -> None:
    environ = {"LOCUST_FAST_MODE": "yes", "LOCUST_REGIONS": "eu us"}
    options = parse_options([], environ, tmp_path, tmp_path, parser)
    assert (options.fast_mode, options.regions) == (True, ["eu", "us"])


def test_custom_arguments_from_config_files(parser: HordeArgumentParser, tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("my-argument = from-conf\nfast-mode = true\nregions = [eu, ap]\n")
    options = parse_options([], {}, tmp_path, tmp_path, parser)
    assert (options.my_argument, options.fast_mode, options.regions) == ("from-conf", True, ["eu", "ap"])


def test_plus_nargs_needs_a_value_in_config(parser: HordeArgumentParser, tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("regions = []\n")
    with pytest.raises(UsageError, match=r"--regions in .*: expected at least one value"):
        parse_options([], {}, tmp_path, tmp_path, parser)


def test_custom_key_is_unknown_without_the_listener(tmp_path: Path) -> None:
    (tmp_path / "locust.conf").write_text("my-argument = x\n")
    with pytest.raises(UsageError, match="unknown option 'my-argument'"):
        parse_options([], {}, tmp_path, tmp_path)


def test_required_custom_argument_satisfied_by_env(tmp_path: Path) -> None:
    parser = build_parser()
    parser.add_argument("--token", required=True, env_var="LOCUST_TOKEN")
    assert parse_options([], {"LOCUST_TOKEN": "t"}, tmp_path, tmp_path, parser).token == "t"
    with pytest.raises(UsageError, match="the following arguments are required: --token"):
        parse_options([], {}, tmp_path, tmp_path, parser)
    # The parser is left as it was: still required for the next parse.
    with pytest.raises(UsageError):
        parse_options([], {}, tmp_path, tmp_path, parser)


def test_custom_arguments_are_listed_for_the_web_ui(parser: HordeArgumentParser) -> None:
    custom = {action.dest: action for action in parser.custom_actions()}
    assert list(custom) == [
        "my_argument", "my_ui_invisible_argument", "my_secret_argument", "shop_size", "fast_mode", "regions",
    ]  # fmt: skip
    assert getattr(custom["my_ui_invisible_argument"], "include_in_web_ui", None) is False
    assert getattr(custom["my_secret_argument"], "is_secret", None) is True
    assert getattr(custom["regions"], "is_multiple", None) is True
