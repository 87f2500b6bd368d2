"""Mistakes found before the test starts, each as one line (a :class:`UsageError`), never as a
traceback per user or an error after the whole run: user classes that cannot run, a host that
cannot be parsed, report files that cannot be written."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from horde.exception import UsageError
from horde.http.urls import host_problem
from horde.user.http_users import needs_host
from horde.user.users import User
from horde.web.report import html_file_name


def check_user_classes(user_classes: list[type[User]]) -> None:
    """Every class at weight 0, a ``wait_time`` that is not a function, no class with tasks:
    Locust starts such runs and fails in every user; here the run does not start."""
    if user_classes and not any(c.weight > 0 or c.fixed_count > 0 for c in user_classes):
        names = ", ".join(c.__name__ for c in user_classes)
        raise UsageError(f"There are no users with weight > 0 ({names}): give one a weight or fixed_count")
    for user_class in user_classes:
        for holder in _task_holders(user_class, set()):
            wait_time = getattr(holder, "wait_time", None)  # its own or inherited
            if wait_time is not None and not callable(wait_time):
                raise UsageError(
                    f"{holder.__name__}.wait_time must be a function such as between(1, 5) or "
                    f"constant(1), not {wait_time!r}"
                )
    # One class without tasks beside others runs as in Locust (its users fail at each turn: Locust's
    # own x-forwarded-for example has such a base class); with no class able to run, nothing starts.
    idle = [c.__name__ for c in user_classes if not c.tasks and c.run is User.run]
    if idle and len(idle) == len(user_classes):
        raise UsageError(
            f"No tasks defined on {', '.join(idle)}. Use the @task decorator or set the 'tasks' "
            "attribute of the User (or mark it as abstract = True if you only intend to subclass it)"
        )


def _task_holders(holder: Any, seen: set[Any]) -> Iterator[Any]:
    """``holder`` and the classes with tasks reachable through its tasks (each once)."""
    if holder in seen:
        return
    seen.add(holder)
    yield holder
    for entry in getattr(holder, "tasks", ()):
        if isinstance(entry, type) and hasattr(entry, "tasks"):
            yield from _task_holders(entry, seen)


def check_hosts(user_classes: list[type[User]], host: str | None) -> None:
    """The host each HTTP user class will use (``--host`` or its own) must be a URL it can request."""
    for user_class in user_classes:
        chosen = host or user_class.host
        problem = host_problem(chosen) if chosen and needs_host(user_class) else None
        if problem is not None:
            what = "--host" if host else f"host of {user_class.__name__}"
            raise UsageError(f"invalid {what} {chosen!r}: {problem}")


def check_output_paths(options: argparse.Namespace) -> None:
    """Each report file's folder can be created and written, before the test rather than after."""
    for flag, path in _outputs(options):
        problem = file_problem(path)
        if problem is not None:
            raise UsageError(f"cannot write {flag} to {path}: {problem}")


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be written (its folders are created if missing), or None."""
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return str(error.strerror or error)
    if path.is_dir():
        return "it is a folder"
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


def _outputs(options: argparse.Namespace) -> Iterator[tuple[str, Path]]:
    if options.csv_prefix:
        yield "--csv", Path(f"{options.csv_prefix}_stats.csv")
    if options.html_file:
        name = html_file_name(options.html_file, options.num_users, options.spawn_rate, options.run_time)
        yield "--html", Path(name)
    if options.json_file:
        yield "--json-file", Path(f"{options.json_file}.json")
    if options.summary_json:
        yield "--summary-json", Path(options.summary_json)
