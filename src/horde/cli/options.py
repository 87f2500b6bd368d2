"""The command line's public face: build the parser, parse in two phases.

Typical use (what ``horde.cli.main`` does)::

    locustfile = parse_locustfile_option(argv, environ, cwd, home)   # phase 1: which file to import
    ... import it; its init_command_line_parser listeners get ``parser`` ...
    parser = extended_parser(events)
    options = parse_options(argv, environ, cwd, home, parser)        # phase 2: everything

A script's own command line (``python locustfile.py --host ...``) is :func:`parse_script_options`.

Errors raise :class:`horde.exception.UsageError`; ``-h``/``-V`` raise
:class:`~horde.cli.early_exit.HelpRequested`/:class:`~horde.cli.early_exit.VersionRequested`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from horde.cli.argparser import HordeArgumentGroup, HordeArgumentParser
from horde.cli.builtin_options import DEFAULT_LOCUSTFILE, build_parser, version_text
from horde.cli.config_sources import EarlyOptions, parse_early_options, parse_locustfile_option, parse_options

if TYPE_CHECKING:
    from horde.runtime.events import Events


def extended_parser(events: Events) -> HordeArgumentParser:
    """Every built-in option, and those ``events.init_command_line_parser`` listeners add."""
    parser = build_parser()
    events.init_command_line_parser.fire(parser=parser)
    return parser


def parse_script_options(events: Events, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The options of this process's command line (or ``argv``), config files and environment, as
    a script that uses Horde (or Locust) as a library reads them."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    return parse_options(arguments, os.environ, Path.cwd(), Path.home(), extended_parser(events))


__all__ = [
    "DEFAULT_LOCUSTFILE",
    "EarlyOptions",
    "HordeArgumentGroup",
    "HordeArgumentParser",
    "build_parser",
    "extended_parser",
    "parse_early_options",
    "parse_locustfile_option",
    "parse_options",
    "parse_script_options",
    "version_text",
]
