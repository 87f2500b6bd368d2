"""``locust.contrib.fasthttp``."""

from horde.http.fast import FastHttpSession, FastResponse
from horde.user.http_users import FastHttpUser

__all__ = ("FastHttpSession", "FastHttpUser", "FastResponse")
