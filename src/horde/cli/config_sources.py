"""Layering every source of options, lowest to highest priority, into one ``argparse.Namespace``.

    ~/.locust.conf < ./locust.conf < ./pyproject.toml [tool.locust] < ./horde.toml
    < ./pyproject.toml [tool.horde] < --config FILE < LOCUST_* env < HORDE_* env < command line

Files and environment are converted option by option into a dict of dest -> value, later sources
overwriting earlier ones (so ``headless = false`` can undo a lower ``headless = true``); that dict
pre-fills the namespace argparse parses the command line into, so the command line wins and argparse
fills only what no source set. Process state (argv, environ, cwd, home) is passed in, never read here.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from horde.cli.argparser import USAGE_EXIT_CODE, HordeArgumentParser
from horde.cli.builtin_options import (
    add_config_argument,
    add_locustfile_argument,
    add_master_connection_arguments,
    add_master_secret_argument,
    add_version_argument,
    build_parser,
)
from horde.cli.config_files import (
    Setting,
    read_ini_settings,
    read_toml_tables,
    settings_from_table,
    table_at,
)
from horde.cli.env_settings import horde_level, locust_level
from horde.cli.option_values import Assignment, parsed_value
from horde.cli.suggest import did_you_mean
from horde.cli.validation import finalize_options
from horde.exception import UsageError

Values = dict[str, object]


@dataclass(frozen=True, slots=True)
class EarlyOptions:
    """What is known before the locustfile is imported (first parsing phase)."""

    locustfile: str
    help_requested: bool
    worker: bool = False  # with the master's address and secret: where ``-f -`` fetches from
    master_host: str = "127.0.0.1"
    master_port: int = 5557
    master_secret: str | None = None


def parse_options(
    argv: Sequence[str],
    environ: Mapping[str, str],
    cwd: Path,
    home: Path,
    parser: HordeArgumentParser | None = None,
    default_files: Sequence[str] | None = None,
) -> argparse.Namespace:
    """Parse all sources into Locust-named options; raise ``UsageError`` on any bad input.

    Pass the parser the locustfile's ``init_command_line_parser`` listeners extended, so their options
    (and their ``env_var``) are read too. ``-h``/``-V`` raise ``HelpRequested``/``VersionRequested``.
    """
    parser = parser if parser is not None else build_parser()
    layered = layered_values(parser, argv, environ, cwd, home, strict=True, default_files=default_files)
    options, extras = _parse_command_line(parser, argv, layered)
    if extras:
        raise parser.unrecognized(extras)
    finalize_options(options)
    return options


def parse_early_options(
    argv: Sequence[str], environ: Mapping[str, str], cwd: Path, home: Path
) -> EarlyOptions:
    """First phase: the locustfile to import (from every source) and whether help was asked for.

    Everything else is left for :func:`parse_options`, because the locustfile may add options. Raises
    ``VersionRequested`` for ``-V`` at once: the version needs no locustfile.
    """
    parser = _early_parser()
    layered = layered_values(parser, argv, environ, cwd, home, strict=False)
    options, _ = _parse_command_line(parser, argv, layered)
    return EarlyOptions(
        locustfile=options.locustfile,
        help_requested=options.help,
        worker=options.worker,
        master_host=options.master_host,
        master_port=options.master_port,
        master_secret=options.master_secret,
    )


def parse_locustfile_option(argv: Sequence[str], environ: Mapping[str, str], cwd: Path, home: Path) -> str:
    """The ``-f/--locustfile`` value after layering all sources; ``"locustfile.py"`` when none sets it."""
    return parse_early_options(argv, environ, cwd, home).locustfile


def layered_values(
    parser: HordeArgumentParser,
    argv: Sequence[str],
    environ: Mapping[str, str],
    cwd: Path,
    home: Path,
    strict: bool,
    default_files: Sequence[str] | None = None,
) -> Values:
    """Merge config files and environment (not the command line) into dest -> value.

    ``strict=False`` ignores keys the parser does not know: the first phase runs before the
    locustfile has added its options.
    """
    actions = parser.actions()
    keys = _config_keys(actions)
    values: Values = {}
    for settings in _file_sources(cwd, home, _config_file_argument(argv), default_files):
        _assign(values, _bind(settings, keys, strict))
    _assign(values, locust_level(actions, environ))
    _assign(values, horde_level(actions, environ))
    return values


def _file_sources(
    cwd: Path, home: Path, config_file: str | None, default_files: Sequence[str] | None = None
) -> list[list[Setting]]:
    """Settings of each config file, lowest priority first; missing default files are simply absent.
    ``default_files`` (Locust's ``get_parser(default_config_files=...)``) replaces the usual ones."""
    if default_files is not None:
        named = [Path(name).expanduser() for name in default_files]
        sources = [_explicit_config(cwd / path) for path in named if (cwd / path).is_file()]
        if config_file is not None:
            sources.append(_explicit_config(cwd / config_file))
        return sources
    sources = [_optional_ini(home / ".locust.conf"), _optional_ini(cwd / "locust.conf")]
    pyproject = cwd / "pyproject.toml"
    document = read_toml_tables(pyproject) if pyproject.is_file() else {}
    sources.append(settings_from_table(table_at(document, ("tool", "locust")), f"{pyproject} [tool.locust]"))
    horde_toml = cwd / "horde.toml"
    if horde_toml.is_file():
        sources.append(settings_from_table(read_toml_tables(horde_toml), str(horde_toml)))
    sources.append(settings_from_table(table_at(document, ("tool", "horde")), f"{pyproject} [tool.horde]"))
    if config_file is not None:
        sources.append(_explicit_config(cwd / config_file))
    return sources


def _optional_ini(path: Path) -> list[Setting]:
    return read_ini_settings(path) if path.is_file() else []


def _explicit_config(path: Path) -> list[Setting]:
    """``--config FILE``: must exist; ``.toml`` is read like pyproject (tool tables) or like horde.toml."""
    if not path.is_file():
        raise UsageError(f"config file not found: {path}", USAGE_EXIT_CODE)
    if path.suffix.lower() != ".toml":
        return read_ini_settings(path)
    document = read_toml_tables(path)
    if "tool" not in document:
        return settings_from_table(document, str(path))
    return [
        *settings_from_table(table_at(document, ("tool", "locust")), f"{path} [tool.locust]"),
        *settings_from_table(table_at(document, ("tool", "horde")), f"{path} [tool.horde]"),
    ]


def _config_file_argument(argv: Sequence[str]) -> str | None:
    """Find ``--config`` before anything else, since it decides which files are read."""
    scout = HordeArgumentParser(add_help=False)
    add_config_argument(scout)
    found, _ = scout.parse_known_args(list(argv))
    config: str | None = found.config
    return config


def _config_keys(actions: Iterable[argparse.Action]) -> dict[str, argparse.Action]:
    """Config-file key (long option without dashes) -> action; hidden options included. A short
    option's letter is a key too (``u 100``: Locust's config files take it, through argparse's
    abbreviations) unless a long option has that name."""
    keys: dict[str, argparse.Action] = {}
    for action in actions:
        for option in action.option_strings:
            if option.startswith("--"):
                keys[option[2:]] = action
    for action in actions:
        for option in action.option_strings:
            if not option.startswith("--"):
                keys.setdefault(option[1:], action)
    return keys


def _bind(settings: Iterable[Setting], keys: Mapping[str, argparse.Action], strict: bool) -> list[Assignment]:
    bound = []
    for setting in settings:
        action = keys.get(setting.key)
        if action is not None:
            bound.append(Assignment(action, setting.value, setting.origin))
        elif strict:
            visible = [key for key, known in keys.items() if known.help is not argparse.SUPPRESS]
            hint = did_you_mean(setting.key, visible, quote="'")
            raise UsageError(f"unknown option {setting.key!r} in {setting.origin}{hint}", USAGE_EXIT_CODE)
    return bound


def _assign(values: Values, assignments: Iterable[Assignment]) -> None:
    for assignment in assignments:
        values[assignment.action.dest] = parsed_value(assignment)


def _parse_command_line(
    parser: HordeArgumentParser, argv: Sequence[str], layered: Values
) -> tuple[argparse.Namespace, list[str]]:
    """Parse argv over a namespace pre-filled with ``layered``: argv overrides, defaults fill the rest."""
    # argparse insists a required option appear on the command line; one set by a file counts too.
    satisfied = [action for action in parser.actions() if action.required and action.dest in layered]
    for action in satisfied:
        action.required = False
    try:
        options, extras = parser.parse_known_args(list(argv), argparse.Namespace(**layered))
    finally:
        for action in satisfied:
            action.required = True
    _keep_layered_positionals(parser, options, layered)
    return options, extras


def _keep_layered_positionals(
    parser: HordeArgumentParser, options: argparse.Namespace, layered: Values
) -> None:
    """argparse always stores optional positionals (``[]`` when none given), hiding an env var's value."""
    for action in parser.actions():
        if action.option_strings or action.dest not in layered:
            continue
        current = getattr(options, action.dest, None)
        if current is None or current == [] or current is action.default:
            setattr(options, action.dest, layered[action.dest])


def _early_parser() -> HordeArgumentParser:
    """Only what the first phase needs; every other word of argv is left for the full parser."""
    parser = HordeArgumentParser(add_help=False)
    add_locustfile_argument(parser)
    add_config_argument(parser)
    add_master_connection_arguments(parser)
    add_master_secret_argument(parser)
    parser.add_argument("-h", "--help", action="store_true")
    add_version_argument(parser)
    return parser
