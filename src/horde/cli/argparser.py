"""The argument parser class that locustfiles receive in ``init_command_line_parser`` listeners.

Locust's parser is ConfigArgParse, so locustfiles pass keywords that plain argparse rejects
(``env_var=``, ``include_in_web_ui=``, ``is_secret=``, ``is_required=``, ``is_multiple=``). This parser
accepts them on the parser and on every group and stores them on the created action, where the
environment reader and the web UI find them. It never prints and never exits: errors become
:class:`~horde.exception.UsageError`, ``--help`` and ``--version`` become :class:`EarlyExit` subclasses.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from horde.cli.early_exit import EarlyExit
from horde.cli.suggest import did_you_mean
from horde.exception import UsageError

USAGE_EXIT_CODE = 2
"""Exit code of command-line mistakes, as argparse (and so Locust) uses."""

# ConfigArgParse-style keywords and their values when a call leaves them out.
EXTRA_KEYWORDS: dict[str, object] = {
    "env_var": None,
    "include_in_web_ui": True,
    "is_secret": False,
    "is_required": False,
    "is_multiple": False,
}


class _AcceptsExtraKeywords(argparse._ActionsContainer):
    """Mixin for the parser and its groups: strip the extra keywords, then attach them to the action."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        extras = {name: kwargs.pop(name, default) for name, default in EXTRA_KEYWORDS.items()}
        action = super().add_argument(*args, **kwargs)
        for name, value in extras.items():
            setattr(action, name, value)
        return action

    # ConfigArgParse spells it ``add`` too; some locustfiles use that.
    add = add_argument

    def add_argument_group(self, *args: Any, **kwargs: Any) -> HordeArgumentGroup:
        group = HordeArgumentGroup(self, *args, **kwargs)
        self._action_groups.append(group)
        return group

    def add_mutually_exclusive_group(self, **kwargs: Any) -> HordeMutuallyExclusiveGroup:
        group = HordeMutuallyExclusiveGroup(self, **kwargs)
        self._mutually_exclusive_groups.append(group)
        return group


class HordeArgumentGroup(_AcceptsExtraKeywords, argparse._ArgumentGroup):
    """An argument group that takes the same extra keywords as :class:`HordeArgumentParser`."""


class HordeMutuallyExclusiveGroup(_AcceptsExtraKeywords, argparse._MutuallyExclusiveGroup):
    """A mutually exclusive group that takes the same extra keywords as :class:`HordeArgumentParser`."""


class HordeArgumentParser(_AcceptsExtraKeywords, argparse.ArgumentParser):
    """argparse with ConfigArgParse's extra keywords, no abbreviations, and exceptions instead of exits.

    Abbreviations are off because a locustfile may add ``--run-id`` after a user relied on ``--run``
    meaning ``--run-time``; exact names keep every command line meaning one thing.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.builtin_dests: frozenset[str] = frozenset()

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, USAGE_EXIT_CODE)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        # Only reached through actions a locustfile brought (Horde's own help/version raise directly).
        raise EarlyExit(message or "", status)

    def actions(self) -> list[argparse.Action]:
        """Every action of the parser, built-in and added by locustfiles, in the order added."""
        return list(self._actions)

    def mark_builtin(self) -> None:
        """Remember the options present now, so later additions count as the locustfile's own."""
        self.builtin_dests = frozenset(action.dest for action in self._actions)

    def custom_actions(self) -> list[argparse.Action]:
        """Options added after :meth:`mark_builtin`: those a locustfile registered (web UI, workers)."""
        return [action for action in self._actions if action.dest not in self.builtin_dests]

    def long_options(self, include_hidden: bool = False) -> list[str]:
        """All ``--long`` option strings, hidden ones only when asked (suggestions skip them)."""
        return [
            option
            for action in self._actions
            if include_hidden or action.help is not argparse.SUPPRESS
            for option in action.option_strings
            if option.startswith("--")
        ]

    def unrecognized(self, extras: Sequence[str]) -> UsageError:
        """Build the error for leftover command-line words, suggesting the option probably meant."""
        hint = ""
        for word in extras:
            if word.startswith("--"):
                hint = did_you_mean(word.split("=", 1)[0], self.long_options())
                if hint:
                    break
        return UsageError(f"unrecognized arguments: {' '.join(extras)}{hint}", USAGE_EXIT_CODE)


def env_var_of(action: argparse.Action) -> str | None:
    """The environment variable an option reads (``env_var=``), or None."""
    value = getattr(action, "env_var", None)
    return value if isinstance(value, str) and value else None


def option_label(action: argparse.Action) -> str:
    """How messages name an option: its long form, else its first form, else its metavar or dest."""
    for option in action.option_strings:
        if option.startswith("--"):
            return option
    if action.option_strings:
        return action.option_strings[0]
    metavar = action.metavar if isinstance(action.metavar, str) else None
    return metavar or action.dest
