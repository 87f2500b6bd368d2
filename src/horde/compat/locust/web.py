"""``locust.web``: the web UI's class (``environment.web_ui`` is one)."""

from horde.web.server import WebUI

__all__ = ("WebUI",)
