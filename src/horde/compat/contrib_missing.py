"""Locust's contrib users for other protocols (databases, MQTT, ...): not in Horde yet. Importing
one fails with a message that says so, and what Locust's version needs, rather than a bare
ModuleNotFoundError."""

from __future__ import annotations

from typing import NoReturn


def refuse(module: str, user_class: str, package: str) -> NoReturn:
    raise ImportError(
        f"locust.contrib.{module} ({user_class}) is not available in Horde yet; under Locust it also "
        f"needs `pip install {package}`. Write a User whose tasks call {package} and report each call "
        "with events.request.fire or events.request.measure meanwhile."
    )
