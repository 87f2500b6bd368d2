"""``locust.argument_parser``: Locust's parser functions, on Horde's parser (the same options, the
same config files and ``LOCUST_*`` variables). Plugins and locustfiles annotate their
``init_command_line_parser`` listeners with ``LocustArgumentParser``, and scripts call
``parse_options`` to read the command line as Locust would."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from horde.cli.argparser import HordeArgumentParser as LocustArgumentParser
from horde.cli.builtin_options import build_parser
from horde.cli.config_sources import parse_options as parse_layered
from horde.cli.early_exit import EarlyExit
from horde.cli.option_types import timespan_seconds as timespan
from horde.cli.options import extended_parser, parse_script_options
from horde.cli.web_run import custom_options
from horde.exception import UsageError
from horde.runtime.loading import expand_locustfile_option


class _ConfiguredParser(LocustArgumentParser):
    """``get_parser()``'s parser: ``parse_args`` reads the config files and ``LOCUST_*`` variables
    under the command line, as Locust's ConfigArgParse parser does."""

    default_config_files: Sequence[str] | None = None

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        with _exits_as_locusts():
            return parse_layered(argv, os.environ, Path.cwd(), Path.home(), self, self.default_config_files)


def get_parser(default_config_files: Sequence[str] | None = None) -> LocustArgumentParser:
    """Every option, with those the ``init_command_line_parser`` listeners add (those of
    ``locust.events`` when asked: a script or test may have replaced it, as Locust reads it then).
    ``default_config_files`` replaces the usual ones (~/.locust.conf, locust.conf, pyproject.toml)."""
    import horde.compat.locust as locust

    parser = extended_parser(locust.events)
    parser.__class__ = _ConfiguredParser  # the same parser, with Locust's parse_args
    if default_config_files is not None:
        parser.default_config_files = list(default_config_files)  # type: ignore[attr-defined]
    return parser


def parse_options(args: Sequence[str] | None = None) -> argparse.Namespace:
    """The options of ``args`` (default: this process's command line), with config files and
    environment variables under them. As Locust's: a mistake is one line on stderr and
    ``SystemExit``, ``--help`` prints and exits."""
    import horde.compat.locust as locust

    with _exits_as_locusts():
        return parse_script_options(locust.events, args)


def parse_locustfile_paths(paths: list[str]) -> list[str]:
    """The locustfiles ``-f`` values name (files, and the ``*.py`` under directories), absolute."""
    with _exits_as_locusts():
        return [os.path.abspath(path) for path in expand_locustfile_option(",".join(paths))]


def ui_extra_args_dict(args: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """The locustfile's options the web UI's form shows, with their values from ``args``."""
    parser = get_parser()
    with _exits_as_locusts():
        values = vars(parser.parse_args(list(args or [])))
    return {
        option.name: {
            "default_value": values.get(option.name),
            "is_secret": option.secret,
            "is_required": option.required,
            "help_text": option.help,
            "is_multiple": option.multiple,
            "choices": option.choices,
        }
        for option in custom_options(parser)
        if option.in_form
    }


@contextmanager
def _exits_as_locusts() -> Iterator[None]:
    try:
        yield
    except UsageError as error:
        sys.stderr.write(f"locust: error: {error}\n")
        sys.exit(error.exit_code)
    except EarlyExit as done:
        sys.stdout.write(done.text if done.text.endswith("\n") else done.text + "\n")
        sys.exit(done.exit_code)


def default_args_dict() -> dict[str, Any]:
    """Every built-in option's default (no command line, config file or locustfile option)."""
    return vars(build_parser().parse_args([]))


__all__ = (
    "LocustArgumentParser",
    "default_args_dict",
    "get_parser",
    "parse_locustfile_paths",
    "parse_options",
    "timespan",
    "ui_extra_args_dict",
)
