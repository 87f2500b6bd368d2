"""``locust.clients``."""

from horde.http.session import HttpSession, Response, ResponseContextManager

__all__ = ("HttpSession", "Response", "ResponseContextManager")
