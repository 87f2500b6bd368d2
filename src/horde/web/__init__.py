"""The web UI: an HTTP API (Locust's endpoints and Horde's own) served on the runner's loop."""

from horde.web.server import WebUI

__all__ = ["WebUI"]
