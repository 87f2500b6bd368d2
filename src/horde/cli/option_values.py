"""Turning a raw setting (text, boolean or list from a file or env var) into an option's parsed value.

The command line goes through argparse; values from config files and the environment go through
here, using the same action (type, choices, nargs) so that ``spawn-rate = abc`` fails the way
``--spawn-rate abc`` does, but naming the file and line.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from horde.cli.argparser import USAGE_EXIT_CODE, option_label
from horde.cli.config_files import SettingValue, split_bracket_list
from horde.exception import UsageError

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_MANY = frozenset({"*", "+", argparse.REMAINDER})


@dataclass(frozen=True, slots=True)
class Assignment:
    """A raw value for a known option, with where it came from (``origin``) for error messages."""

    action: argparse.Action
    raw: SettingValue
    origin: str

    def fail(self, problem: str) -> UsageError:
        """The error for this assignment: option, place and what is wrong, on one line."""
        return UsageError(
            f"invalid value for {option_label(self.action)} in {self.origin}: {problem}", USAGE_EXIT_CODE
        )


def parsed_value(assignment: Assignment) -> object:
    """The value the option's dest takes when ``assignment`` is the last word on it.

    Options marked ``command_line_only`` (help, version, --config) make no sense elsewhere and are refused.
    """
    action = assignment.action
    if getattr(action, "command_line_only", False) or isinstance(
        action, (argparse._HelpAction, argparse._VersionAction)
    ):
        raise assignment.fail("it can only be given on the command line")
    if action.nargs == 0:
        return _flag_value(assignment)
    if _takes_many(action):
        items = [_convert(assignment, item) for item in _as_list(assignment)]
        if action.nargs == "+" and not items:
            raise assignment.fail("expected at least one value")
        if isinstance(action.nargs, int) and len(items) != action.nargs:
            raise assignment.fail(f"expected {action.nargs} values, got {len(items)}")
        return items
    if isinstance(assignment.raw, list):
        raise assignment.fail(f"expected one value, got a list {assignment.raw!r}")
    return _convert(assignment, _as_text(assignment.raw))


def parse_boolean(text: str) -> bool | None:
    """``true/false/1/0/yes/no`` in any case; None when ``text`` is none of them."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _flag_value(assignment: Assignment) -> object:
    """A switch (store_true and friends): true sets what the flag sets, false what its absence leaves."""
    raw = assignment.raw
    enabled = raw if isinstance(raw, bool) else parse_boolean(raw) if isinstance(raw, str) else None
    if enabled is None:
        raise assignment.fail(f"expected true or false, got {raw!r}")
    const = assignment.action.const
    if enabled:
        return True if const is None else const
    # A false must beat a true from a lower source, so it becomes the opposite of the flag's value.
    return (not const) if isinstance(const, bool) else assignment.action.default


def _takes_many(action: argparse.Action) -> bool:
    return (
        action.nargs in _MANY or isinstance(action.nargs, int) or isinstance(action, argparse._AppendAction)
    )


def _as_list(assignment: Assignment) -> list[str]:
    raw = assignment.raw
    if isinstance(raw, list):
        return raw
    text = _as_text(raw)
    if getattr(assignment.action, "keep_whole", False):
        return [text]
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        return split_bracket_list(stripped)
    return text.split()


def _as_text(raw: str | bool) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return raw


def _convert(assignment: Assignment, text: str) -> object:
    """Apply the option's ``type`` and ``choices`` as argparse would on the command line."""
    action = assignment.action
    convert = action.type if callable(action.type) else None
    try:
        value = convert(text) if convert is not None else text
    except argparse.ArgumentTypeError as exc:
        raise assignment.fail(str(exc)) from None
    except (TypeError, ValueError):
        type_name = getattr(convert, "__name__", repr(convert))
        raise assignment.fail(f"invalid {type_name} value: {text!r}") from None
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(repr(choice) for choice in action.choices)
        raise assignment.fail(f"invalid choice: {value!r} (choose from {choices})")
    return value
