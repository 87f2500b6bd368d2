"""``locust.user.users``."""

from horde.http.rest import RestMixin
from horde.user.http_users import HttpUser
from horde.user.users import User, UserMeta

__all__ = ("HttpUser", "RestMixin", "User", "UserMeta")
