"""``locust.argument_parser``: Locust's parser functions, on Horde's parser (the same options, the
same config files and ``LOCUST_*`` variables). Plugins and locustfiles annotate their
``init_command_line_parser`` listeners with ``LocustArgumentParser``, and scripts call
``parse_options`` to read the command line as Locust would."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from horde.cli.argparser import HordeArgumentParser as LocustArgumentParser
from horde.cli.builtin_options import build_parser
from horde.cli.config_sources import parse_options as _parse_options
from horde.cli.option_types import timespan_seconds as timespan
from horde.runtime.events import events


def get_parser(default_config_files: Any = None) -> LocustArgumentParser:
    """Every option, with those the locustfile's ``init_command_line_parser`` listeners add."""
    parser = build_parser()
    events.init_command_line_parser.fire(parser=parser)
    return parser


def parse_options(args: Sequence[str] | None = None) -> argparse.Namespace:
    """The options of ``args`` (default: this process's command line), with config files and
    environment variables under them."""
    argv = sys.argv[1:] if args is None else list(args)
    return _parse_options(argv, os.environ, Path.cwd(), Path.home(), get_parser())


def default_args_dict() -> dict[str, Any]:
    """Every built-in option's default (no command line, config file or locustfile option)."""
    return vars(build_parser().parse_args([]))


__all__ = ("LocustArgumentParser", "default_args_dict", "get_parser", "parse_options", "timespan")
