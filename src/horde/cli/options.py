"""The command line's public face: build the parser, parse in two phases.

Typical use (what ``horde.cli.main`` does)::

    locustfile = parse_locustfile_option(argv, environ, cwd, home)   # phase 1: which file to import
    ... import it; its init_command_line_parser listeners get ``parser`` ...
    parser = build_parser()
    events.init_command_line_parser.fire(parser=parser)
    options = parse_options(argv, environ, cwd, home, parser)        # phase 2: everything

Errors raise :class:`horde.exception.UsageError`; ``-h``/``-V`` raise
:class:`~horde.cli.early_exit.HelpRequested`/:class:`~horde.cli.early_exit.VersionRequested`.
"""

from __future__ import annotations

from horde.cli.argparser import HordeArgumentGroup, HordeArgumentParser
from horde.cli.builtin_options import DEFAULT_LOCUSTFILE, build_parser, version_text
from horde.cli.config_sources import EarlyOptions, parse_early_options, parse_locustfile_option, parse_options

__all__ = [
    "DEFAULT_LOCUSTFILE",
    "EarlyOptions",
    "HordeArgumentGroup",
    "HordeArgumentParser",
    "build_parser",
    "parse_early_options",
    "parse_locustfile_option",
    "parse_options",
    "version_text",
]
