"""``locust.clients``."""

from typing import Any

from horde.http.session import HttpSession, Response, ResponseContextManager


class RestResponseContextManager(ResponseContextManager):
    """What ``rest()`` yields, for annotations: ``js`` is the parsed JSON body (or None)."""

    js: dict[str, Any]


__all__ = ("HttpSession", "Response", "ResponseContextManager", "RestResponseContextManager")
