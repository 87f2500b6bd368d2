"""Requests to stop after printing something (``--help``, ``--version``), raised instead of ``sys.exit``.

The parser never prints or exits: it hands the text to the caller, which decides where it goes. This keeps
parsing pure and lets tests check the text without capturing stdout.
"""

from __future__ import annotations


class EarlyExit(Exception):
    """Parsing ended because the user asked for information; print ``text`` and exit with ``exit_code``.

    Unlike :class:`horde.exception.UsageError` nothing went wrong: the text goes to stdout and the
    exit code is 0.
    """

    def __init__(self, text: str, exit_code: int = 0) -> None:
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code


class HelpRequested(EarlyExit):
    """``-h/--help`` was given; ``text`` is the full help, including options added by the locustfile."""


class VersionRequested(EarlyExit):
    """``-V/--version`` was given; ``text`` is ``horde <version> from <path> (Python <version>)``."""
