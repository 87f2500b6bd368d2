"""``locust.event``."""

from horde.runtime.events import DeprecatedEventHook, EventHook, Events

__all__ = ("DeprecatedEventHook", "EventHook", "Events")
