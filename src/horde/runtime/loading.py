"""Importing locustfiles and finding their user and shape classes."""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from horde.exception import UsageError
from horde.shapes.load_test_shape import LoadTestShape
from horde.user.pytest_users import pytest_user_classes
from horde.user.users import User

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it


@dataclass
class LoadedFiles:
    paths: list[str] = field(default_factory=list)
    user_classes: dict[str, type[User]] = field(default_factory=dict)
    shape_classes: dict[str, type[LoadTestShape]] = field(default_factory=dict)
    gevent_users: list[str] = field(default_factory=list)
    """The locustfiles that import gevent (or names from it) themselves."""
    thresholds: list[str] = field(default_factory=list)
    """The expressions of the locustfiles' module-level ``thresholds = [...]``."""


def expand_locustfile_option(option: str) -> list[str]:
    """``-f`` value: one file, a comma-separated list, or a directory (``*.py`` not starting with _)."""
    paths: list[str] = []
    for part in (p.strip() for p in option.split(",") if p.strip()):
        if part.startswith(("http://", "https://")):
            raise UsageError(f"Downloading locustfiles from URLs is not supported yet: {part}")
        path = Path(part)
        if path.is_dir():
            found = sorted(
                str(p)
                for p in path.rglob("*.py")
                if not p.name.startswith("_") and "__pycache__" not in p.parts
            )
            if not found:
                raise UsageError(
                    f"Could not find any locustfiles in directory '{part}' (*.py, not starting with _)"
                )
            paths.extend(found)
        else:
            if not path.suffix:
                path = path.with_suffix(".py")
            if not path.exists() or path.suffix != ".py":
                raise UsageError(
                    f"Could not find '{part}'. Ensure your locustfile ends with '.py' or is a directory "
                    "with locustfiles, and that it exists (use -f to point at it)."
                )
            paths.append(str(path))
    if not paths:
        raise UsageError("No locustfile given (use -f locustfile.py)")
    return paths


def _describe_import_error(path: str, error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        where = f"{error.filename or path}:{error.lineno}"
        source = (error.text or "").strip()
        return f"Could not parse {where}: {error.msg}" + (f": {source}" if source else "")
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == os.path.abspath(path)]
    where = f"{path}:{frames[-1].lineno}" if frames else path
    return f"Error while importing {where}: {type(error).__name__}: {error}"


def import_locustfile(path: str) -> dict[str, Any]:
    """Import one locustfile as a module (its directory on sys.path, as Locust does)."""
    absolute = os.path.abspath(path)
    directory = os.path.dirname(absolute)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    module_name = Path(absolute).stem
    if module_name == "locust":
        module_name = "locustfile_locust"
    spec = importlib.util.spec_from_file_location(module_name, absolute)
    if spec is None or spec.loader is None:
        raise UsageError(f"Could not import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        sys.modules.pop(module_name, None)
        raise UsageError(_describe_import_error(path, error)) from error
    return vars(module)


def _is_user_class(value: Any) -> bool:
    return inspect.isclass(value) and issubclass(value, User) and not getattr(value, "abstract", True)


def _is_shape_class(value: Any) -> bool:
    return (
        inspect.isclass(value)
        and issubclass(value, LoadTestShape)
        and value is not LoadTestShape
        and not value.__dict__.get("abstract", False)
    )


def load_locustfiles(paths: list[str]) -> LoadedFiles:
    loaded = LoadedFiles(paths=paths)
    namespaces = [import_locustfile(path) for path in paths]
    loaded.gevent_users = [
        path for path, namespace in zip(paths, namespaces, strict=True) if _uses_gevent(namespace)
    ]
    for path, namespace in zip(paths, namespaces, strict=True):
        loaded.thresholds += _thresholds(path, namespace.get("thresholds"))
        for name, value in namespace.items():
            if _is_user_class(value):
                _add(
                    loaded.user_classes,
                    name,
                    value,
                    "user class names: {name} is defined in both {a} and {b}",
                )
            elif _is_shape_class(value):
                _add(loaded.shape_classes, name, value, "shape classes: {name}")
    if not loaded.user_classes:  # as Locust: pytest-style tests only where no file has User classes
        for namespace in namespaces:
            for name, value in pytest_user_classes(namespace).items():
                _add(
                    loaded.user_classes,
                    name,
                    value,
                    "user class names: {name} is defined in both {a} and {b}",
                )
    if len(loaded.shape_classes) > 1:
        names = ", ".join(loaded.shape_classes)
        logger.warning("Found several LoadTestShape classes (%s): using the first, as Locust does", names)
    return loaded


def _thresholds(path: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise UsageError(f'{path}: thresholds must be a list of expressions such as "p95<300ms"')
    return list(value)


def _uses_gevent(namespace: dict[str, Any]) -> bool:
    return any(
        (
            getattr(value, "__name__", "")
            if inspect.ismodule(value)
            else getattr(value, "__module__", None) or ""
        ).split(".")[0]
        == "gevent"
        for value in namespace.values()
    )


def _add(found: dict[str, Any], name: str, value: type, message: str) -> None:
    """One name, one class: a second class of the same name in another file is an error, as in
    Locust (in its words); the same one seen again (a locustfile importing another) is not."""
    previous = found.setdefault(name, value)
    if previous is value or _source(previous) == _source(value):
        return
    raise UsageError("Duplicate " + message.format(name=name, a=_source(previous), b=_source(value)))


def _source(cls: type) -> str:
    try:
        return inspect.getfile(cls)
    except TypeError:  # defined in no file (built at run time)
        return repr(cls)
