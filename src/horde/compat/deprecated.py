"""Locust 0.x's class names, which Locust still exports so that subclassing them fails with a
message saying what they became (its exact words: a migration guide links to them)."""

from __future__ import annotations

from typing import Any

_CHANGELOG = "For more info see: https://docs.locust.io/en/latest/changelog.html#changelog-1-0"


def _renamed(old: str, new: str) -> type:
    message = f"The {old} class has been renamed to {new} in version 1.0. {_CHANGELOG}"

    class Renamed(type):
        def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> Any:
            if bases:  # a locustfile's subclass, not the placeholder itself
                raise ImportError(message)
            return super().__new__(mcs, name, bases, namespace)

    return Renamed(old, (), {"__doc__": message})


Locust = _renamed("Locust", "User")
HttpLocust = _renamed("HttpLocust", "HttpUser")
FastHttpLocust = _renamed("FastHttpLocust", "FastHttpUser")
