"""Options from environment variables: Locust's ``LOCUST_*`` names and a ``HORDE_*`` twin for each.

An option reads the variable named by its ``env_var=`` (Locust's table for built-in options, anything a
locustfile chooses for its own). A ``LOCUST_X`` variable also has a ``HORDE_X`` twin that outranks it, so a
Horde user can override a Locust setting kept in a shared environment.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping

from horde.cli.argparser import env_var_of
from horde.cli.option_values import Assignment

LOCUST_PREFIX = "LOCUST_"
HORDE_PREFIX = "HORDE_"


def horde_twin(env_var: str) -> str | None:
    """``LOCUST_USERS`` -> ``HORDE_USERS``; None for names outside the ``LOCUST_`` family."""
    if env_var.startswith(LOCUST_PREFIX):
        return HORDE_PREFIX + env_var[len(LOCUST_PREFIX) :]
    return None


def locust_level(actions: Iterable[argparse.Action], environ: Mapping[str, str]) -> list[Assignment]:
    """Assignments from the variables options declare themselves (``LOCUST_*`` or a locustfile's own)."""
    named = ((action, env_var_of(action)) for action in actions)
    return _read(
        ((action, name) for action, name in named if name and not name.startswith(HORDE_PREFIX)), environ
    )


def horde_level(actions: Iterable[argparse.Action], environ: Mapping[str, str]) -> list[Assignment]:
    """Assignments from ``HORDE_*`` variables: twins of ``LOCUST_*`` ones, or declared as ``HORDE_*``."""
    pairs = []
    for action in actions:
        name = env_var_of(action)
        if name is None:
            continue
        twin = name if name.startswith(HORDE_PREFIX) else horde_twin(name)
        if twin is not None:
            pairs.append((action, twin))
    return _read(pairs, environ)


def _read(pairs: Iterable[tuple[argparse.Action, str]], environ: Mapping[str, str]) -> list[Assignment]:
    # An empty variable counts as unset: `LOCUST_HOST=` in a compose file means "no value", not "".
    return [
        Assignment(action, environ[name], f"environment variable {name}")
        for action, name in pairs
        if environ.get(name, "").strip()
    ]
