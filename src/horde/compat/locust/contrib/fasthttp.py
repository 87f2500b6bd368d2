"""``locust.contrib.fasthttp``."""

from typing import Any

from horde.compat.deprecated import FastHttpLocust
from horde.http.catch import FastResponseContextManager
from horde.http.fast import FastHttpSession, FastResponse
from horde.user.http_users import FastHttpUser


class RestResponseContextManager(FastResponseContextManager):
    """What ``rest()`` yields, for annotations: ``js`` is the parsed JSON body (or None), ``error``
    what failed it."""

    js: dict[str, Any]
    error: Exception
    headers: Any


__all__ = (
    "FastHttpLocust",
    "FastHttpSession",
    "FastHttpUser",
    "FastResponse",
    "FastResponseContextManager",
    "RestResponseContextManager",
)
